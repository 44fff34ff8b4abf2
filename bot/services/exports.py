"""Files out of a roadmap: the capacity chart after a version is posted, and the thread's `export`.

What a stored roadmap looks like right now (latest ready version, item statuses, who owns what) is read in one
short transaction; the files are made by pure functions (bot.roadmap.export, bot.roadmap.chart), the chart in the
compute pool because drawing it is CPU work; uploading is the publisher's. The chart is uploaded once per version:
the upload is recorded (as the version's "chart" message) and a version that has one is not charted again.
Statuses never move the forecast, so a status change does not redraw it; a new version does.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.engines.compute import Compute, inline
from bot.i18n import Language, language, t
from bot.roadmap import chart, export
from bot.roadmap.schema import ItemStatus, Roadmap, SystemProfile
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.roadmap_threads import roadmap_for_thread
from storage import Database

log = logging.getLogger(__name__)

CHART_KIND = "chart"  # the MessageRef kind recording a version's chart upload (its `ts` holds the file id)

# "export", "내보내기", optionally after a mention, with a full stop or "please" around it: the whole message.
_EXPORT_COMMAND = re.compile(
    r"\s*+(?:<@[A-Z0-9]+>\s*+)?(?:export|내보내기|내보내줘|내보내 줘)\s*+[.!]?\s*+", re.IGNORECASE
)
MAX_EXPORT_COMMAND_CHARS = 60


@dataclass(frozen=True)
class Upload:
    """One file for the thread: name (Slack previews by its extension), bytes, title, alt text for images."""

    filename: str
    content: bytes
    title: str
    alt_text: str | None = None


class Uploader(Protocol):
    """What this service needs from the chat platform (bot.slack.publisher.SlackPublisher implements it)."""

    async def upload_files(
        self, channel_id: str, thread_ts: str, files: Sequence[Upload], *, comment: str | None = None
    ) -> list[str]: ...

    async def post_in_thread(self, channel_id: str, thread_ts: str, text: str) -> None: ...


def is_export_command(text: str) -> bool:
    """True for a thread reply asking for the files; linear time (possessive runs, bounded length)."""
    return len(text) <= MAX_EXPORT_COMMAND_CHARS and _EXPORT_COMMAND.fullmatch(text) is not None


@dataclass(frozen=True)
class Snapshot:
    """A stored roadmap as it stands: its latest ready version with statuses and owners."""

    roadmap_id: int
    version_id: int
    version: int
    roadmap: Roadmap
    profile: SystemProfile
    statuses: Mapping[str, ItemStatus]
    assignees: Mapping[str, str]
    channel_id: str | None
    thread_ts: str | None

    @property
    def lang(self) -> Language:
        return roadmap_language(self.roadmap, self.profile)


def roadmap_language(roadmap: Roadmap, profile: SystemProfile | None = None) -> Language:
    """The language the roadmap is written in, where the model or the answers record one; English otherwise."""
    for source in (roadmap, profile):
        code = getattr(source, "language", None)
        if isinstance(code, str) and (lang := language(code)):
            return lang
    return "en"


async def snapshot(database: Database, roadmap_id: int) -> Snapshot | None:
    """The roadmap's latest ready version, or None when there is no such roadmap or nothing generated yet."""
    async with database.unit_of_work(readonly=True) as repos:
        stored = await repos.roadmaps.get(roadmap_id)
        version = await repos.roadmaps.latest_version(roadmap_id) if stored else None
        content = version.roadmap_model if version else None
        if stored is None or version is None or content is None:
            return None
        review = await repos.reviews.get(stored.review_id)
        assert review is not None  # a roadmap row always belongs to a review
        items = await repos.items.list(version.id)
        return Snapshot(
            roadmap_id=roadmap_id,
            version_id=version.id,
            version=version.version,
            roadmap=content,
            profile=review.profile_model,
            statuses={i.item_key: i.status for i in items},
            assignees={i.item_key: i.owner_user_id for i in items if i.owner_user_id},
            channel_id=stored.channel_id,
            thread_ts=stored.thread_ts,
        )


def chart_upload(
    roadmap: Roadmap, profile: SystemProfile | None, png: bytes, *, lang: Language, version: int
) -> Upload:
    data = chart.roadmap_chart_data(roadmap, profile, lang=lang)
    return Upload(
        filename=f"{export.base_name(roadmap, version)}-capacity.png",
        content=png,
        title=t(lang, "Capacity: now, after each stage, and the target"),
        alt_text=chart.alt_text(data),
    )


