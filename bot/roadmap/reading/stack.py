"""The database engine (with its version and who runs it) and the app's runtime, as written."""

from __future__ import annotations

from bot.roadmap.reading.answers import ARCH_FIELDS
from bot.roadmap.reading.notebook import Notebook
from bot.roadmap.reading.phrases import phrase_hits
from bot.roadmap.reading.quotes import excerpt, quote_tokens
from bot.roadmap.reading.tokens import Token
from bot.roadmap.reading.vocabulary import is_unit, per_word, split_words


@per_word
def names_a_version(tok: Token) -> bool:
    """A runtime or engine name, after which a number is its version."""
    if tok.kind == "kw":
        return any(tok.text.startswith(w) for w in _RUNTIMES_KO) or any(tok.text.startswith(w) for w in _DB_ENGINES_KO)
    return tok.low in _RUNTIMES or tok.low in _DB_ENGINES or tok.text in ("Node", "Go")


_DB_ENGINES: dict[str, str] = {
    word: value
    for value, words in {
        "postgresql": "postgres|postgresql|psql|timescaledb|supabase|citus",
        "mysql": "mysql|percona|planetscale|vitess",
        "mariadb": "mariadb",
        "aurora": "aurora",
        "mongodb": "mongodb|mongo",
        "documentdb": "documentdb",
        "dynamodb": "dynamodb",
        "firestore": "firestore",
        "couchbase": "couchbase",
        "cassandra": "cassandra",
        "scylladb": "scylladb|scylla",
        "sqlite": "sqlite",
        "cockroachdb": "cockroachdb",
        "yugabytedb": "yugabytedb",
        "tidb": "tidb",
        "sqlserver": "mssql",
        "oracle": "oracle",
        "spanner": "spanner",
        "clickhouse": "clickhouse",
    }.items()
    for word in words.split("|")
}
_DB_ENGINES_KO: dict[str, str] = {
    "포스트그레": "postgresql",
    "마이에스큐엘": "mysql",
    "마이SQL": "mysql",
    "몽고": "mongodb",
    "마리아": "mariadb",
    "오라클": "oracle",
}
_MANAGED_DB = (
    split_words(
        "rds|aurora|cloud sql|cloudsql|alloydb|atlas|azure database|azure sql|planetscale|supabase|"
        "dynamodb|firestore|cosmos db|cosmosdb|spanner|documentdb|managed|heroku postgres|elephantsql"
    ),
    ("관리형", "매니지드"),
)
_SELF_MANAGED_DB = (
    split_words(
        "self-managed|self managed|self-hosted|self hosted|vm|vms|ec2|droplet|bare metal|bare-metal|"
        "on-prem|on-premises|on premises|installed|docker|same server|same box|same machine|"
        "the app server|lightsail|compute engine|vps"
    ),
    ("직접 설치", "직접 운영", "자체 운영", "설치형", "온프레미스", "같은 서버", "물리 서버"),
)
# key -> (runtime, language); a framework names itself, a language or app server names the language.
_RUNTIMES: dict[str, tuple[str, str]] = {
    word: (runtime, language)
    for runtime, language, words in (
        ("django", "python", "django"),
        ("flask", "python", "flask"),
        ("fastapi", "python", "fastapi"),
        ("python", "python", "gunicorn|uwsgi|uvicorn|python"),
        ("rails", "ruby", "rails"),
        ("ruby", "ruby", "puma|unicorn|ruby"),
        ("sinatra", "ruby", "sinatra"),
        ("spring", "jvm", "spring"),
        ("quarkus", "jvm", "quarkus"),
        ("micronaut", "jvm", "micronaut"),
        ("java", "jvm", "tomcat|java|jvm"),
        ("kotlin", "jvm", "kotlin"),
        ("scala", "jvm", "scala"),
        ("node", "node", "node.js|nodejs"),
        ("express", "node", "express|express.js"),
        ("nestjs", "node", "nestjs"),
        ("nextjs", "node", "next.js"),
        ("deno", "node", "deno"),
        ("php", "php", "php|php-fpm"),
        ("laravel", "php", "laravel"),
        ("symfony", "php", "symfony"),
        ("wordpress", "php", "wordpress"),
        ("go", "go", "golang"),
        ("dotnet", "dotnet", "asp.net|dotnet"),
        ("elixir", "elixir", "elixir"),
        ("phoenix", "elixir", "phoenix"),
    )
    for word in words.split("|")
}
_LANGUAGE_KEYS = frozenset({"python", "ruby", "java", "kotlin", "scala", "node", "php", "go", "dotnet", "elixir"})
_RUNTIMES_KO: dict[str, tuple[str, str]] = {
    "장고": ("django", "python"),
    "파이썬": ("python", "python"),
    "스프링": ("spring", "jvm"),
    "자바": ("java", "jvm"),
    "코틀린": ("kotlin", "jvm"),
    "레일즈": ("rails", "ruby"),
    "루비": ("ruby", "ruby"),
    "라라벨": ("laravel", "php"),
}


