"""The sentences the engine composes around the catalogue's texts (rules, planner, advice), with their Korean."""

from __future__ import annotations

from bot.roadmap.korean.templates import template_regex

# Sentences the engine composes around the catalogue's texts: the reasons rules/selection.py gives for picking a
# pattern, and planning/effects.py's re-size items (more of a fleet the team or an earlier item already has).
# Matched exactly.
REASONS: tuple[tuple[str, str], ...] = (
    ('You wrote: "{quote}"', '답변에 이렇게 적으셨습니다: "{quote}"'),
    (
        "The capacity model has the {tier} binding first, at about {users} users.",
        "용량 모델로 보면 {tier} 계층이 가장 먼저 한계에 닿으며, 그 지점은 사용자 약 {users}명입니다.",
    ),
    (
        "Before this stage the plan reaches about {reached} of the {target} users you aim for.",
        "이 단계 전까지 계획이 닿는 규모는 목표 {target}명 중 약 {reached}명입니다.",
    ),
    ("Needed first by item {ids}.", "{ids} 항목보다 먼저 해야 합니다."),
    (
        "Each new node is priced at the database's grown size ({factor}x today's node): replicas and shard members "
        "match their primary.",
        "새 노드는 키운 데이터베이스 크기(현재 노드의 {factor}배) 가격으로 잡았습니다. 레플리카와 샤드 멤버는 "
        "프라이머리와 같은 크기로 둡니다.",
    ),
    (
        "Its cost is for one more server per step of today's fleet, whose size you did not give: multiply it by "
        "your server count.",
        "서버 규모를 알려 주지 않으셔서 비용은 현재 규모 한 단계마다 서버 한 대를 더하는 기준입니다. 서버 대수를 곱해 "
        "보세요.",
    ),
    ("The {tier} need more by this stage.", "이 단계에서는 {tier} 계층을 더 늘려야 합니다."),
    (
        "The database binds next: it falls short of what this stage aims for.",
        "다음 한계는 데이터베이스입니다. 이 단계가 목표로 하는 규모에 못 미칩니다.",
    ),
    ("You already run it: it grows to what this stage needs.", "이미 운영 중인 것을 이 단계에 필요한 만큼 늘립니다."),
    (
        "Grows what item {ids} built, to what this stage needs.",
        "{ids} 항목에서 만든 것을 이 단계에 필요한 만큼 늘립니다.",
    ),
)
REASONS += (
    ("This reads as {kind}: you wrote {said}.", "답변으로 보면 {kind} 유형입니다. 적으신 말: {said}."),
    ("Waits for {ids}, which is held back.", "보류된 {ids} 항목을 기다립니다."),
    (
        "Waits for budget: capacity work is funded stage by stage and the money ran out at {ids}.",
        "예산을 기다립니다. 용량 작업은 단계 순서대로 예산을 배정하는데, {ids} 항목에서 예산이 바닥났습니다.",
    ),
    (
        "Over budget: adds up to {money} a month and {left} of the monthly budget is left.",
        "예산 초과: 이 항목의 월 비용은 최대 {money}이고, 남은 월 예산은 {left}입니다.",
    ),
    (
        "Sized at its minimum ({units} {label}): capacity does not need more.",
        "최소 규모({label} {units}{c})로 잡았습니다. 용량만 보면 더 필요하지 않습니다.",
    ),
    (
        "Even {units} {label} ({limit}) carry only about {users} users.",
        "{label} {units}{c}({limit})로도 사용자 약 {users}명까지만 감당합니다.",
    ),
    (
        "The budget allows {units} of the {units_from} {label} this needs.",
        "필요한 {label} {units_from}{c} 가운데 예산으로는 {units}{c}까지만 가능합니다.",
    ),
    (
        "This count rests on a default utilisation of the {tier}, not a measurement: measure {what} before you buy it.",
        "이 대수는 {tier} 계층의 기본 사용률에서 나온 것이지 측정값이 아닙니다. 사기 전에 다음을 재 보세요: {what}.",
    ),
)
# Reasons that restate what a roadmap's head already says (the capacity picture, the kind of system read, the
# assumed utilisations): the compact Markdown leaves them out of each item.
_RESTATING = tuple(
    pair
    for pair in REASONS
    if pair[0].startswith(("The capacity model has", "Before this stage", "This reads as", "This count rests on"))
)


