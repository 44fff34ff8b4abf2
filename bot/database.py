"""Opening the database at start: the embedded SQLite migrates itself, PostgreSQL must be current.

Upgrading a shared PostgreSQL from whichever bot instance starts first would race other
instances, so there it is an explicit operator step (`scale-review db upgrade`).
"""

from __future__ import annotations

from bot.config import ConfigError, Settings
from storage import Database


async def open_database(settings: Settings) -> Database:
    database = Database(settings.database_url)
    try:
        if database.dialect == "sqlite":
            await database.upgrade()
        elif not await database.is_up_to_date():
            current = await database.current_revision()
            head = await database.head_revision()
            raise ConfigError(
                f"DATABASE_URL: the schema is at revision {current or 'none'}, this version needs {head}; "
                "run `scale-review db upgrade`"
            )
    except ConfigError:
        await database.dispose()
        raise
    except Exception as exc:
        await database.dispose()
        raise ConfigError(f"DATABASE_URL: cannot open {database.url}: {type(exc).__name__}: {exc}") from exc
    return database
