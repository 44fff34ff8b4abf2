"""The command line's files: `scale-review review FILE --chart PNG` and `scale-review export ROADMAP --format ...`.

Kept beside bot/cli.py so the command's parser and dispatch stay short: the roadmap comes from the database (a
stored roadmap's id, with its statuses and owners) or from a roadmap JSON file (`review --format json`), and the
files are the same ones the Slack thread's `export` uploads.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from bot.i18n import DEFAULT, t
from bot.roadmap.export import FORMATS

if TYPE_CHECKING:  # the chart (matplotlib) and the database load only for the commands that use them
    from bot.config import Settings
    from bot.roadmap.schema import Roadmap, SystemProfile
    from bot.services.exports import Snapshot


class ExportInputError(Exception):
    """The ROADMAP argument names nothing exportable; the message says why (exit status 2)."""


def add_export_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export_cmd = commands.add_parser(
        "export", help="write a roadmap as a Markdown checklist, a CSV for Jira or Linear, or its JSON"
    )
    export_cmd.add_argument(
        "roadmap", help="a stored roadmap's id (from DATABASE_URL) or a roadmap JSON file (`review --format json`)"
    )
    export_cmd.add_argument("--format", choices=FORMATS, default="md", help="md (default), csv or json")
    export_cmd.add_argument("--output", "-o", type=Path, help="write to this file instead of standard output")


def write_chart(path: Path, roadmap: Roadmap, profile: SystemProfile | None) -> str:
    """Draw the capacity chart into `path`; returns the line to print."""
    from bot.roadmap import chart
    from bot.services.exports import roadmap_language

    lang = roadmap_language(roadmap, profile)
    png = chart.render_png(chart.roadmap_chart_data(roadmap, profile, lang=lang))
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise ExportInputError(t(lang, "cannot write {path}: {problem}", path=path, problem=exc.strerror)) from exc
    return t(lang, "capacity chart written to {path}", path=path)


async def _stored(settings: Settings, roadmap_id: int) -> Snapshot | None:
    from bot.database import open_database
    from bot.services.exports import snapshot

    database = await open_database(settings)
    try:
        return await snapshot(database, roadmap_id)
    finally:
        await database.dispose()


def run_export(settings: Settings, ref: str, fmt: str, output: Path | None) -> str | None:
    """The export of `ref` in `fmt`, written to `output` (returning the line to print) or to standard output."""
    from pydantic import ValidationError

    from bot.roadmap import export
    from bot.roadmap.schema import Roadmap
    from bot.services.exports import roadmap_language

    path = Path(ref)
    if ref.isdigit() and not path.exists():
        found = asyncio.run(_stored(settings, int(ref)))
        if found is None:
            raise ExportInputError(t(DEFAULT, "no roadmap {id} with a generated version in the database", id=ref))
        roadmap, statuses, assignees, lang = found.roadmap, found.statuses, found.assignees, found.lang
    else:
        try:
            roadmap = Roadmap.model_validate_json(path.read_bytes())
        except OSError as exc:
            raise ExportInputError(t(DEFAULT, "cannot read {path}: {problem}", path=ref, problem=exc.strerror)) from exc
        except ValidationError as exc:
            problem = exc.errors()[0]["msg"] if exc.errors() else str(exc)
            raise ExportInputError(
                t(DEFAULT, "{path} is not a roadmap JSON file: {problem}", path=ref, problem=problem)
            ) from exc
        statuses, assignees, lang = {}, {}, roadmap_language(roadmap)
    text = export.render(roadmap, fmt, statuses, assignees, lang=lang)
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return None
    try:
        output.write_text(text, encoding="utf-8", newline="")
    except OSError as exc:
        raise ExportInputError(t(lang, "cannot write {path}: {problem}", path=output, problem=exc.strerror)) from exc
    return t(lang, "written to {path}", path=output)
