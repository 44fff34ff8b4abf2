"""The words that name the team's own tools in a lever's steps ({db_stats}, {app_workers}, {breaker_lib}...),
by database family and runtime."""

from __future__ import annotations

from bot.roadmap.workload.reader import WorkloadReading

# Words that name the team's tools in steps: {db_stats} and friends (catalogue templates).
DB_FIELDS: dict[str | None, dict[str, str]] = {
    "postgresql": {
        "db_engine": "PostgreSQL",
        "db_stats": "pg_stat_statements",
        "db_activity": "pg_stat_activity",
        "db_slowlog": "log_min_duration_statement",
        "db_online_index": "CREATE INDEX CONCURRENTLY",
        "db_exporter": "postgres_exporter",
        "db_pooler": "PgBouncer",
        "db_locks": "pg_locks joined to pg_stat_activity (wait_event_type 'Lock')",
    },
    "mysql": {
        "db_engine": "MySQL",
        "db_stats": "the performance_schema statement digests (sys.statement_analysis)",
        "db_activity": "SHOW PROCESSLIST",
        "db_slowlog": "slow_query_log with long_query_time",
        "db_online_index": "ALTER TABLE ... ADD INDEX with ALGORITHM=INPLACE, LOCK=NONE (gh-ost for very large tables)",
        "db_exporter": "mysqld_exporter",
        "db_pooler": "ProxySQL",
        "db_locks": "SHOW ENGINE INNODB STATUS and performance_schema.data_locks",
    },
    "mongodb": {
        "db_engine": "MongoDB",
        "db_stats": "the database profiler (system.profile)",
        "db_activity": "db.currentOp()",
        "db_slowlog": "the profiler's slowms threshold",
        "db_online_index": "createIndex (built online since MongoDB 4.2)",
        "db_exporter": "mongodb_exporter",
        "db_pooler": "the driver's connection pool",
        "db_locks": "db.currentOp() with waitingForLock",
    },
    None: {
        "db_engine": "the database",
        "db_stats": "the database's statement statistics (pg_stat_statements or the MySQL performance schema)",
        "db_activity": "the database's session list (pg_stat_activity or SHOW PROCESSLIST)",
        "db_slowlog": "the slow-query log",
        "db_online_index": "an online index build (CREATE INDEX CONCURRENTLY or ALGORITHM=INPLACE)",
        "db_exporter": "the database's Prometheus exporter",
        "db_pooler": "a connection pooler (PgBouncer or ProxySQL)",
        "db_locks": "the database's lock views",
    },
}
APP_WORKERS: dict[str | None, str] = {
    "python": "gunicorn or uvicorn workers",
    "ruby": "Puma workers and threads",
    "node": "Node.js processes (one per core, cluster or one per container)",
    "jvm": "Tomcat request threads and the HikariCP pool",
    "php": "PHP-FPM children (pm.max_children)",
    "go": "the server's concurrency limits and GOMAXPROCS",
    None: "app workers",
}
# A circuit-breaker library of the team's runtime (each maintained and in wide use on its platform).
BREAKERS: dict[str | None, str] = {
    "jvm": "Resilience4j",
    "python": "pybreaker, with tenacity for the bounded retries",
    "ruby": "Semian or circuitbox",
    "node": "opossum",
    "php": "Ganesha (ackintosh/ganesha)",
    "go": "sony/gobreaker",
    None: "a library for your runtime, or your service mesh's outlier detection",
}
FIELD_NAMES = frozenset({*DB_FIELDS[None], "app_workers", "breaker_lib", "spike", "spike_window"})


def stack_fields(reading: WorkloadReading) -> dict[str, str]:
    fields = dict(DB_FIELDS.get(reading.stack.database, DB_FIELDS[None]))
    fields["app_workers"] = APP_WORKERS.get(reading.stack.runtime, APP_WORKERS[None])
    fields["breaker_lib"] = BREAKERS.get(reading.stack.runtime, BREAKERS[None])
    event = reading.event
    fields["spike"] = f"{event.spike:g}x" if event and event.spike else "2x"
    window = event.window if event and event.window else None
    fields["spike_window"] = f"in the time you described ({window})" if window else "over a few minutes"
    return fields