class ExportService:
    """The thread's `export` and the chart of each posted version. `compute` draws the chart off the event loop."""

    def __init__(self, database: Database, uploader: Uploader, compute: Compute = inline) -> None:
        self._db = database
        self._uploader = uploader
        self._compute = compute
        self._charting: dict[int, asyncio.Lock] = {}

    async def export_thread(self, channel_id: str, thread_ts: str) -> bool | None:
        """`export` typed in a thread: the Markdown, CSV and JSON of its roadmap, uploaded into it.

        None when the thread is not a roadmap's (or it has no roadmap yet); False when Slack refused the upload
        (the thread is told why where possible).
        """
        roadmap_id = await roadmap_for_thread(self._db, channel_id, thread_ts)
        return await self.export_roadmap(roadmap_id) if roadmap_id is not None else None

    async def export_roadmap(self, roadmap_id: int) -> bool | None:
        """The parent message's Export button: the same files, into the roadmap's thread."""
        found = await snapshot(self._db, roadmap_id)
        if found is None:
            await self._not_ready(roadmap_id)
            return None
        if not found.channel_id or not found.thread_ts:
            return None
        lang, channel_id, thread_ts = found.lang, found.channel_id, found.thread_ts
        files = export.export_files(found.roadmap, found.statuses, found.assignees, lang=lang, version=found.version)
        uploads = [Upload(f.filename, f.content, f.title) for f in files]
        comment = t(
            lang,
            "Roadmap v{version} as files: a checklist (Markdown), issues for Jira or Linear (CSV: Summary, "
            "Description, Labels = stage, Original Estimate, Status, Assignee) and the roadmap data (JSON).",
            version=found.version,
        )
        try:
            await self._uploader.upload_files(channel_id, thread_ts, uploads, comment=comment)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("export of roadmap %s failed: %s", roadmap_id, exc)
            await self._say(channel_id, thread_ts, t(lang, "I could not upload the files ({reason}).", reason=exc))
            return False
        return True

    async def chart_files(self, roadmap_ids: Sequence[int]) -> dict[int, str]:
        """The Slack file id of each roadmap's latest chart, where one was uploaded (for the App Home)."""
        found: dict[int, str] = {}
        async with self._db.unit_of_work(readonly=True) as repos:
            for roadmap_id in roadmap_ids:
                version = await repos.roadmaps.latest_version(roadmap_id)
                refs = await repos.messages.list(version.id, CHART_KIND) if version else []
                if refs and refs[0].ts:
                    found[roadmap_id] = refs[0].ts
        return found

    async def chart_after_publish(self, version_id: int) -> None:
        """The chart under a version just posted; a failure here is logged and never fails the roadmap itself."""
        try:
            await self.chart_version(version_id)
        except Exception:
            log.exception("the capacity chart of version %s failed", version_id)

    async def chart_version(self, version_id: int) -> bool:
        """Upload the version's capacity chart into its thread unless it is there already; True when it is."""
        lock = self._charting.setdefault(version_id, asyncio.Lock())
        try:
            async with lock:
                return await self._chart_version(version_id)
        finally:
            if not lock.locked():
                self._charting.pop(version_id, None)

    async def _chart_version(self, version_id: int) -> bool:
        async with self._db.unit_of_work(readonly=True) as repos:
            if await repos.messages.list(version_id, CHART_KIND):
                return True
            version = await repos.roadmaps.get_version(version_id)
            stored = await repos.roadmaps.get(version.roadmap_id) if version else None
            review = await repos.reviews.get(stored.review_id) if stored else None
            content = version.roadmap_model if version else None
        if version is None or stored is None or review is None or content is None:
            return False
        channel_id, thread_ts = stored.channel_id, stored.thread_ts
        if not channel_id or not thread_ts:
            return False
        profile = review.profile_model
        lang = roadmap_language(content, profile)
        data = chart.roadmap_chart_data(content, profile, lang=lang)
        png = await self._compute(chart.render_png, data, bulk=True)
        upload = chart_upload(content, profile, png, lang=lang, version=version.version)
        try:
            file_ids = await self._uploader.upload_files(channel_id, thread_ts, [upload])
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("the chart of version %s was not uploaded: %s", version_id, exc)
            return False
        async with self._db.unit_of_work() as repos:
            await repos.messages.record(version_id, CHART_KIND, channel_id, file_ids[0] if file_ids else "")
        return True

    async def _not_ready(self, roadmap_id: int) -> None:
        """Asked for the files of a roadmap still being generated (or whose generation failed): say so."""
        async with self._db.unit_of_work(readonly=True) as repos:
            stored = await repos.roadmaps.get(roadmap_id)
            review = await repos.reviews.get(stored.review_id) if stored else None
        if stored is None or review is None or not stored.channel_id or not stored.thread_ts:
            return
        lang = language(getattr(review.profile_model, "language", None) or "") or "en"
        text = t(lang, "There is no roadmap to export yet: it is still being generated, or its generation failed.")
        await self._say(stored.channel_id, stored.thread_ts, text)

    async def _say(self, channel_id: str, thread_ts: str, text: str) -> None:
        try:
            await self._uploader.post_in_thread(channel_id, thread_ts, text)
        except (ChannelUnavailable, PublishFailed) as exc:
            log.warning("could not tell the thread %s: %s", thread_ts, exc)
