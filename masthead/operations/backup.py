"""Backups: one .tar.gz with the database, taken consistently while the site runs, and every media file; and
its restore on a fresh install. How to run them is in README.md ("Backups") and docs/operations.md."""

import contextlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from masthead.newsroom.demo import progress

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
# What the manifest counts, to compare with the restored database.
COUNTED = {
    "pages": "wagtailcore.Page",
    "revisions": "wagtailcore.Revision",
    "subscribers": "newsletters.Subscriber",
    "comments": "comments.Comment",
    "narrations": "narration.Narration",
}
ARCHIVE_NAME = re.compile(r"masthead-\d{8}T\d{6}Z\.tar\.gz")
PROGRESS_STEPS = 20  # a command's stdout ends every write with a new line: a few bars, not one per file


class BackupError(Exception):
    """A backup that cannot be written, or an archive that cannot be restored; the message says why."""


@dataclass(frozen=True)
class Restored:
    manifest: dict
    media_files: int
    counts: dict[str, tuple[int | None, int]]  # name → (in the archive, in the restored database)


def backup_default_path() -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.VAR_DIR) / "backups" / f"masthead-{stamp}.tar.gz"


def backup_write(*, path: Path | None = None, keep: int | None = None, out=None) -> Path:
    """Write the archive at `path` (a temporary file beside it until it is whole), readable by its owner only;
    with `keep`, delete all but the newest `keep` archives named like the default in its folder."""
    vendor = _vendor()
    path = Path(path or backup_default_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".masthead-backup-") as work:
        dump = Path(work) / DUMPS[vendor]
        if out is not None:
            out.write("Copying the database…")
        facts = _postgres_dump(dump) if vendor == "postgresql" else _sqlite_dump(dump)
        # After the database: a file uploaded meanwhile is only extra, where one missing would be a broken link.
        files = _media_files(media_root, skip=Path(work))
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "masthead_version": _masthead_version(),
            "database": {"engine": vendor, "file": DUMPS[vendor]},
            **facts,
            "media_files": len(files),
        }
        partial = Path(work) / "archive.tar.gz"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            with tarfile.open(fileobj=file, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
                body = json.dumps(manifest, indent=2).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mode, info.mtime = len(body), 0o600, int(datetime.now(UTC).timestamp())
                tar.addfile(info, io.BytesIO(body))
                tar.add(dump, arcname=DUMPS[vendor], recursive=False)
                for done, file_path in enumerate(files, start=1):
                    with contextlib.suppress(FileNotFoundError):  # deleted since it was listed
                        tar.add(
                            file_path, arcname=MEDIA + file_path.relative_to(media_root).as_posix(), recursive=False
                        )
                    _progress(done, len(files), "media files", out)
            file.flush()
            os.fsync(file.fileno())
        partial.chmod(0o600)
        os.replace(partial, path)
    if keep is not None:
        _prune(path.parent, keep=keep, out=out)
    return path


def archive_check(path: Path) -> dict:
    """The archive's manifest, or BackupError if it is not a Masthead backup that this site can restore."""
    with _archive_open(path) as tar:
        return _manifest_checked(tar, path)


def backup_restore(*, path: Path, confirm: Callable[[dict], bool] | None = None, out=None) -> Restored:
    """Replace this site's database and media files with the archive's, once it is checked and, when given,
    `confirm(manifest)` agreed; then migrate (an older archive is upgraded) and empty the caches."""
    vendor, media_root = _vendor(), Path(settings.MEDIA_ROOT)
    work_root = Path(settings.VAR_DIR)
    work_root.mkdir(parents=True, exist_ok=True)
    with _archive_open(path) as tar, tempfile.TemporaryDirectory(dir=work_root, prefix=".restore-") as work:
        manifest = _manifest_checked(tar, path)
        if confirm is not None and not confirm(manifest):
            raise BackupError("Nothing was restored.")
        dump = Path(work) / DUMPS[vendor]
        with tar.extractfile(DUMPS[vendor]) as source, dump.open("wb") as target:
            shutil.copyfileobj(source, target)
        if out is not None:
            out.write("Restoring the database…")
        if vendor == "postgresql":
            _postgres_restore(dump)
        else:
            _sqlite_restore(dump)
        media = [member for member in tar.getmembers() if member.isreg() and member.name.startswith(MEDIA)]
        for done, member in enumerate(media, start=1):
            _media_extract(tar, member, media_root)
            _progress(done, len(media), "media files", out)
    call_command("migrate", interactive=False, verbosity=0)
    caches["pages"].clear()
    caches["default"].clear()
    from masthead.newsroom.services import pages_changed

    pages_changed()
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        now = _facts(cursor)["counts"]
    archived = manifest.get("counts") or {}
    return Restored(manifest, len(media), {name: (archived.get(name), now[name]) for name in COUNTED})


NOT_AN_ARCHIVE = (OSError, EOFError, zlib.error, tarfile.TarError)


def _archive_open(path: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(path, "r:gz")
    except NOT_AN_ARCHIVE as error:
        raise BackupError(f"{path} is not a Masthead backup (a .tar.gz archive): {error}") from error


def _manifest_checked(tar: tarfile.TarFile, path: Path) -> dict:
    """Refuse, before anything is changed, an archive that is damaged or has no manifest, is of another format,
    database engine or newer migrations, or has a member that is not a plain file under its expected name (a
    link, a device, a path outside the media folder). Reading every member's header also reads the whole
    archive, so a truncated one is refused here too."""
    try:
        members = tar.getmembers()
        for member in members:
            _member_check(member)
        names = [member.name for member in members if member.isreg()]
        if len(names) != len(set(names)):
            raise BackupError(f"{path} holds the same file twice; it was not written by `masthead backup`.")
        if MANIFEST not in names:
            raise BackupError(f"{path} has no {MANIFEST}; it is not a Masthead backup.")
        manifest = json.loads(tar.extractfile(MANIFEST).read())
    except NOT_AN_ARCHIVE as error:
        raise BackupError(f"{path} is not a Masthead backup (a .tar.gz archive): {error}") from error
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path}: its {MANIFEST} is not JSON ({error}).") from error
    if not isinstance(manifest, dict) or not isinstance(manifest.get("format"), int):
        raise BackupError(f"{path}: its {MANIFEST} has no format version; it is not a Masthead backup.")
    if manifest["format"] != FORMAT_VERSION:
        raise BackupError(
            f"{path} is in backup format {manifest['format']}; this Masthead reads format {FORMAT_VERSION}. "
            "Restore it with the Masthead version that made it, or upgrade this one first."
        )
    database, migrations, vendor = manifest.get("database"), manifest.get("migrations"), _vendor()
    engine = database.get("engine") if isinstance(database, dict) else None
    if engine != vendor:
        raise BackupError(
            f"{path} holds a {engine} database and this site uses {vendor}: restore it on a site with the same "
            "database engine (DATABASE_URL)."
        )
    if DUMPS[vendor] not in names or not isinstance(migrations, dict):
        raise BackupError(f"{path} has no {DUMPS[vendor]} or no migrations in its manifest; it is incomplete.")
    unknown = _migrations_unknown(migrations)
    if unknown:
        raise BackupError(
            f"{path} was made by a newer Masthead (its database has migrations this code lacks: "
            f"{', '.join(unknown[:5])}). Upgrade this install to that version first."
        )
    return manifest


def _vendor() -> str:
    vendor = connections[DEFAULT_DB_ALIAS].vendor
    if vendor not in DUMPS:
        raise BackupError(f"Backups know SQLite and PostgreSQL; this site's database is {vendor}.")
    return vendor


def _masthead_version() -> str | None:
    try:
        return metadata.version("masthead")
    except metadata.PackageNotFoundError:
        return None


def _facts(cursor) -> dict:
    """The latest migration per app and the counted rows, read through any DB-API cursor (the live database,
    a PostgreSQL snapshot, an SQLite copy)."""
    cursor.execute("SELECT app, MAX(name) FROM django_migrations GROUP BY app")
    migrations = dict(sorted(cursor.fetchall()))
    counts = {}
    for name, label in COUNTED.items():
        table = apps.get_model(label)._meta.db_table
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (a model's table name)
        counts[name] = cursor.fetchone()[0]
    return {"migrations": migrations, "counts": counts}


def _migrations_unknown(migrations: dict) -> list[str]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    known |= {tuple(replaced) for migration in loader.disk_migrations.values() for replaced in migration.replaces}
    return [
        f"{app}.{name}" for app, name in migrations.items() if app in loader.migrated_apps and (app, name) not in known
    ]


def _sqlite_dump(target: Path) -> dict:
    live = Path(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"])
    if not live.is_file():
        raise BackupError(f"There is no SQLite database at {live}.")
    source = sqlite3.connect(live, timeout=20)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # in one step: one read transaction, so one consistent state of the database
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, not a WAL database
        return _facts(copy.cursor())
    finally:
        copy.close()
        source.close()


def _sqlite_restore(dump: Path) -> None:
    copy = sqlite3.connect(dump)
    try:
        if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise BackupError("The archive's SQLite database is damaged; nothing was restored.")
        connections.close_all()
        live = sqlite3.connect(connections[DEFAULT_DB_ALIAS].settings_dict["NAME"], timeout=20)
        try:
            copy.backup(live)
        finally:
            live.close()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"The archive's database could not be restored: {error}") from error
    finally:
        copy.close()


def _postgres_tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} is not on PATH: install PostgreSQL's client tools of the server's major version "
            "(Debian: apt-get install postgresql-client)."
        )
    return found


