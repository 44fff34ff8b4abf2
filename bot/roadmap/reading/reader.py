"""Reading all the answers at once into ArchitectureFacts: each step of the read, in order, and the machine counts."""

from __future__ import annotations

from bot.roadmap.reading.answers import ARCH_FIELDS, prepare
from bot.roadmap.reading.components import note_components, note_kinds
from bot.roadmap.reading.counts import read_counts
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.reading.hosting import note_hosting, note_regions
from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.prices import note_money
from bot.roadmap.reading.replicas import read_replicas
from bot.roadmap.reading.sizes import note_sizes
from bot.roadmap.reading.stack import note_database, note_runtime
from bot.roadmap.reading.users import note_users
from bot.roadmap.reading.utilisation import note_utilisation
from bot.roadmap.schema import SystemProfile


def extract_facts(profile: SystemProfile) -> ArchitectureFacts:
    """Everything the engine reads from the profile's free text, with the phrase each fact came from."""
    arch = profile.architecture
    return read_answers(
        database=arch.database,
        servers=arch.servers,
        network=arch.network or "",
        bottlenecks=profile.bottlenecks,
        features="\n".join(profile.core_features),
        constraints=profile.budget.constraints or "",
        error_rate_pct=profile.measurements.error_rate_pct,
    )


def read_answers(
    database: str = "",
    servers: str = "",
    network: str = "",
    bottlenecks: str = "",
    features: str = "",
    constraints: str = "",
    error_rate_pct: float | None = None,
) -> ArchitectureFacts:
    """The reader on plain answers (the profile's fields), each cut to MAX_READ_CHARS first."""
    raw = {
        "database": database,
        "servers": servers,
        "network": network,
        "bottlenecks": bottlenecks,
        "features": features,
        "constraints": constraints,
    }
    book = Notebook({name: prepare(name, text or "") for name, text in raw.items()})
    note_kinds(book, error_rate_pct)
    note_components(book)
    _note_counts(book)
    note_database(book)
    note_runtime(book)
    note_hosting(book)
    note_sizes(book)
    note_regions(book)
    note_money(book)
    note_users(book)
    note_utilisation(book)
    return book.result()


def _note_counts(book: Notebook) -> None:
    """App servers, read replicas and standbys."""
    counts = {name: read_counts(book.fields[name].text, book.fields[name].toks, name) for name in ARCH_FIELDS}
    app_counts = [c for name in ARCH_FIELDS for c in counts[name] if c.role == "app"]
    chosen = [c for c in app_counts if not c.bare] or app_counts
    app_servers, app_range = 1, None
    if chosen:
        best = max(chosen, key=lambda c: c.number.value)
        app_servers = max(1, round(best.number.value))
        note = ""
        if best.number.low is not None:
            app_range = (max(1, round(best.number.low)), app_servers)
            note = "the top of the range: a range is usually at its top at peak, and per-server load stays conservative"
        if len({round(c.number.value) for c in chosen}) > 1:
            note = (note + "; " if note else "") + "the largest of the counts written"
        book.read("app_servers", app_servers, best.source, note)
    book.values.update(app_servers=app_servers, app_servers_range=app_range, app_servers_stated=bool(chosen))
    replicas, standbys, notes = read_replicas(book.fields, counts)
    for fact, key, (count, source), note in (
        (Fact.HAS_READ_REPLICAS, "db_replicas", replicas, notes[0]),
        (Fact.HAS_STANDBY, "db_standbys", standbys, notes[1]),
    ):
        book.values[key] = count
        if count:
            book.facts.add(fact)
            book.read(key, count, source, note)
        elif source:  # "no replicas": said missing
            book.absent.add(fact)
            book.read(key, 0, source)
