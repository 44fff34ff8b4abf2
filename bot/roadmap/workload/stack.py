"""The stack read from the architecture answers: database family, runtime, managed or self-run, small hosts,
a managed load balancer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.roadmap.reading.facts import ArchitectureFacts
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.schema import SystemProfile

# Stack words, read from the architecture answers.
_DB: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "mysql": (("mysql", "mariadb", "aurora mysql", "percona"), ("마이에스큐엘",)),
    "postgresql": (("postgresql", "postgres", "aurora postgresql", "pgbouncer"), ("포스트그레스",)),
    "mongodb": (("mongodb", "mongo", "documentdb"), ("몽고",)),
}
_RUNTIME: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "jvm": (("spring", "spring boot", "java", "kotlin", "tomcat", "hikaricp"), ("스프링",)),
    "python": (("django", "flask", "fastapi", "gunicorn", "uvicorn", "python", "celery"), ("장고",)),
    "ruby": (("rails", "ruby", "puma", "sidekiq", "unicorn"), ("레일즈",)),
    "node": (("node.js", "node", "express", "nestjs", "socket.io", "next.js"), ("노드",)),
    "php": (("php", "php-fpm", "wordpress", "laravel"), ()),
    "go": (("go api", "golang", "go services", "go api pods"), ()),
}
_MANAGED_DB = (
    ("rds", "aurora", "cloud sql", "azure database", "managed database", "alloydb", "planetscale", "supabase", "neon"),
    ("관리형",),
)
_SMALL_HOST = (
    ("droplet", "lightsail", "linode", "vps", "same box", "same droplet", "same instance"),
    ("같은 인스턴스",),
)
_MANAGED_LB = (
    (
        "alb",
        "nlb",
        "elb",
        "application load balancer",
        "network load balancer",
        "cloud load balancer",
        "google cloud load balancer",
        "azure front door",
        "alb ingress",
    ),
    ("로드밸런서(ALB)",),
)


_SELF_MANAGED = (
    ("self-managed", "self managed", "on a vm", "on an i3", "installed on", "own vm", "hetzner"),
    ("설치",),
)


@dataclass(frozen=True)
class Stack:
    database: str | None  # mysql | postgresql | mongodb
    runtime: str | None  # jvm | python | ruby | node | php | go
    managed_db: bool
    small_host: bool  # a droplet, a Lightsail box, a VPS: no cloud instance classes
    self_managed_db: bool
    managed_lb: bool = False  # ALB, NLB, a cloud load balancer: it scales itself


def _first(text: str, table: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> str | None:
    """The key whose phrase appears earliest in the text (the main engine is usually named first)."""
    lowered = text.lower()
    best: tuple[int, str] | None = None
    for key, (english, korean) in table.items():
        for phrase in find_phrases(text, english, korean):
            pos = lowered.find(phrase)
            if best is None or pos < best[0]:
                best = (pos, key)
    return best[1] if best else None


_ENGINE_FAMILY = (("mysql", "mysql"), ("mariadb", "mysql"), ("postgres", "postgresql"), ("mongo", "mongodb"))
_LANGUAGES = frozenset({"jvm", "python", "ruby", "node", "php", "go"})


def read_stack(profile: SystemProfile, facts: ArchitectureFacts | None = None) -> Stack:
    """Database family, runtime and hosting: the fact reader's answer first, this module's phrases otherwise."""
    arch = profile.architecture
    engine = getattr(facts, "db_engine", None) or ""
    database = next((family for word, family in _ENGINE_FAMILY if word in engine), None)
    database = database or _first(arch.database, _DB) or _first(arch.servers, _DB)
    language = getattr(facts, "language", None)
    runtime = language if language in _LANGUAGES else _first(arch.servers, _RUNTIME)
    small = bool(find_phrases(f"{arch.servers}\n{arch.database}", *_SMALL_HOST))
    db_managed = getattr(facts, "db_managed", None)
    managed = db_managed if isinstance(db_managed, bool) else bool(find_phrases(arch.database, *_MANAGED_DB))
    self_managed = not managed and (small or bool(find_phrases(arch.database, *_SELF_MANAGED)))
    balancer = bool(find_phrases(f"{arch.servers}\n{arch.network or ''}", *_MANAGED_LB))
    return Stack(database, runtime, managed, small, self_managed, balancer)
