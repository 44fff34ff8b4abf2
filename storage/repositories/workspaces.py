from __future__ import annotations

from sqlalchemy import select

from storage.models import Workspace
from storage.repositories._base import Repository


class WorkspaceRepository(Repository):
    async def by_id(self, workspace_id: int) -> Workspace | None:
        return await self._session.get(Workspace, workspace_id)

    async def get(self, team_id: str) -> Workspace | None:
        return await self._session.scalar(select(Workspace).where(Workspace.team_id == team_id))

    async def get_or_create(self, team_id: str, name: str | None = None) -> Workspace:
        """Insert-or-ignore then select, so two instances handling the same new team never collide."""
        insert = self._insert(Workspace).values(team_id=team_id, name=name)
        await self._session.execute(insert.on_conflict_do_nothing(index_elements=[Workspace.team_id]))
        workspace = await self._session.scalar(select(Workspace).where(Workspace.team_id == team_id))
        assert workspace is not None  # inserted above or by a transaction that has committed
        if name is not None and workspace.name != name:
            workspace.name = name
        return workspace
