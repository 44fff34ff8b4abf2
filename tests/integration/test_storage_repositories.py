"""Repository round trips, each on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from bot.roadmap.schema import ItemStatus
from storage import Database, ItemStatusEvent, PostedMessage, Repositories, Roadmap, RoadmapVersion
from tests.builders import DEFAULT_ITEMS, sample_profile, sample_roadmap

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


async def _roadmap(repos: Repositories, *, user_id: str = "U1", system_name: str = "Checkout API") -> Roadmap:
    workspace = await repos.workspaces.get_or_create("T1")
    review = await repos.reviews.add(
        sample_profile(system_name=system_name), workspace_id=workspace.id, user_id=user_id, source="slack"
    )
    return await repos.roadmaps.create(review.id, owner_user_id=user_id, channel_id="C1")


async def _ready_version(
    repos: Repositories, roadmap_id: int, items: Sequence[tuple[str, str | None, str]] = DEFAULT_ITEMS
) -> RoadmapVersion:
    version = await repos.roadmaps.start_version(roadmap_id, engine="rules")
    return (await repos.roadmaps.complete_version(version.id, sample_roadmap(items))).version


# --- workspaces and reviews ------------------------------------------------------------------------------------


async def test_workspace_get_or_create_returns_the_same_row_and_updates_the_name(database: Database) -> None:
    async with database.unit_of_work() as repos:
        first = await repos.workspaces.get_or_create("T1")
        assert first.name is None
    async with database.unit_of_work() as repos:
        again = await repos.workspaces.get_or_create("T1", name="Acme")
        other = await repos.workspaces.get_or_create("T2", name="Globex")
    assert again.id == first.id and again.name == "Acme"
    assert other.id != first.id
    async with database.unit_of_work() as repos:
        assert (await repos.workspaces.get_or_create("T1")).name == "Acme"


async def test_review_profile_round_trips(database: Database) -> None:
    profile = sample_profile()
    async with database.unit_of_work() as repos:
        review = await repos.reviews.add(profile, user_id="U1", channel_id="C1", source="slack")
    async with database.unit_of_work() as repos:
        loaded = await repos.reviews.get(review.id)
    assert loaded is not None
    assert loaded.profile_model == profile
    assert loaded.profile_model.budget.monthly_amount == Decimal("2000")
    assert (loaded.system_name, loaded.user_id, loaded.channel_id, loaded.source) == (
        "Checkout API",
        "U1",
        "C1",
        "slack",
    )
    assert loaded.workspace_id is None
    assert loaded.created_at.tzinfo is UTC


async def test_review_rejects_an_unknown_source(database: Database) -> None:
    async with database.unit_of_work() as repos:
        with pytest.raises(ValueError, match="source"):
            await repos.reviews.add(sample_profile(), source="email")  # type: ignore[arg-type]


async def test_latest_reviews_are_newest_first_and_match_names_case_insensitively(database: Database) -> None:
    async with database.unit_of_work() as repos:
        workspace = await repos.workspaces.get_or_create("T1")
        ws = workspace.id
        old = await repos.reviews.add(sample_profile(), workspace_id=ws, user_id="U1")
        new = await repos.reviews.add(sample_profile(current_users=2000), workspace_id=ws, user_id="U1")
        search = await repos.reviews.add(sample_profile(system_name="Search"), workspace_id=ws, user_id="U1")
        await repos.reviews.add(sample_profile(), workspace_id=ws, user_id="U2")
        cli = await repos.reviews.add(sample_profile())
    assert new.id > old.id
    async with database.unit_of_work() as repos:
        assert (await repos.reviews.latest_for_system(ws, "U1", "checkout api")).id == new.id  # type: ignore[union-attr]
        assert (await repos.reviews.latest_for_system(ws, "U1", "  CHECKOUT API ")).id == new.id  # type: ignore[union-attr]
        assert await repos.reviews.latest_for_system(ws, "U3", "Checkout API") is None
        assert (await repos.reviews.latest_for_user(ws, "U1")).id == search.id  # type: ignore[union-attr]
        assert (await repos.reviews.latest_for_user(None, None)).id == cli.id  # type: ignore[union-attr]
        assert (await repos.reviews.latest_for_system(None, None, "checkout api")).id == cli.id  # type: ignore[union-attr]


# --- roadmaps and versions -------------------------------------------------------------------------------------


async def test_roadmap_lookups_and_thread(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        await repos.roadmaps.set_thread(roadmap.id, "C9", "1700000000.000100")
        await repos.roadmaps.set_owner_tz(roadmap.id, "Asia/Seoul")
    async with database.unit_of_work() as repos:
        found = await repos.roadmaps.by_thread("C9", "1700000000.000100")
        assert found is not None and found.id == roadmap.id
        assert found.owner_tz == "Asia/Seoul" and found.owner_user_id == "U1"
        assert (await repos.roadmaps.for_review(roadmap.review_id)).id == roadmap.id  # type: ignore[union-attr]
        assert (await repos.roadmaps.get(roadmap.id)).channel_id == "C9"  # type: ignore[union-attr]
        assert await repos.roadmaps.by_thread("C9", "1.2") is None
        with pytest.raises(LookupError, match="no roadmap 999"):
            await repos.roadmaps.set_thread(999, "C1", "1.1")


async def test_versions_are_numbered_per_roadmap_and_start_as_generating(database: Database) -> None:
    async with database.unit_of_work() as repos:
        first_roadmap = await _roadmap(repos)
        other_roadmap = await _roadmap(repos, user_id="U2")
        v1 = await repos.roadmaps.start_version(first_roadmap.id, engine="openai", model="gpt-4o-mini")
        v2 = await repos.roadmaps.start_version(first_roadmap.id, engine="rules")
        other = await repos.roadmaps.start_version(other_roadmap.id, engine="rules")
    assert (v1.version, v2.version, other.version) == (1, 2, 1)
    assert v1.status == "generating" and v1.content is None and v1.roadmap_model is None
    async with database.unit_of_work() as repos:
        assert await repos.roadmaps.latest_version(first_roadmap.id) is None
        assert (await repos.roadmaps.latest_version(first_roadmap.id, ready_only=False)).id == v2.id  # type: ignore[union-attr]
        with pytest.raises(LookupError):
            await repos.roadmaps.start_version(999, engine="rules")


async def test_complete_version_stores_content_and_items_in_order(database: Database) -> None:
    plan = sample_roadmap()
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        started = await repos.roadmaps.start_version(roadmap.id, engine="openai", model="gpt-4o-mini")
        await repos.roadmaps.complete_version(
            started.id,
            plan,
            engine="rules",
            change_summary="first plan",
            prompt_tokens=1200,
            completion_tokens=3400,
            cost_usd=Decimal("0.012345"),
        )
    async with database.unit_of_work() as repos:
        version = await repos.roadmaps.latest_version(roadmap.id)
        assert version is not None and version.id == started.id
        items = await repos.items.list(version.id)
    assert version.status == "ready" and version.error is None
    assert version.roadmap_model == plan
    assert (version.engine, version.model) == ("rules", "gpt-4o-mini")
    assert version.change_summary == "first plan"
    assert (version.prompt_tokens, version.completion_tokens, version.cost_usd) == (1200, 3400, Decimal("0.012345"))
    assert version.completed_at is not None and version.completed_at.tzinfo is UTC
    assert [(i.item_key, i.stage, i.position, i.pattern_id, i.title) for i in items] == [
        (key, int(key[0]), int(key[2]), pattern, title) for key, pattern, title in DEFAULT_ITEMS
    ]
    assert {i.status for i in items} == {ItemStatus.TODO}


async def test_complete_version_refuses_a_second_completion(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        version = await _ready_version(repos, roadmap.id)
        with pytest.raises(ValueError, match="already complete"):
            await repos.roadmaps.complete_version(version.id, sample_roadmap())
        with pytest.raises(LookupError):
            await repos.roadmaps.complete_version(999, sample_roadmap())


async def test_failed_version_keeps_the_error_and_can_be_completed_on_retry(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        version = await repos.roadmaps.start_version(roadmap.id, engine="openai")
        await repos.roadmaps.fail_version(version.id, "RateLimitError: slow down")
    async with database.unit_of_work() as repos:
        failed = await repos.roadmaps.get_version(version.id)
        assert failed is not None and (failed.status, failed.error) == ("failed", "RateLimitError: slow down")
        assert await repos.roadmaps.latest_version(roadmap.id) is None
        await repos.roadmaps.complete_version(version.id, sample_roadmap())
    async with database.unit_of_work() as repos:
        ready = await repos.roadmaps.latest_version(roadmap.id)
        assert ready is not None and (ready.id, ready.status, ready.error) == (version.id, "ready", None)


async def test_complete_version_carries_status_and_owner_over_by_pattern_then_key(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        v1 = await _ready_version(repos, roadmap.id)
        await repos.items.set_status(v1.id, "1.1", ItemStatus.DONE, actor="U1")  # slow-query-indexes
        await repos.items.set_status(v1.id, "2.1", ItemStatus.IN_PROGRESS, actor="U2")  # read-replicas
        await repos.items.set_owner(v1.id, "2.1", "U2")
        await repos.items.set_status(v1.id, "3.2", ItemStatus.ACKNOWLEDGED)  # no pattern
        await repos.items.set_status(v1.id, "2.2", ItemStatus.DONE)  # timeouts, dropped below
        # A failed attempt in between must not hide v1 from the carry-over.
        failed = await repos.roadmaps.start_version(roadmap.id, engine="openai")
        await repos.roadmaps.fail_version(failed.id, "timeout")
        revised_items = (
            ("1.1", "read-replicas", "Add read replicas first"),  # moved: carries 2.1's state by pattern
            ("1.2", "slow-query-indexes", "Index the slow queries"),  # moved: carries 1.1's state by pattern
            ("2.1", "load-test-baseline", "Measure a load-test baseline"),
            ("2.2", "cache-aside", "Cache hot reads"),  # new pattern at a key whose old item had another
            ("3.1", "cell-architecture", "Split into cells"),
            ("3.2", None, "Quarterly capacity review"),  # no pattern: carried by key
        )
        started = await repos.roadmaps.start_version(roadmap.id, engine="rules")
        stored = await repos.roadmaps.complete_version(started.id, sample_roadmap(revised_items))
        v3 = stored.version
    assert v3.version == 3
    async with database.unit_of_work() as repos:
        items = {item.item_key: item for item in await repos.items.list(v3.id)}
    assert stored.statuses == {key: item.status for key, item in items.items()}  # what publishing is handed
    assert items["1.1"].status == ItemStatus.IN_PROGRESS and items["1.1"].owner_user_id == "U2"
    assert items["1.1"].status_changed_by == "U2" and items["1.1"].status_changed_at is not None
    assert items["1.2"].status == ItemStatus.DONE and items["1.2"].status_changed_by == "U1"
    assert items["2.1"].status == ItemStatus.TODO
    assert items["2.2"].status == ItemStatus.TODO
    assert items["3.2"].status == ItemStatus.ACKNOWLEDGED
    async with database.unit_of_work() as repos:  # the old version keeps its own rows
        assert (await repos.items.get(v1.id, "1.1")).status == ItemStatus.DONE  # type: ignore[union-attr]


async def test_list_for_user_summarises_progress_newest_first(database: Database) -> None:
    async with database.unit_of_work() as repos:
        older = await _roadmap(repos, system_name="Checkout API")
        v1 = await _ready_version(repos, older.id)
        await repos.items.set_status(v1.id, "1.1", ItemStatus.DONE)
        v2 = await _ready_version(repos, older.id)  # carries 1.1 over
        await repos.items.set_status(v2.id, "1.2", ItemStatus.NOT_APPLICABLE)
        await repos.roadmaps.start_version(older.id, engine="openai")  # generating: not the summary's version
        newer = await _roadmap(repos, system_name="Search")
        await repos.roadmaps.start_version(newer.id, engine="rules")
        await _roadmap(repos, user_id="U2", system_name="Payments")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    async with database.unit_of_work() as repos:
        workspace_id = (await repos.workspaces.get_or_create("T1")).id
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            summaries = await repos.roadmaps.list_for_user(workspace_id, "U1")
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        assert len(statements) == 1
        assert await repos.roadmaps.list_for_user(workspace_id, "U1", limit=1) == summaries[:1]
        assert await repos.roadmaps.list_for_user(workspace_id, "U9") == []
        assert await repos.roadmaps.list_for_user(None, "U1") == []
    assert [(s.system_name, s.version, s.closed_items, s.total_items) for s in summaries] == [
        ("Search", None, 0, 0),
        ("Checkout API", 2, 2, len(DEFAULT_ITEMS)),
    ]
    assert summaries[1].roadmap.id == older.id and summaries[1].version_id == v2.id


# --- items -----------------------------------------------------------------------------------------------------


async def test_set_status_records_history_only_on_real_changes(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        version = await _ready_version(repos, roadmap.id)
        first = await repos.items.set_status(version.id, "1.2", ItemStatus.IN_PROGRESS, actor="U1", note="started")
        assert first.item.status == ItemStatus.IN_PROGRESS
        repeat = await repos.items.set_status(version.id, "1.2", "in_progress", actor="U2")  # type: ignore[arg-type]
        done = await repos.items.set_status(version.id, "1.2", ItemStatus.DONE, actor="U2")
    assert (first.previous, first.changed) == (ItemStatus.TODO, True)
    assert (repeat.previous, repeat.changed) == (ItemStatus.IN_PROGRESS, False)
    assert (done.previous, done.changed) == (ItemStatus.IN_PROGRESS, True)
    async with database.unit_of_work() as repos:
        item = await repos.items.get(version.id, "1.2")
        assert item is not None
        history = await repos.items.history(item.id)
    assert item.status == ItemStatus.DONE and item.status_changed_by == "U2"
    assert item.status_changed_at is not None and item.status_changed_at.tzinfo is UTC
    assert [(e.from_status, e.to_status, e.actor, e.note) for e in history] == [
        (ItemStatus.TODO, ItemStatus.IN_PROGRESS, "U1", "started"),
        (ItemStatus.IN_PROGRESS, ItemStatus.DONE, "U2", None),
    ]
    assert all(isinstance(e.to_status, ItemStatus) for e in history)
    async with database.unit_of_work(readonly=True) as repos:
        statuses = await repos.items.statuses(version.id)
        keys = {i.item_key for i in await repos.items.list(version.id)}
    assert statuses["1.2"] is ItemStatus.DONE and set(statuses) == keys
    assert all(s is ItemStatus.TODO for key, s in statuses.items() if key != "1.2")


async def test_unknown_items_and_statuses_raise_clearly(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        version = await _ready_version(repos, roadmap.id)
        with pytest.raises(LookupError, match=r"has no item '9\.9'"):
            await repos.items.set_status(version.id, "9.9", ItemStatus.DONE)
        with pytest.raises(LookupError):
            await repos.items.set_owner(version.id, "9.9", "U1")
        with pytest.raises(ValueError, match="finished"):
            await repos.items.set_status(version.id, "1.1", "finished")  # type: ignore[arg-type]
        assert await repos.items.get(version.id, "9.9") is None
        assert await repos.session.scalar(select(func.count()).select_from(ItemStatusEvent)) == 0


async def test_set_owner_and_progress(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        version = await _ready_version(repos, roadmap.id)
        owned = await repos.items.set_owner(version.id, "2.2", "U7")
        assert owned.owner_user_id == "U7"
        assert await repos.items.progress(version.id) == {1: (0, 2), 2: (0, 2), 3: (0, 2)}
        await repos.items.set_status(version.id, "1.1", ItemStatus.DONE)
        await repos.items.set_status(version.id, "1.2", ItemStatus.ACKNOWLEDGED)
        await repos.items.set_status(version.id, "2.1", ItemStatus.NOT_APPLICABLE)
        await repos.items.set_status(version.id, "2.2", ItemStatus.IN_PROGRESS)
    async with database.unit_of_work() as repos:
        assert await repos.items.progress(version.id) == {1: (2, 2), 2: (1, 2), 3: (0, 2)}
        assert await repos.items.progress(999) == {}
        assert (await repos.items.get(version.id, "2.2")).owner_user_id == "U7"  # type: ignore[union-attr]


# --- message refs ----------------------------------------------------------------------------------------------


async def test_message_refs_upsert_list_find_and_delete(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        version = await _ready_version(repos, roadmap.id)
        await repos.messages.record(version.id, "summary", "C1", "100.1")
        for part in range(3):
            await repos.messages.record(version.id, "stage", "C1", f"200.{part}", stage=2, part=part)
        await repos.messages.record(version.id, "stage", "C1", "300.0", stage=3)
        loaded = await repos.messages.find_by_ts("C1", "100.1")
        assert loaded is not None and loaded.kind == "summary"
        summary_id = loaded.id
        await repos.messages.record(version.id, "summary", "C1", "100.9")
    async with database.unit_of_work() as repos:
        reposted = await repos.messages.find_by_ts("C1", "100.9")
        assert reposted is not None and reposted.id == summary_id  # the same row, its ts replaced
    async with database.unit_of_work() as repos:
        assert await repos.messages.find_by_ts("C1", "100.1") is None
        assert (await repos.messages.find_by_ts("C1", "100.9")).kind == "summary"  # type: ignore[union-attr]
        assert [(m.kind, m.stage, m.part) for m in await repos.messages.list(version.id)] == [
            ("summary", 0, 0),
            ("stage", 2, 0),
            ("stage", 2, 1),
            ("stage", 2, 2),
            ("stage", 3, 0),
        ]
        assert [m.ts for m in await repos.messages.list(version.id, "stage")] == ["200.0", "200.1", "200.2", "300.0"]
        assert await repos.messages.delete_stage_parts(version.id, 2, from_part=1) == 2
        assert [m.ts for m in await repos.messages.list(version.id, "stage")] == ["200.0", "300.0"]


async def test_message_refs_recorded_many_in_one_statement_later_part_wins(database: Database) -> None:
    async with database.unit_of_work() as repos:
        version = await _ready_version(repos, (await _roadmap(repos)).id)
        await repos.messages.record(version.id, "summary", "C1", "100.1")
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with database.unit_of_work() as repos:
            await repos.messages.record_many(
                [
                    PostedMessage(version.id, "summary", "C1", "100.2"),  # replaces the stored ts
                    PostedMessage(version.id, "stage", "C1", "200.0", stage=1),
                    PostedMessage(version.id, "stage", "C1", "200.1", stage=1),  # same part again: this one counts
                    PostedMessage(version.id, "stage", "C1", "201.0", stage=1, part=1),
                ]
            )
            await repos.messages.record_many([])
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", count)
    assert len([s for s in statements if s.lstrip().upper().startswith("INSERT")]) == 1
    async with database.unit_of_work(readonly=True) as repos:
        stored = [(m.kind, m.stage, m.part, m.ts) for m in await repos.messages.list(version.id)]
    assert stored == [("summary", 0, 0, "100.2"), ("stage", 1, 0, "200.1"), ("stage", 1, 1, "201.0")]


# --- nudges ----------------------------------------------------------------------------------------------------


async def test_nudge_schedule_upsert_pause_and_next_due(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        created = await repos.nudges.upsert_schedule(
            roadmap.id, weekday=0, local_time="10:00", timezone="Asia/Seoul", next_due_at=NOW
        )
        updated = await repos.nudges.upsert_schedule(
            roadmap.id, weekday=2, local_time="09:30", timezone="Europe/Paris", next_due_at=NOW + timedelta(days=2)
        )
    assert updated.id == created.id
    assert (updated.weekday, updated.local_time, updated.timezone, updated.paused) == (
        2,
        "09:30",
        "Europe/Paris",
        False,
    )
    assert updated.next_due_at == NOW + timedelta(days=2)
    async with database.unit_of_work() as repos:
        assert (await repos.nudges.set_paused(roadmap.id, True)).paused
        sent_at = NOW + timedelta(days=2, minutes=1)
        await repos.nudges.set_next_due(roadmap.id, NOW + timedelta(days=9), last_sent_at=sent_at)
    async with database.unit_of_work() as repos:
        schedule = await repos.nudges.get_schedule(roadmap.id)
        assert schedule is not None and schedule.paused
        assert (schedule.next_due_at, schedule.last_sent_at) == (NOW + timedelta(days=9), sent_at)
        with pytest.raises(ValueError, match="weekday"):
            await repos.nudges.upsert_schedule(
                roadmap.id, weekday=7, local_time="10:00", timezone="UTC", next_due_at=NOW
            )
        with pytest.raises(ValueError, match="HH:MM"):
            await repos.nudges.upsert_schedule(
                roadmap.id, weekday=1, local_time="9:00", timezone="UTC", next_due_at=NOW
            )
        with pytest.raises(LookupError):
            await repos.nudges.set_paused(999, True)
        assert await repos.nudges.get_schedule(999) is None


async def test_claim_due_returns_due_unpaused_schedules_oldest_first(database: Database) -> None:
    async with database.unit_of_work() as repos:
        ids = []
        for offset_hours, paused in ((-1, False), (-3, False), (-2, True), (1, False)):
            roadmap = await _roadmap(repos)
            ids.append(roadmap.id)
            await repos.nudges.upsert_schedule(
                roadmap.id,
                weekday=0,
                local_time="10:00",
                timezone="UTC",
                next_due_at=NOW + timedelta(hours=offset_hours),
                paused=paused,
            )
        never = await _roadmap(repos)
        await repos.nudges.upsert_schedule(never.id, weekday=0, local_time="10:00", timezone="UTC", next_due_at=None)
    async with database.unit_of_work() as repos:
        assert [s.roadmap_id for s in await repos.nudges.claim_due(NOW, 10)] == [ids[1], ids[0]]
    async with database.unit_of_work() as repos:
        assert [s.roadmap_id for s in await repos.nudges.claim_due(NOW, 1)] == [ids[1]]


async def test_record_nudge_is_once_per_period_and_keeps_the_transaction_usable(database: Database) -> None:
    async with database.unit_of_work() as repos:
        roadmap = await _roadmap(repos)
        log = await repos.nudges.record_nudge(roadmap.id, "2026-W48", channel_id="C1")
        assert log is not None and (log.status, log.attempts, log.channel_id) == ("claimed", 1, "C1")
        assert await repos.nudges.record_nudge(roadmap.id, "2026-W48") is None
        # The transaction survived the conflict: keep writing in it.
        next_week = await repos.nudges.record_nudge(roadmap.id, "2026-W49")
        assert next_week is not None
        await repos.nudges.mark_sent(log.id, "1700000000.000200")
        await repos.nudges.mark_failed(next_week.id, "channel_not_found")
    async with database.unit_of_work() as repos:
        assert await repos.nudges.record_nudge(roadmap.id, "2026-W48") is None  # also across transactions
        sent = await repos.session.get(type(log), log.id)
        failed = await repos.session.get(type(log), next_week.id)
        with pytest.raises(LookupError):
            await repos.nudges.mark_sent(999, "1.1")
    assert sent is not None and (sent.status, sent.ts, sent.error) == ("sent", "1700000000.000200", None)
    assert sent.sent_at is not None and sent.sent_at.tzinfo is UTC
    assert failed is not None and (failed.status, failed.error, failed.sent_at) == ("failed", "channel_not_found", None)


# --- processed events ------------------------------------------------------------------------------------------


async def test_first_time_then_retry_and_purge(database: Database) -> None:
    async with database.unit_of_work() as repos:
        assert await repos.events.first_time("Ev01")
        assert not await repos.events.first_time("Ev01")
    async with database.unit_of_work() as repos:
        assert not await repos.events.first_time("Ev01")
        assert await repos.events.first_time("Ev02")
        assert await repos.events.purge_older_than(datetime.now(UTC) - timedelta(hours=1)) == 0
        assert await repos.events.purge_older_than(datetime.now(UTC) + timedelta(seconds=1)) == 2
        assert await repos.events.first_time("Ev01")
