"""The questionnaire's inputs (shared/PRODUCT.md, "The questionnaire"): where each answer goes in the profile and how
Slack shows it, in one table that building the modal, reading it and placing errors all walk."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_
from bot.roadmap.schema import MAX_TEXT
from bot.slack import ids

TEXT_MAX = MAX_TEXT  # Slack's plain_text_input limit, and the profile's
NAME_MAX = 80
COUNT_MAX = 40
ERROR_MAX = 2000  # Slack shows at most this much under an input
PRIVATE_METADATA_MAX = 3000

CURRENCY_NAMES: dict[str, str] = {
    "USD": N_("US dollar"),
    "EUR": N_("Euro"),
    "GBP": N_("Pound sterling"),
    "JPY": N_("Japanese yen"),
    "KRW": N_("Korean won"),
    "CNY": N_("Chinese yuan"),
    "INR": N_("Indian rupee"),
    "CAD": N_("Canadian dollar"),
    "AUD": N_("Australian dollar"),
    "SGD": N_("Singapore dollar"),
    "CHF": N_("Swiss franc"),
    "SEK": N_("Swedish krona"),
    "BRL": N_("Brazilian real"),
    "TWD": N_("New Taiwan dollar"),
    "HKD": N_("Hong Kong dollar"),
}


@dataclass(frozen=True)
class Field:
    """One input: where its answer goes in the profile, and how Slack should present it."""

    block_id: str
    path: str  # dotted path in the profile dict (and in pydantic's error locations)
    label: str
    kind: str  # "text", "multiline", "number", "select", "channel"
    optional: bool = False
    placeholder: str | None = None
    hint: str | None = None
    max_length: int = TEXT_MAX
    min_value: str | None = None
    max_value: str | None = None


_COUNT_HINT = N_("A whole number: 1200, 1.2k, 1M or 100만 all work.")
FIELDS: tuple[Field, ...] = (
    Field(
        ids.Q_SYSTEM_NAME,
        "system_name",
        N_("System name"),
        "text",
        placeholder=N_("e.g. Checkout API"),
        max_length=NAME_MAX,
    ),
    Field(
        ids.Q_CURRENT_USERS,
        "current_users",
        N_("Concurrent users now (at peak)"),
        "text",
        placeholder=N_("e.g. 1200"),
        hint=_COUNT_HINT,
        max_length=COUNT_MAX,
    ),
    Field(
        ids.Q_TARGET_USERS,
        "target_users",
        N_("Target concurrent users"),
        "text",
        placeholder=N_("e.g. 1M"),
        hint=N_("A whole number: 1200, 1.2k, 1M or 100만 all work. It must be more than today."),
        max_length=COUNT_MAX,
    ),
    Field(
        ids.Q_CORE_FEATURES,
        "core_features",
        N_("Core features"),
        "multiline",
        placeholder=N_("News feed\nImage uploads\nReal-time chat"),
        hint=N_("One per line; up to 30."),
    ),
    Field(
        ids.Q_DATABASE,
        "architecture.database",
        N_("Database"),
        "multiline",
        placeholder=N_("e.g. PostgreSQL 15 on RDS db.r6g.large, 1 read replica"),
        hint=N_("Engine, size, replicas, cache if any."),
    ),
    Field(
        ids.Q_SERVERS,
        "architecture.servers",
        N_("Servers"),
        "multiline",
        placeholder=N_("e.g. 4 × 2 vCPU containers, Django + gunicorn, on ECS"),
        hint=N_("Count, size, runtime, hosting."),
    ),
    Field(
        ids.Q_NETWORK,
        "architecture.network",
        N_("Network"),
        "multiline",
        optional=True,
        placeholder=N_("e.g. ALB, no CDN, one region (eu-west-1)"),
        hint=N_("Load balancer, CDN, regions."),
    ),
    Field(
        ids.Q_BOTTLENECKS,
        "bottlenecks",
        N_("Bottlenecks and symptoms"),
        "multiline",
        placeholder=N_("e.g. DB CPU hits 100% at peak; p95 goes above 3 s; the site falls over on launches"),
        hint=N_("What breaks first and how you notice: the roadmap starts from here."),
    ),
    Field(
        ids.Q_BUDGET_AMOUNT,
        "budget.monthly_amount",
        N_("Monthly budget for infrastructure"),
        "text",
        optional=True,
        placeholder=N_("e.g. 5000"),
        hint=N_("An amount per month; leave empty if there is no limit."),
        max_length=COUNT_MAX,
    ),
    Field(ids.Q_BUDGET_CURRENCY, "budget.currency", N_("Budget currency"), "select"),
    Field(
        ids.Q_BUDGET_CONSTRAINTS,
        "budget.constraints",
        N_("Budget and team constraints"),
        "multiline",
        optional=True,
        placeholder=N_("e.g. two backend engineers, no DBA; no managed Kubernetes"),
    ),
    Field(
        ids.Q_PEAK_RPS,
        "measurements.peak_rps",
        N_("Peak requests per second"),
        "number",
        optional=True,
        hint=N_("If you have it: it makes the capacity model much sharper."),
        min_value="0",
        max_value="1000000000",
    ),
    Field(
        ids.Q_P95_LATENCY,
        "measurements.p95_latency_ms",
        N_("p95 latency at peak (ms)"),
        "number",
        optional=True,
        min_value="0",
        max_value="600000",
    ),
    Field(
        ids.Q_ERROR_RATE,
        "measurements.error_rate_pct",
        N_("Error rate at peak (%)"),
        "number",
        optional=True,
        min_value="0",
        max_value="100",
    ),
)
BY_PATH: dict[str, Field] = {f.path: f for f in FIELDS}
# Errors about a whole object land on its first input.
PARENTS: dict[str, str] = {
    "architecture": ids.Q_DATABASE,  # also where the sanity gates' "architecture" findings go
    "budget": ids.Q_BUDGET_AMOUNT,
    "measurements": ids.Q_PEAK_RPS,
}


CHANNEL_BLOCK = ids.Q_CHANNEL  # where "I'm not in that channel" goes


def channel_error_block_id() -> str:
    """The channel input's block id, for errors such as "I'm not in that channel"."""
    return ids.Q_CHANNEL
