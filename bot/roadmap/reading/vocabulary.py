"""Words that name machines, replicas, standbys, units and roles ("DB", "Redis", "워커"), tested per distinct word.

A test on one token depends only on its kind and text, so each is cached by word (`per_word`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import Any, TypeVar

from bot.roadmap.reading.tokens import Token

_R = TypeVar("_R")


def split_words(text: str) -> tuple[str, ...]:
    """A vocabulary written compactly, phrases separated by '|' ("load balancer|alb|elb")."""
    return tuple(text.split("|"))


HOST_NOUNS = frozenset(
    split_words(
        "server|servers|instance|instances|node|nodes|vm|vms|machine|machines|box|boxes|host|hosts|"
        "droplet|droplets|container|containers|pod|pods|dyno|dynos|task|tasks|ec2|linode|linodes|vps"
    )
)
HOST_NOUNS_KO = ("서버", "인스턴스", "노드", "파드", "머신", "컨테이너", "호스트", "장비")
_REPLICA_NOUNS = frozenset(
    split_words(
        "replica|replicas|read-replica|read-replicas|reader|readers|slave|slaves|secondary|secondaries|"
        "follower|followers"
    )
)
_REPLICA_NOUNS_KO = ("레플리카", "리플리카", "복제본", "슬레이브")
_STANDBY_NOUNS = frozenset({"standby", "standbys", "stand-by"})
_STANDBY_NOUNS_KO = ("스탠바이",)
_STANDBY_MARKS = frozenset(
    {"standby", "hot", "warm", "sync", "synchronous", "failover", "ha", "passive", "multi-az", "multiaz", "dr"}
)
_STANDBY_MARKS_KO = ("스탠바이", "대기", "페일오버", "동기", "이중화")
_READ_MARKS = frozenset(
    {"read", "reads", "reading", "reporting", "analytics", "read-only", "readable", "reader", "readers"}
)
_READ_MARKS_KO = ("읽기", "조회", "리드")
_UNIT_WORDS = frozenset(
    split_words(
        "vcpu|vcpus|cpu|cpus|core|cores|vcore|vcores|gb|gib|tb|tib|mb|g|ms|s|sec|secs|seconds|min|mins|"
        "minutes|hours|rps|qps|tps|req|requests|users|user|percent|x|gbps|mbps|years|months|weeks|days"
    )
)
# Role words: which tier a count or a figure belongs to ("2 DB servers", "Redis CPU 90%").
_ROLE_WORDS: dict[str, frozenset[str]] = {
    "database": frozenset(
        split_words(
            "db|dbs|database|databases|mysql|postgres|postgresql|pg|rds|aurora|mongo|mongodb|mariadb|primary|"
            "master|writer|sql|dynamodb|cassandra"
        )
    ),
    "cache": frozenset({"redis", "memcached", "memcache", "elasticache", "cache", "valkey"}),
    "worker": frozenset({"celery", "sidekiq", "batch", "job", "jobs", "cron", "consumer", "consumers", "background"}),
    "proxy": frozenset({"nginx", "haproxy", "proxy", "proxies", "lb", "balancer", "balancers", "envoy", "traefik"}),
    "search": frozenset({"elasticsearch", "opensearch", "solr"}),
    "queue": frozenset({"kafka", "rabbitmq", "broker", "brokers", "zookeeper"}),
    "network": frozenset({"bandwidth", "network", "egress", "nic", "uplink"}),
    "app": frozenset(
        split_words(
            "app|apps|api|apis|web|application|backend|django|flask|fastapi|rails|ruby|python|java|kotlin|"
            "spring|boot|php|php-fpm|laravel|gunicorn|uwsgi|puma|unicorn|tomcat|node.js|nodejs|express|"
            "nestjs|jvm|go|golang|was|frontend|worker|workers"
        )
    ),
}
_ROLE_WORDS_KO: dict[str, tuple[str, ...]] = {
    "database": ("디비", "데이터베이스", "마스터", "프라이머리"),
    "cache": ("캐시", "레디스"),
    "worker": ("배치", "워커"),
    "proxy": ("로드밸런서", "프록시", "엔진엑스"),
    "network": ("네트워크", "대역폭"),
    "app": ("웹", "앱", "백엔드", "애플리케이션", "스프링", "장고", "레일즈"),
}
_ROLE_OF: dict[str, str] = {w: role for role, words in _ROLE_WORDS.items() for w in words}
FIELD_ROLE = {"servers": "app", "database": "database", "network": "network", "bottlenecks": None}


@dataclass(slots=True)
class _Word:
    """What a vocabulary test looks at: the same for every occurrence of a word, so it is cached."""

    kind: str
    text: str
    low: str


def per_word(test: Callable[[Any], _R]) -> Callable[[Token], _R]:
    @lru_cache(maxsize=8192)
    def cached(kind: str, text: str, low: str) -> _R:
        return test(_Word(kind, text, low))

    @wraps(test)
    def run(tok: Token) -> _R:
        return cached(tok.kind, tok.text, tok.low)

    return run


@per_word
def role_of(tok: Token) -> str | None:
    if tok.kind == "id":
        if tok.low == "go" and tok.text != "Go":
            return None  # "go down": only the capitalised name is the language
        return _ROLE_OF.get(tok.low)
    if tok.kind == "kw":
        for role, words in _ROLE_WORDS_KO.items():
            if any(w in tok.text for w in words):
                return role
    return None


@per_word
def kind_of_noun(tok: Token) -> str | None:
    """host | replica | standby | instance: what a counted noun is."""
    if tok.kind == "id":
        if tok.low in HOST_NOUNS or tok.text == "WAS":  # WAS: a Korean team's word for its app servers
            return "host"
        if tok.low in _REPLICA_NOUNS:
            return "replica"
        if tok.low in _STANDBY_NOUNS:
            return "standby"
        if is_instance_type(tok.low):
            return "instance"
    elif tok.kind == "kw":
        if any(w in tok.text for w in _REPLICA_NOUNS_KO):
            return "replica"
        if any(w in tok.text for w in _STANDBY_NOUNS_KO):
            return "standby"
        if any(w in tok.text for w in HOST_NOUNS_KO):
            return "host"
    return None


@per_word
def is_unit(tok: Token) -> bool:
    return tok.low in _UNIT_WORDS or tok.text in ("%", "코어", "퍼센트") or tok.text.startswith(("명", "코어"))


@per_word
def standby_mark(tok: Token) -> bool:
    return tok.low in _STANDBY_MARKS or (tok.kind == "kw" and any(w in tok.text for w in _STANDBY_MARKS_KO))


@per_word
def read_mark(tok: Token) -> bool:
    return tok.low in _READ_MARKS or (tok.kind == "kw" and any(w in tok.text for w in _READ_MARKS_KO))


# Instance types: AWS (m6i.large, db.r6g.4xlarge, cache.t3.small), GCP (n2-standard-4, db-custom-4-16384),
# Azure (standard_d4s_v3), DigitalOcean slugs (s-2vcpu-4gb), Hetzner (cx21, cpx31). Applied to one
# token of at most 40 characters, so each test is bounded.
_INSTANCE_PATTERNS = (
    re.compile(
        r"(?:(?:db|cache)\.)?[a-z]{1,3}\d[a-z0-9-]{0,6}\.(?:nano|micro|small|medium|large|xlarge|\d{1,2}xlarge|metal)"
    ),
    re.compile(r"[a-z]\d[a-z]?-(?:standard|highmem|highcpu|micro|small|medium)(?:-\d{1,3})?"),
    re.compile(r"db-(?:custom|[a-z]\d-standard|[a-z]\d-highmem)(?:-\d{1,6}){1,2}"),
    re.compile(r"standard_[a-z]{1,2}\d{1,3}[a-z]{0,4}(?:_v\d)?"),
    re.compile(r"s-\d{1,2}vcpu-\d{1,3}gb(?:-[a-z0-9]{1,8})?"),
    re.compile(r"c[cp]?x\d{2}"),
)


@lru_cache(maxsize=4096)
def is_instance_type(word: str) -> bool:
    return len(word) <= 40 and any(p.fullmatch(word) for p in _INSTANCE_PATTERNS)


GENERIC_NOUNS = HOST_NOUNS | {"worker", "workers", "process", "processes"}
