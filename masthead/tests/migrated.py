"""A migrated database, made once and copied: migrating a new database from nothing runs some 230 migrations (about
20 s of a core), and the suite needs one in each test process on each engine and in each benchmark it runs.

The copy is kept under `var/test-databases/` (SQLite) or as the PostgreSQL database `masthead_migrated_<key>`,
named by a digest of every installed app's migration files, so a changed or added migration makes a new one (and
the old ones are removed). Processes that want it at the same time wait for the first to make it (a file lock).
"""

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from masthead.tests.helpers import clean_environment, postgres_url

REPOSITORY = Path(__file__).resolve().parents[2]
FOLDER = Path(os.environ.get("MASTHEAD_TEST_DATABASES", REPOSITORY / "var" / "test-databases"))
PREFIX = "masthead_migrated_"


def migrations_key() -> str:
    """A digest of every installed app's migration files and Django's version: what the migrated database is."""
    import django
    from django.apps import apps

    digest = hashlib.sha256(django.get_version().encode())
    for app_config in sorted(apps.get_app_configs(), key=lambda config: config.label):
        for path in sorted(Path(app_config.path, "migrations").glob("*.py")):
            digest.update(f"{app_config.label}/{path.name}".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@contextlib.contextmanager
def _locked():
    FOLDER.mkdir(parents=True, exist_ok=True)
    with open(FOLDER / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _migrate(database_url: str) -> None:
    env = clean_environment(DATABASE_URL=database_url, DEBUG="1", MASTHEAD_VAR_DIR=str(FOLDER / "var"))
    command = [sys.executable, "-m", "masthead.cli", "migrate", "--no-input"]
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, cwd=REPOSITORY, timeout=600)  # noqa: S603


def sqlite_template() -> Path:
    """The migrated SQLite database's file (made the first time); copy it, never open it."""
    template = FOLDER / f"{PREFIX}{migrations_key()}.sqlite3"
    with _locked():
        if not template.exists():
            making = template.with_suffix(".making")
            making.unlink(missing_ok=True)
            _migrate(f"sqlite:///{making}")
            making.rename(template)
            for old in FOLDER.glob(f"{PREFIX}*.sqlite3"):
                if old != template:
                    old.unlink()
    return template


def copy_sqlite(to: Path | str) -> None:
    """A new migrated SQLite database at `to` (its journal files from an earlier one removed)."""
    to = Path(to)
    for leftover in (to, Path(f"{to}-wal"), Path(f"{to}-shm"), Path(f"{to}-journal")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(sqlite_template(), to)


def _postgres(settings: dict):
    import psycopg

    return psycopg.connect(
        dbname="postgres",
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        autocommit=True,
    )


def create_postgres(name: str, settings: dict) -> None:
    """A new migrated PostgreSQL database `name` (dropped first if it exists), copied from the template database
    on the same server, made the first time. `settings` is Django's connection settings for that server."""
    from psycopg import sql

    template = f"{PREFIX}{migrations_key()}"
    making = f"{template}_making"
    with _locked(), _postgres(settings) as server:
        made = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone()
        if not made:
            server.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(making)))
            server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(making)))
            _migrate(postgres_url(settings, making))
            server.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(making), sql.Identifier(template))
            )
            old = server.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s", [PREFIX + "%", template]
            ).fetchall()
            for (stale,) in old:
                server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(stale)))
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        server.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
