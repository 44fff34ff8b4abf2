"""Questions about a roadmap answered from its own figures: which items a question names, and the plan's
reason for their order (dependency, stage, benefit/cost)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.roadmap.discussion import answer, referenced_items
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import ItemStatus, Roadmap
from tests.builders import sample_roadmap

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    return generate_rules_roadmap(load_profile(EXAMPLES / "saas-api.yaml"))


def dependency_pair(roadmap: Roadmap) -> tuple[str, str]:
    """An item and the one it builds on, in the same stage: which ones is the example plan's business."""
    return next((d, i.id) for i in roadmap.items() for d in i.depends_on if d.split(".")[0] == str(i.stage))


def by_id(roadmap: Roadmap, item_id: str):  # type: ignore[no-untyped-def]
    return next(i for i in roadmap.items() if i.id == item_id)


def test_items_named_by_id_come_in_the_questions_order_and_unknown_ids_are_ignored(roadmap: Roadmap) -> None:
    assert [i.id for i in referenced_items(roadmap, "why 2.1 and not 1.2? (and 9.9, 1.99, v2.10.1)")] == ["2.1", "1.2"]


def test_different_stages_are_explained_by_their_stage(roadmap: Roadmap) -> None:
    ordering = answer(roadmap, {}, "why 1.2 before 2.1?").ordering
    assert ordering is not None and (ordering.first.id, ordering.then.id) == ("1.2", "2.1")
    assert "stage 1 (immediate improvements)" in ordering.reason and "stage 2" in ordering.reason


def test_a_dependency_explains_the_order_whichever_way_it_is_asked(roadmap: Roadmap) -> None:
    first, then = dependency_pair(roadmap)
    assert first in by_id(roadmap, then).depends_on
    ordering = answer(roadmap, {}, f"why is {then} after {first}?").ordering
    assert ordering is not None and (ordering.first.id, ordering.then.id) == (first, then)
    assert ordering.reason.startswith(f"{then} builds on {first}")


def test_within_a_stage_the_benefit_cost_scores_explain_it(roadmap: Roadmap) -> None:
    first, then = by_id(roadmap, "1.3"), by_id(roadmap, "1.4")
    ordering = answer(roadmap, {}, "1.4 or 1.3 first?").ordering
    assert ordering is not None and (ordering.first.id, ordering.then.id) == ("1.3", "1.4")
    assert f"1.3 scores {first.score:g}, 1.4 scores {then.score:g}" in ordering.reason
    assert first.score >= then.score


def test_a_held_back_item_says_so() -> None:
    profile = load_profile(EXAMPLES / "saas-api.yaml")
    tight = profile.model_copy(update={"budget": profile.budget.model_copy(update={"monthly_amount": 400})})
    roadmap = generate_rules_roadmap(tight)  # a budget small enough that items wait for money
    held = next(i for i in roadmap.items() if i.deferred and i.depends_on)
    dependency = held.depends_on[0]
    ordering = answer(roadmap, {}, f"why {held.id} after {dependency}?").ordering
    assert ordering is not None and f"{held.id} is also held back ({held.deferred})" in ordering.reason


def test_items_named_by_subject_prefer_the_specific_words() -> None:
    """ "read" fits several items, "replicas" and "indexes" one each: those two are what the question is about.

    A roadmap built by hand, so that "read" fits three items whatever the engine plans for the examples.
    """
    roadmap = sample_roadmap(
        [
            ("1.1", "slow-query-indexes", "Find the slow queries and add the missing indexes"),
            ("1.2", "in-process-cache", "Cache hot, rarely changing reads inside the app process"),
            ("2.1", "read-replicas", "Add read replicas until the database tier has 3 nodes"),
            ("3.1", "cqrs-read-models", "Precompute feeds into read models"),
        ]
    )
    found = referenced_items(roadmap, "Why do read replicas come after the indexes?")
    assert [i.pattern_id for i in found] == ["read-replicas", "slow-query-indexes"]
    ordering = answer(roadmap, {}, "Why do read replicas come after the indexes?").ordering
    assert ordering is not None and ordering.first.pattern_id == "slow-query-indexes"


def test_no_order_is_explained_without_an_order_question(roadmap: Roadmap) -> None:
    result = answer(roadmap, {}, "tell me about 1.2 and 2.1")
    assert [i.id for i in result.items] == ["1.2", "2.1"] and result.ordering is None


def test_a_question_naming_nothing_gets_what_is_open_now(roadmap: Roadmap) -> None:
    assert answer(roadmap, {}, "what should we do now?").open_now == roadmap.stages[0].items
    done = {item.id: ItemStatus.DONE for item in roadmap.stages[0].items}
    done["2.1"] = ItemStatus.NOT_APPLICABLE
    result = answer(roadmap, done, "what now?")
    assert result.items == [] and [i.id for i in result.open_now] == [i.id for i in roadmap.stages[1].items[1:]]
