"""The `scale-review` command: review a profile file offline, manage the database, serve the bot."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Coroutine, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bot import i18n
from bot.config import ConfigError, Settings, load_settings
from bot.engines.fallback import generate_with_fallback
from bot.engines.protocol import EngineResult, RoadmapEngine
from bot.engines.rules import RulesEngine
from bot.export_cli import ExportInputError, add_export_command, run_export, write_chart
from bot.roadmap.examples import EXAMPLE_PROFILE
from bot.roadmap.markdown import render_markdown
from bot.roadmap.profile_io import ProfileError, load_profile
from bot.roadmap.sanity import check_profile
from bot.roadmap.schema import SystemProfile

EXIT_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scale-review", description="Turn 'our servers fall over' into a staged, measurable scaling plan."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    review = commands.add_parser("review", help="generate a roadmap from a YAML or JSON profile")
    review.add_argument("file", type=Path, help="profile file (see `scale-review example`)")
    review.add_argument("--format", choices=["markdown", "json"], default="markdown")
    review.add_argument("--save", action="store_true", help="store the answers and the roadmap (DATABASE_URL)")
    review.add_argument(
        "--lang",
        choices=["en", "ko"],
        help="the roadmap's language (default: the profile's `language`, else the language its answers are written in)",
    )
    review.add_argument(
        "--details",
        action="store_true",
        help="print every step and check of each item and the basis of each estimate (default: the compact roadmap)",
    )
    review.add_argument("--chart", type=Path, metavar="PNG", help="also draw the capacity chart into this PNG file")
    review.add_argument(
        "--engine",
        choices=["rules", "openai"],
        default="rules",
        help="rules (offline, default) or openai (needs OPENAI_API_KEY; falls back to rules if it fails)",
    )

    add_export_command(commands)

    example = commands.add_parser("example", help="print an example profile")
    example.add_argument("--format", choices=["yaml", "json"], default="yaml")

    commands.add_parser("serve", help="run the Slack bot: Socket Mode with SLACK_APP_TOKEN, otherwise HTTP on PORT")

    nudge = commands.add_parser(
        "nudge", help="run one weekly-nudge sweep as of a time (for cron and tests) and print what it sent"
    )
    nudge.add_argument("--at", type=_iso_time, help="ISO 8601 time with a UTC offset (default: now)")

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply Alembic migrations up to the latest revision")
    db_commands.add_parser("current", help="print the schema revision")
    return parser


def _iso_time(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an ISO 8601 time, e.g. 2026-12-07T10:00:00+09:00") from None
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"'{text}' has no UTC offset; add one, e.g. +09:00 or Z")
    return moment


async def _nudge(settings: Settings, at: datetime) -> tuple[list[str], bool]:
    """One sweep as of `at`; the lines to print and whether every due nudge went out."""
    from bot.app import build_services
    from bot.database import open_database
    from bot.slack.client import WorkspaceClients, close_client, make_client
    from bot.slack.installs import Installations

    database = await open_database(settings)
    client = make_client(settings)
    # OAuth: each roadmap's nudge goes out with its workspace's token, as in `serve`
    tokens = Installations(settings, database.engine, client).bot_token if settings.oauth else None
    try:
        report = await build_services(database, WorkspaceClients(client, tokens), settings).nudges.sweep(at)
    finally:
        await close_client(client)
        await database.dispose()
    lines = [
        f"sent {n.kind} for roadmap {n.roadmap_id} ({n.system_name}) in {n.channel_id}, "
        f"thread {n.thread_ts}, period {n.period_key}: ts {n.ts}"
        for n in report.sent
    ]
    lines += [f"not sent for roadmap {rid}: {error} (retried on a later sweep)" for rid, error in report.failed]
    lines.append(
        f"sweep as of {at.isoformat()}: {len(report.sent)} sent, {len(report.failed)} failed, "
        f"{report.skipped} not due or already sent"
    )
    return lines, not report.failed


def _engine(settings: Settings, name: str) -> RoadmapEngine:
    if name == "openai":
        from bot.engines.factory import openai_engine

        return openai_engine(settings)
    return RulesEngine()


async def _print_progress(text: str) -> None:
    print(text, end="", file=sys.stderr, flush=True)


async def _review(
    settings: Settings, profile: SystemProfile, *, save: bool, engine: RoadmapEngine
) -> tuple[EngineResult, str | None]:
    try:
        return await _generate(settings, profile, save=save, engine=engine)
    finally:
        await engine.aclose()


async def _generate(
    settings: Settings, profile: SystemProfile, *, save: bool, engine: RoadmapEngine
) -> tuple[EngineResult, str | None]:
    fallback = RulesEngine() if engine.name != RulesEngine.name else None
    progress = _print_progress if engine.streams_progress else None
    if not save:
        return await generate_with_fallback(engine, fallback, profile, progress), None
    from bot.database import open_database
    from bot.services.publication import store_result

    database = await open_database(settings)
    try:
        async with database.unit_of_work() as repos:  # the answers first, so nothing is lost
            review = await repos.reviews.add(profile, source="cli")
            roadmap = await repos.roadmaps.create(review.id)
            version = await repos.roadmaps.start_version(roadmap.id, engine=engine.name)
        result = await generate_with_fallback(engine, fallback, profile, progress)
        async with database.unit_of_work() as repos:
            await store_result(repos, version.id, result)
        return result, f"saved: review {review.id}, roadmap {roadmap.id}, version {version.version} in {database.url}"
    finally:
        await database.dispose()


def _accounting(result: EngineResult) -> str:
    line = f"Engine: {result.engine}" + (f" ({result.model})" if result.model else "")
    if result.usage is not None:
        usage = result.usage
        line += f" · tokens: {usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} completion"
        line += f" · estimated cost: ${usage.cost_usd:.4f}" if usage.cost_usd is not None else " · cost: unknown price"
    return line


async def _db(settings: Settings, action: str) -> str:
    from storage import Database

    database = Database(settings.database_url)
    try:
        if action == "upgrade":
            await database.upgrade()
            return f"{database.url}: upgraded to {await database.current_revision()}"
        current = await database.current_revision()
        head = await database.head_revision()
        state = "up to date" if current == head else f"behind (latest is {head})"
        return f"{database.url}: revision {current or 'none'}, {state}"
    finally:
        await database.dispose()


def run_fast(coro: Coroutine[Any, Any, None]) -> None:
    """The server on uvloop where it is installed (Linux, macOS): the same asyncio API, less CPU per request."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(coro)
        return
    uvloop.run(coro)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "example":
            if args.format == "json":
                print(json.dumps(EXAMPLE_PROFILE, indent=2, ensure_ascii=False))
            else:
                print(yaml.safe_dump(EXAMPLE_PROFILE, allow_unicode=True, sort_keys=False), end="")
            return 0
        settings = load_settings()
        if args.command == "review":
            profile = load_profile(args.file)
            lang = i18n.choose(args.lang, profile.language, i18n.of_answers(profile), settings.default_language)
            profile = profile.model_copy(update={"language": lang})
            refusals = [f for f in check_profile(profile) if f.refuse]
            if refusals:  # no plan from absurd or empty answers: say what to measure or tell instead
                print(i18n.t(lang, "error: the profile cannot be planned from as it is:"), file=sys.stderr)
                for finding in refusals:
                    print(f"  - {finding.field}: {finding.say(lang)}", file=sys.stderr)
                return EXIT_INPUT
            engine = _engine(settings, args.engine)
            result, saved = asyncio.run(_review(settings, profile, save=args.save, engine=engine))
            if args.format == "json":
                print(result.roadmap.model_dump_json(indent=2))
                print(_accounting(result), file=sys.stderr)
            else:
                print(render_markdown(result.roadmap, details=args.details))
                print(f"\n---\n{_accounting(result)}")
            if result.fallback_reason:
                print(f"warning: {result.fallback_reason}", file=sys.stderr)
            if saved:
                print(saved, file=sys.stderr)
            if args.chart:
                print(write_chart(args.chart, result.roadmap, profile), file=sys.stderr)
            return 0
        if args.command == "export":
            written = run_export(settings, args.roadmap, args.format, args.output)
            if written:
                print(written, file=sys.stderr)
            return 0
        if args.command == "db":
            print(asyncio.run(_db(settings, args.db_command)))
            return 0
        if args.command == "nudge":
            settings.require_oauth() if settings.oauth else settings.require_bot_token()
            lines, complete = asyncio.run(_nudge(settings, args.at or datetime.now(UTC)))
            print("\n".join(lines))
            return 0 if complete else 1
        if args.command == "serve":
            from bot.logs import setup_logging

            setup_logging(settings.log_level)
            if settings.web_concurrency > 1 and settings.slack_app_token is None:
                from bot.http_workers import run_http_workers

                return run_http_workers(settings)
            if settings.web_concurrency > 1:
                logging.getLogger(__name__).warning(
                    "WEB_CONCURRENCY applies to HTTP mode; Socket Mode runs one process"
                )
            from bot.server import serve

            run_fast(serve(settings))
            return 0
    except ProfileError as exc:
        print(f"error: {exc.source} is not a valid profile:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INPUT
    except ExportInputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