def restates_the_head(sentence: str) -> bool:
    """Whether `sentence` is one of those reasons, in English or in Korean."""
    return any(
        template_regex(en).fullmatch(sentence) or template_regex(ko).fullmatch(sentence) for en, ko in _RESTATING
    )


# What the capacity model computes for an item (planning/effects.py), shown with its details.
EFFECT = (
    (
        "In the model: {parts}; binding tier after it: {tier}, about {users} users.",
        "모델상 효과: {parts}. 이 항목까지 반영하면 한계 계층은 {tier}, 사용자 약 {users}명입니다.",
    ),
)
# What the advice says about a named problem no item answers, and about a lever the team already runs (advice/model.py).
ADVICE = (
    (
        "You already run {have}; tune it rather than add another ({title}).",
        "이미 운영 중인 것이 있습니다({have}). 하나 더 두기보다 지금 것을 조정하세요({title}).",
    ),
    ("{title} is not recommended here: {reason}", "{title}: 여기서는 권하지 않습니다. {reason}"),
    (
        "{title} would answer this, but it did not fit this plan (its prerequisites or scale are not there); "
        "first {hint}",
        "{title} 항목이 답이 될 수 있지만 이 계획에는 맞지 않았습니다(선행 조건이나 규모가 갖춰지지 않음). 먼저 {hint}",
    ),
    ("No catalogue lever matches this directly: {hint}", "카탈로그에 이 문제에 바로 맞는 수단이 없습니다. 먼저 {hint}"),
    ("You already run {have}; the plan builds on it.", "이미 운영 중입니다({have}). 계획은 그 위에 쌓습니다."),
)
# The summary's verdict, budget note, bottleneck and headline (rules/verdict.py, rules/generate.py), sentence
# by sentence.
SUMMARY: tuple[tuple[str, str], ...] = (
    (
        "Over capacity at peak now: about {users} of today's {current} users fit at a safe load; stage 1 starts "
        "with relief.",
        "지금 피크에 이미 용량을 넘었습니다. 오늘 사용자 {current}명 중 안전한 부하로 감당하는 것은 약 {users}명이라, "
        "1단계는 급한 불을 끄는 일부터 시작합니다.",
    ),
    (
        "Target reached after stage {n}: about {users} concurrent users expected against {target}.",
        "{n}단계를 마치면 목표에 닿습니다. 목표 {target}명에 대해 동시 사용자 약 {users}명을 예상합니다.",
    ),
    ("It fits the budget (top of each cost range).", "예산 안에 들어옵니다(각 비용 범위의 상단 기준)."),
    (
        "At the target, the bytes it serves bring the plan to about {range} a month, more than the budget: plan the "
        "bandwidth first.",
        "목표 규모에서는 내보내는 바이트 때문에 계획의 비용이 월 약 {range}가 되어 예산을 넘습니다. 대역폭 계획부터 "
        "세우세요.",
    ),
    (
        "It fits the budget only if costs land low: at the target, the bytes it serves bring the plan to about {range} "
        "a month.",
        "비용이 범위의 아래쪽에 머물 때만 예산 안에 들어옵니다. "
        "목표 규모에서는 내보내는 바이트 때문에 계획의 비용이 월 약 {range}가 됩니다.",
    ),
    (
        "Target not reachable within the budget: the plan reaches about {users} concurrent users ({share} of "
        "{target}).",
        "예산 안에서는 목표에 닿지 못합니다. 계획으로 닿는 규모는 동시 사용자 약 {users}명(목표 {target}명의 "
        "{share})입니다.",
    ),
    (
        "The target fits the budget only if costs land low: within the top of each cost range the plan reaches about "
        "{users} concurrent users ({share} of {target}); the full path costs about {range} a month.",
        "비용이 범위의 아래쪽에 머물 때만 예산 안에서 목표에 닿습니다. "
        "각 비용 범위의 상단으로 보면 계획이 닿는 규모는 동시 사용자 약 {users}명(목표 {target}명의 {share})이고, "
        "목표까지의 전체 경로는 월 약 {range}입니다.",
    ),
    ("Measure, then price it again.", "먼저 측정한 뒤 다시 가격을 매겨 보세요."),
    (
        "Reaching it costs about {range} a month (cheapest path).",
        "목표까지 가는 비용은 월 약 {range}입니다(가장 싼 경로).",
    ),
    (
        "Without the budget limit it would reach about {users} users for about {range} a month, then stop at {wall}.",
        "예산 제한이 없다면 월 약 {range}의 비용으로 사용자 약 {users}명까지 닿고, 그다음 한계는 {wall}입니다.",
    ),
    (
        "On the model's defaults, the budget stops the plan at about {users} concurrent users ({share} of {target}).",
        "모델의 기본값으로 보면 예산이 계획을 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 멈춰 세웁니다.",
    ),
    (
        "Not known yet whether these patterns reach the target: on the model's defaults they stop at about {users} "
        "concurrent users ({share} of {target}), limited by {wall}.",
        "이 패턴들로 목표에 닿는지는 아직 알 수 없습니다. "
        "모델의 기본값으로 보면 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 멈추며, 한계는 {wall}입니다.",
    ),
    (
        "Target not reached by these patterns: about {users} concurrent users ({share} of {target}), limited by "
        "{wall}.",
        "이 패턴들로는 목표에 닿지 못합니다. 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 멈추며, "
        "한계는 {wall}입니다.",
    ),
    (
        "Measure the real service demand with a load test and revisit.",
        "부하 테스트로 실제 서비스 요구 시간을 재고 다시 검토하세요.",
    ),
    (
        "The plan's ceiling, the {tier}, rests on a default utilisation: measure {what} first.",
        "계획의 한계인 {tier} 수치는 측정값이 아니라 기본 사용률에서 나왔습니다. 먼저 다음을 재 보세요: {what}.",
    ),
    (
        "Budget {budget} a month: the plan adds {cost} (checked at the top of each range).",
        "월 예산 {budget}: 계획이 더하는 비용은 {cost}입니다(각 범위의 상단으로 확인).",
    ),
    ("Held back or cut down: {ids}.", "보류되거나 줄어든 항목: {ids}."),
    ("More budget a month: {steps}.", "월 예산을 늘리면: {steps}."),
    ("No monthly budget given, so nothing was held back.", "월 예산이 주어지지 않아 보류한 항목이 없습니다."),
    ("The plan adds {cost}.", "계획이 더하는 비용은 {cost}입니다."),
    (
        "No exchange rate for {currency}: costs are in USD and the budget was not applied.",
        "{currency} 환율이 없어 비용은 USD로 표시했고 예산은 적용하지 않았습니다.",
    ),
    (
        "{tier}: about {percent} busy at today's peak of ~{rps} requests/s",
        "{tier}: 오늘 피크(초당 약 {rps}건 요청)에서 사용률 약 {percent}",
    ),
    ("{name}: {current} → {target} concurrent users", "{name}: 동시 사용자 {current}명 → {target}명"),
    (
        "Budget {total} a month, of which you spend about {spend} today: {budget} for the plan, which adds {cost} "
        "(checked at the top of each range).",
        "월 예산 {total}(지금 쓰는 비용 약 {spend}, 계획에 쓸 몫 {budget}): 계획이 더하는 비용은 {cost}입니다"
        "(각 범위의 상단으로 확인).",
    ),
    # The OpenAI engine's summary (drafts.py): the same figures from the same model, worded a little differently.
    (
        "Target reached after stage {n}: about {users} concurrent users expected against {target} (scale-review's "
        "model).",
        "{n}단계를 마치면 목표에 닿습니다. 목표 {target}명에 대해 동시 사용자 약 {users}명을 예상합니다"
        "(scale-review 모델 기준).",
    ),
    (
        "Target not reached by this plan: about {users} concurrent users ({share} of {target}), limited by the "
        "{tier} (scale-review's model).",
        "이 계획으로는 목표에 닿지 못합니다. 동시 사용자 약 {users}명(목표 {target}명의 {share})에서 {tier} 계층에 "
        "막힙니다(scale-review 모델 기준).",
    ),
    ("The plan adds {cost}; no budget was applied.", "계획이 더하는 비용은 {cost}이며, 예산은 적용하지 않았습니다."),
    ("Budget {budget} a month: the plan adds {cost}.", "월 예산 {budget}: 계획이 더하는 비용은 {cost}입니다."),
    (
        "That is over budget at mid-range; the engine did not hold anything back.",
        "범위의 중간값으로 보면 예산을 넘지만, 엔진이 보류한 항목은 없습니다.",
    ),
)
# The assumptions rules/generate.py adds after the capacity model's and the prices' own (those are worded where made).
ASSUMPTIONS: tuple[tuple[str, str], ...] = (
    (
        "Catalogue prices are in USD, converted at about {rate} {currency} per USD ({date} rates).",
        "카탈로그 가격은 USD 기준이며, 1 USD당 약 {rate} {currency}로 환산했습니다({date} 환율).",
    ),
)
# The planner's re-size items (more of a fleet the team or an earlier item already has): titles, steps, checks.
RESIZE_TITLES: tuple[tuple[str, str], ...] = (
    (
        "Grow the {label} from {units_from} to {units} in each of the {shards} shards",
        "샤드 {shards}개마다 {label} 규모를 {units_from}{c}에서 {units}{c}로 늘리기",
    ),
    ("Grow the {label} from {units_from} to {units}", "{label} 규모를 {units_from}{c}에서 {units}{c}로 늘리기"),
    (
        "Grow the {label} from {units_from}x to {units}x today's fleet",
        "{label} 규모를 현재의 {units_from}배에서 {units}배로 늘리기",
    ),
)
RESIZE_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Add the {label} in two or three steps (about a third each), watching p95 latency, errors and the "
        "busiest tier after every step.",
        "{label} 증설은 두세 번에 나눠(한 번에 1/3 정도) 하고, 매번 p95 지연, 에러, 가장 바쁜 계층을 지켜봅니다.",
    ),
    (
        "Raise the autoscaling or capacity limits to {units} {label} and keep one extra for failures if you run "
        "close to the ceiling.",
        "오토스케일링이나 용량 한도를 {label} {units}{c}까지 올리고, 한계 가까이에서 운영한다면 장애에 대비해 "
        "여분을 하나 더 둡니다.",
    ),
    (
        "Re-run the load test at this stage's goal and feed the measured throughput back into the plan.",
        "이 단계의 목표치로 부하 테스트를 다시 돌리고, 측정한 처리량을 계획에 반영합니다.",
    ),
)
RESIZE_VERIFY: tuple[tuple[str, str], ...] = (
    (
        "A load test at this stage's goal passes with {units} {label}, p95 within the objective.",
        "이 단계의 목표치로 돌린 부하 테스트를 {label} {units}{c}로 통과하고, p95가 목표 안에 있습니다.",
    ),
    (
        "Throughput rose with the added units (if it did not, the tier is not the limit: stop adding).",
        "늘린 만큼 처리량이 올랐습니다(오르지 않았다면 그 계층은 병목이 아니니 증설을 멈춥니다).",
    ),
)
# Growing the database by instance sizes after an earlier size-up (planning/effects.py, _size_text).
SIZE_TITLES: tuple[tuple[str, str], ...] = (
    (
        "Grow the database by {n} more instance size ({units}x today's vCPU and memory)",
        "데이터베이스 인스턴스를 {n}단계 더 키우기(vCPU와 메모리를 현재의 {units}배로)",
    ),
    (
        "Grow the database by {n} more instance sizes ({units}x today's vCPU and memory)",
        "데이터베이스 인스턴스를 {n}단계 더 키우기(vCPU와 메모리를 현재의 {units}배로)",
    ),
)
SIZE_STEPS: tuple[tuple[str, str], ...] = (
    (
        "Check first that the database is short of CPU, memory or IO at peak rather than waiting on locks; a "
        "bigger node does nothing for lock waits.",
        "먼저 피크 때 데이터베이스가 락을 기다리는 것이 아니라 CPU, 메모리, IO가 모자란 것인지 확인합니다. 더 큰 "
        "노드는 락 대기에는 도움이 되지 않습니다.",
    ),
    (
        "Grow one size at a time in a low-traffic window (with a standby the change is a short failover), "
        "replicas to the same size, and raise the memory settings with it.",
        "트래픽이 적은 시간에 한 단계씩 키우고(스탠바이가 있으면 짧은 페일오버로 끝납니다), 레플리카도 같은 크기로 "
        "맞추며, 메모리 설정도 함께 올립니다.",
    ),
    (
        "Re-run the load test after each size and stop when the database is no longer the tier that binds.",
        "한 단계 키울 때마다 부하 테스트를 다시 돌리고, 데이터베이스가 더 이상 병목 계층이 아니면 멈춥니다.",
    ),
)
SIZE_VERIFY: tuple[tuple[str, str], ...] = (
    (
        "Database CPU at this stage's peak is at or below 70% after the change.",
        "바꾼 뒤 이 단계의 피크에서 데이터베이스 CPU가 70% 이하입니다.",
    ),
    (
        "Throughput rose with the size (if it did not, the node is not the limit: stop growing it).",
        "키운 만큼 처리량이 올랐습니다(오르지 않았다면 노드 크기가 한계가 아니니 더 키우지 않습니다).",
    ),
)