def _engines(toks: list[Token]) -> list[tuple[str, int, int, str | None]]:
    """(engine, first token, last token, version) in the order written; "Aurora MySQL" is one engine."""
    found: list[tuple[str, int, int, str | None]] = []
    skip = -1
    for i, tok in enumerate(toks):
        if i <= skip:
            continue
        engine = None
        if tok.kind == "id":
            engine = _DB_ENGINES.get(tok.low)
            if tok.low == "sql" and i > 0 and toks[i - 1].low == "server":
                engine = None
            if tok.low == "server" and i > 0 and toks[i - 1].low == "sql":
                engine = "sqlserver"
            if tok.low == "db" and i > 0 and toks[i - 1].low == "cosmos":
                engine = "cosmosdb"
            if tok.low == "oracle" and i + 1 < len(toks) and toks[i + 1].low == "cloud":
                engine = None
        elif tok.kind == "kw":
            engine = next((e for w, e in _DB_ENGINES_KO.items() if tok.text.startswith(w)), None)
        if engine is None:
            continue
        if engine == "aurora":
            for k in range(i + 1, min(len(toks), i + 6)):
                other = _DB_ENGINES.get(toks[k].low)
                if other in ("mysql", "postgresql"):
                    engine = f"aurora-{other}"
                    skip = k
                    break
        version = None
        after = skip + 1 if skip > i else i + 1
        if (after < len(toks) and toks[after].kind == "num" and not toks[after].glued) or (
            after < len(toks)
            and toks[after].kind == "id"
            and toks[after].low[:1] == "v"
            and toks[after].low[1:].replace(".", "").isdigit()
        ):
            candidate = toks[after].low.lstrip("v")
            nxt = toks[after + 1] if after + 1 < len(toks) else None
            if len(candidate) <= 5 and not (nxt is not None and (is_unit(nxt) or nxt.text == "%")):
                version = candidate
        first = i - 1 if tok.low == "server" else i  # "SQL Server"
        found.append((engine, first, after if version else after - 1, version))
    return found


def _runtimes(toks: list[Token]) -> list[tuple[str, str, int]]:
    """(runtime, language, token index) in the order written."""
    found: list[tuple[str, str, int]] = []
    for i, tok in enumerate(toks):
        pair = None
        if tok.kind == "id":
            pair = _RUNTIMES.get(tok.low)
            if tok.text == "Go" and not (i + 1 < len(toks) and toks[i + 1].low in ("down", "to", "live", "up", "back")):
                pair = ("go", "go")
            elif tok.text == "Node" and not (i > 0 and toks[i - 1].kind == "num"):
                pair = ("node", "node")
            elif (tok.low == "net" and tok.glued and i > 0 and toks[i - 1].text == ".") or (
                tok.low == "c" and i + 1 < len(toks) and toks[i + 1].text == "#" and toks[i + 1].glued
            ):
                pair = ("dotnet", "dotnet")
        elif tok.kind == "kw":
            pair = next((v for w, v in _RUNTIMES_KO.items() if tok.text.startswith(w)), None)
        if pair is not None:
            found.append((pair[0], pair[1], i))
    return found


def note_database(book: Notebook) -> None:
    """Engine, version and whether the team runs the database itself."""
    engines: list[tuple[str, str | None, str]] = []
    for name in ARCH_FIELDS:
        f = book.fields[name]
        for engine, first_tok, last_tok, version in _engines(f.toks):
            if engine == "oracle" and name != "database":
                continue
            engines.append((engine, version, quote_tokens(f.text, f.toks, first_tok, last_tok)))
    db_engines = tuple(dict.fromkeys(e for e, _, _ in engines))
    book.values.update(db_engines=db_engines, db_engine=db_engines[0] if db_engines else None)
    if engines:
        engine, version, source = engines[0]
        book.values["db_version"] = version
        book.read("db_engine", engine, source, f"version {version}" if version else "")
    db = book.fields["database"]
    self_managed = next((h for h in phrase_hits(db.lowered, *_SELF_MANAGED_DB) if not h.negated), None)
    managed = next((h for h in phrase_hits(db.lowered, *_MANAGED_DB) if not h.negated), None)
    if self_managed is not None and self_managed.phrase.startswith("self"):
        managed = None  # "self-managed" contains "managed"
    hit = managed or self_managed
    if hit is not None:
        book.values["db_managed"] = managed is not None
        book.read("db_hosting", "managed" if managed else "self-managed", excerpt(db.text, hit.start, hit.end))


def note_runtime(book: Notebook) -> None:
    """The runtime or framework, and its language."""
    runtimes: list[tuple[str, str, str]] = []
    for name in ("servers", "database", "network"):
        f = book.fields[name]
        runtimes += [(r, lang, quote_tokens(f.text, f.toks, i, i)) for r, lang, i in _runtimes(f.toks)]
    framework = next((r for r in runtimes if r[0] not in _LANGUAGE_KEYS), runtimes[0] if runtimes else None)
    book.values["runtimes"] = tuple(dict.fromkeys(r for r, _, _ in runtimes))
    if framework is not None:
        book.values.update(runtime=framework[0], language=framework[1])
        book.read("runtime", framework[0], framework[2])
