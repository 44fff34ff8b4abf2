"""What the reader returns: the facts, each reading with the phrase it came from, and stated prices."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.roadmap.schema import Tier


class Fact(StrEnum):
    HAS_CACHE = "has_cache"
    HAS_CDN = "has_cdn"
    HAS_LOAD_BALANCER = "has_load_balancer"
    HAS_READ_REPLICAS = "has_read_replicas"
    HAS_STANDBY = "has_standby"  # a failover copy (Multi-AZ, hot or synchronous standby): it serves no reads
    HAS_QUEUE = "has_queue"
    HAS_AUTOSCALING = "has_autoscaling"
    HAS_MONITORING = "has_monitoring"
    HAS_CONNECTION_POOL = "has_connection_pool"
    HAS_SHARDING = "has_sharding"
    HAS_SEARCH_ENGINE = "has_search_engine"
    HAS_BACKUPS = "has_backups"
    HAS_PITR = "has_pitr"  # point-in-time restore (WAL / binlog archiving)
    MULTI_REGION = "multi_region"
    KUBERNETES = "kubernetes"
    SINGLE_SERVER = "single_server"
    RELATIONAL_DB = "relational_db"
    DOCUMENT_DB = "document_db"
    STATEFUL_SESSIONS = "stateful_sessions"
    MEDIA_HEAVY = "media_heavy"
    WRITE_HEAVY = "write_heavy"
    REALTIME = "realtime"
    OUTAGES = "outages"


# Components a team can already run: the plan builds on them instead of proposing them again.
COMPONENTS: tuple[Fact, ...] = (
    Fact.HAS_CACHE,
    Fact.HAS_CDN,
    Fact.HAS_LOAD_BALANCER,
    Fact.HAS_READ_REPLICAS,
    Fact.HAS_STANDBY,
    Fact.HAS_CONNECTION_POOL,
    Fact.HAS_QUEUE,
    Fact.HAS_AUTOSCALING,
    Fact.HAS_MONITORING,
    Fact.HAS_SHARDING,
    Fact.HAS_SEARCH_ENGINE,
    Fact.HAS_BACKUPS,
    Fact.HAS_PITR,
    Fact.MULTI_REGION,
    Fact.KUBERNETES,
)


@dataclass(frozen=True)
class Reading:
    """One thing read from the answers: `name` is stable (for code), `source` the user's own words."""

    name: str
    value: object
    source: str
    note: str = ""


@dataclass(frozen=True)
class StatedPrice:
    """A price written in the answers: per unit ('droplet $24') or a total ('we spend $1,200 a month')."""

    tier: str  # app | database | cache | network | total
    amount: float
    currency: str
    per_unit: bool
    period: str  # month | hour
    source: str

    @property
    def monthly(self) -> float:
        return self.amount * 730 if self.period == "hour" else self.amount


@dataclass(frozen=True)
class ArchitectureFacts:
    facts: frozenset[Fact]
    app_servers: int
    db_replicas: int
    tier_evidence: dict[Tier, list[str]] = field(default_factory=dict)
    quoted_utilisation: dict[Tier, float] = field(default_factory=dict)
    # Added for the calibrated model and the stack-specific advice; each has a Reading in `readings`.
    app_servers_range: tuple[int, int] | None = None  # "3-5 servers": app_servers is the top
    app_servers_stated: bool = False  # False: no count was written, app_servers is the default of 1
    db_standbys: int = 0  # failover copies that serve no reads; never in db_replicas
    absent: frozenset[Fact] = frozenset()  # components the team says it lacks ("no CDN", "캐시 없음")
    db_engine: str | None = None  # postgresql | mysql | mariadb | aurora-mysql | mongodb | dynamodb | ...
    db_engines: tuple[str, ...] = ()
    db_version: str | None = None
    db_managed: bool | None = None  # RDS/Cloud SQL/Atlas: True; on a VM, a droplet, self-hosted: False
    runtime: str | None = None  # the framework or runtime: django | rails | spring | node | php | go | ...
    language: str | None = None  # python | ruby | jvm | node | php | go | dotnet | elixir
    runtimes: tuple[str, ...] = ()
    provider: str | None = None  # aws | gcp | azure | digitalocean | hetzner | on-premises | ...
    app_hosting: str | None = None  # kubernetes | containers | serverless | paas | vm | bare-metal
    instance_types: dict[str, str] = field(default_factory=dict)  # tier -> "db.r6g.4xlarge", "m6i.large"
    vcpus: dict[str, int] = field(default_factory=dict)  # tier -> vCPUs of one server
    memory_gb: dict[str, float] = field(default_factory=dict)  # tier -> RAM of one server
    db_storage_gb: float | None = None
    regions: tuple[str, ...] = ()  # as written, normalised: "us-east-1", "seoul"
    region_area: str | None = None  # korea | japan | us-east | eu-west | ... for regional prices
    stated_prices: tuple[StatedPrice, ...] = ()
    current_monthly_spend: StatedPrice | None = None
    user_counts: dict[str, int] = field(default_factory=dict)  # registered | daily | monthly | concurrent
    other_utilisation: dict[str, float] = field(default_factory=dict)  # tiers the model lacks ("cache")
    readings: tuple[Reading, ...] = ()

    def has(self, fact: Fact) -> bool:
        return fact in self.facts

    def lacks(self, fact: Fact) -> bool:
        """The team said it does not have this ("no CDN"): stronger than not mentioning it."""
        return fact in self.absent

    @property
    def in_place(self) -> tuple[Fact, ...]:
        """Components the team already runs, in a stable order."""
        return tuple(f for f in COMPONENTS if f in self.facts)

    @property
    def region(self) -> str | None:
        return self.regions[0] if self.regions else None

    @property
    def db_family(self) -> str | None:
        """The dialect that steps and commands must be written in."""
        return _DB_FAMILY.get(self.db_engine or "")

    @property
    def registered_users(self) -> int | None:
        return self.user_counts.get("registered")

    @property
    def daily_users(self) -> int | None:
        return self.user_counts.get("daily")

    @property
    def monthly_users(self) -> int | None:
        return self.user_counts.get("monthly")


_DB_FAMILY: dict[str, str] = {
    word: value
    for value, words in {
        "postgresql": "postgresql|aurora-postgresql|cockroachdb|yugabytedb",
        "mysql": "mysql|mariadb|aurora-mysql|tidb",
        "mongodb": "mongodb|documentdb",
        "dynamodb": "dynamodb",
        "cassandra": "cassandra|scylladb",
        "sqlite": "sqlite",
        "sqlserver": "sqlserver",
        "oracle": "oracle",
    }.items()
    for word in words.split("|")
}