def _postgres_environment() -> dict[str, str]:
    """The connection's details for pg_dump and pg_restore, the password kept out of their command lines."""
    database = connections[DEFAULT_DB_ALIAS].settings_dict
    env = {**os.environ}
    for variable, value in {
        "PGHOST": database.get("HOST"),
        "PGPORT": database.get("PORT"),
        "PGUSER": database.get("USER"),
        "PGPASSWORD": database.get("PASSWORD"),
        "PGDATABASE": database.get("NAME"),
        "PGSSLMODE": (database.get("OPTIONS") or {}).get("sslmode"),
    }.items():
        if value:
            env[variable] = str(value)
    return env


def _postgres_dump(target: Path) -> dict:
    """pg_dump reads the snapshot of a transaction that also counts the rows, so the manifest and the dump
    describe the same moment."""
    pg_dump = _postgres_tool("pg_dump")
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with connection.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = _facts(cursor)
            command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
            done = subprocess.run(  # noqa: S603 (pg_dump from PATH, our own arguments)
                [*command, f"--file={target}"], env=_postgres_environment(), capture_output=True, text=True
            )
            cursor.execute("ROLLBACK")
    finally:
        connection.close()
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return facts


def _postgres_restore(dump: Path) -> None:
    pg_restore = _postgres_tool("pg_restore")
    connections.close_all()
    command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction"]
    env = _postgres_environment()
    done = subprocess.run(  # noqa: S603 (pg_restore from PATH, our own arguments)
        [*command, f"--dbname={env['PGDATABASE']}", str(dump)], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise BackupError(
            "pg_restore failed and the database was left as it was (the restore is one transaction). A database "
            "with tables the archive lacks (from a newer version) is restored into an empty one: see "
            f"docs/operations.md, Restoring.\n{done.stderr.strip()[-2000:]}"
        )


def _media_files(root: Path, *, skip: Path) -> list[Path]:
    """Every regular file under the media folder; symbolic links are not followed nor kept."""
    found = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if Path(folder, name) != skip)
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def _member_check(member: tarfile.TarInfo) -> None:
    path = PurePosixPath(member.name)
    if member.name.startswith("/") or ".." in path.parts or "\\" in member.name or not member.name:
        raise BackupError(f"The archive's member {member.name!r} points outside its folder; nothing was restored.")
    if not (member.isreg() or member.isdir()):
        raise BackupError(f"The archive's member {member.name!r} is a link or a device; nothing was restored.")
    expected = member.name in (MANIFEST, *DUMPS.values()) or (member.name.startswith(MEDIA) and len(path.parts) > 1)
    if member.isreg() and not expected:
        raise BackupError(f"The archive holds {member.name!r}, which a Masthead backup does not; nothing was restored.")


def _media_extract(tar: tarfile.TarFile, member: tarfile.TarInfo, root: Path) -> None:
    """One file into the media folder, through a temporary file beside it: a reader never gets half a file."""
    target = root / member.name[len(MEDIA) :]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".restore-", delete=False) as partial:
        try:
            with tar.extractfile(member) as source:
                shutil.copyfileobj(source, partial)
            partial.close()
            os.chmod(partial.name, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
            os.utime(partial.name, (member.mtime, member.mtime))
            os.replace(partial.name, target)
        except BaseException:
            Path(partial.name).unlink(missing_ok=True)
            raise


def _prune(folder: Path, *, keep: int, out=None) -> None:
    archives = sorted((path for path in folder.iterdir() if ARCHIVE_NAME.fullmatch(path.name)), reverse=True)
    for old in archives[keep:]:
        old.unlink(missing_ok=True)
        if out is not None:
            out.write(f"Deleted the old backup {old.name}")


def _progress(done: int, total: int, label: str, out) -> None:
    if done == total or done % max(1, total // PROGRESS_STEPS) == 0:
        progress(done, total, label, out)
