"""Server sizes: vCPUs and memory of one server per tier, and the database's storage."""

from __future__ import annotations

from bot.roadmap.numbers import (
    plain_number,
)
from bot.roadmap.reading.answers import ARCH_FIELDS
from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.quotes import quote_tokens
from bot.roadmap.reading.tokens import Token, words_before
from bot.roadmap.reading.vocabulary import FIELD_ROLE, role_of

_VCPU_UNITS = frozenset({"vcpu", "vcpus", "cpu", "cpus", "core", "cores", "vcore", "vcores"})
_GB_UNITS = {"gb": 1.0, "gib": 1.0, "g": 1.0, "tb": 1024.0, "tib": 1024.0}
_MEMORY_TAGS = frozenset({"ram", "memory", "mem"})
_STORAGE_TAGS = frozenset(
    {"disk", "storage", "ssd", "nvme", "ebs", "gp2", "gp3", "io1", "io2", "hdd", "data", "volume"}
)


def _sizes(text: str, toks: list[Token], field_name: str) -> list[tuple[str, str, float, str]]:
    """(what, tier, value, quote): what is vcpus | memory_gb | storage_gb."""
    default = FIELD_ROLE.get(field_name) or "app"
    out: list[tuple[str, str, float, str]] = []
    n = len(toks)
    last_vcpu = -10
    for i, tok in enumerate(toks):
        if tok.kind != "num":
            continue
        value = plain_number(tok.text)
        if value is None or i + 1 >= n:
            continue
        j = i + 1
        if toks[j].text == "-" and j + 1 < n:
            j += 1  # "4-core"
        unit = toks[j]
        tier = next(
            (r for q in reversed(words_before(toks, i, 4)) if (r := role_of(q)) in ("database", "cache")), default
        )
        if unit.low in _VCPU_UNITS or (unit.kind == "kw" and unit.text.startswith("코어")):
            if 1 <= value <= 512:
                out.append(("vcpus", tier, value, quote_tokens(text, toks, i, j)))
                last_vcpu = j
            continue
        if unit.low not in _GB_UNITS:
            continue
        gigabytes = value * _GB_UNITS[unit.low]
        tag = None
        window = toks[j + 1 : j + 3] + words_before(toks, i, 2)
        for t in window:
            if t.low in _MEMORY_TAGS or (t.kind == "kw" and "메모리" in t.text):
                tag = "memory_gb"
                break
            if t.low in _STORAGE_TAGS or (t.kind == "kw" and any(w in t.text for w in ("디스크", "스토리지", "용량"))):
                tag = "storage_gb"
                break
        if tag is None:
            near = 0 <= i - last_vcpu <= 4 and not any(toks[k].text == "(" for k in range(last_vcpu, i))
            if near and gigabytes <= 1024:
                tag = "memory_gb"  # "8 vCPU / 32 GB": the figure after the vCPUs is memory
            elif field_name == "database":
                tag = "storage_gb"  # "PostgreSQL on RDS, 60 GB": a database's size is its data
            elif gigabytes <= 768:
                tag = "memory_gb"
        if tag is not None:
            out.append((tag, tier, gigabytes, quote_tokens(text, toks, i, j)))
    return out


def note_sizes(book: Notebook) -> None:
    """vCPUs and memory of one server per tier, and the database's storage."""
    vcpus: dict[str, int] = {}
    memory: dict[str, float] = {}
    for name in ARCH_FIELDS:
        f = book.fields[name]
        for what, tier, value, quote in _sizes(f.text, f.toks, name):
            if what == "vcpus" and tier not in vcpus:
                vcpus[tier] = int(value)
                book.read(f"vcpus:{tier}", int(value), quote)
            elif what == "memory_gb" and tier not in memory:
                memory[tier] = value
                book.read(f"memory_gb:{tier}", value, quote)
            elif what == "storage_gb" and tier == "database" and "db_storage_gb" not in book.values:
                book.values["db_storage_gb"] = value
                book.read("db_storage_gb", value, quote)
    book.values.update(vcpus=vcpus, memory_gb=memory)
