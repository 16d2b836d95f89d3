"""Running the `masthead` command in a child process, as a user would."""

import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

# Variables the test process sets for itself that must not leak into a child's settings.
TEST_ONLY = {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout: float = 30, what: str = "condition"):
    """Poll `condition` until it returns something true (returned), or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def clean_environment(**extra: str) -> dict[str, str]:
    """The environment a fresh install would have, for commands the tests start; narration off unless a test
    asks for it (the real voice would keep a core busy through the demo's 44 articles)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASTHEAD_") and k not in TEST_ONLY}
    return {**env, "MASTHEAD_NARRATION": "0", **extra}


def run_masthead(*args: str, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "masthead.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def database_url() -> str:
    """The test database as a DATABASE_URL, for a child process (a task worker) to share it."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        name = str(db["NAME"])
        # An in-memory test database cannot be shared, and its URI as a file name would leave a stray file.
        if connection.creation.is_in_memory_db(name):
            raise RuntimeError("A worker process needs a file-based SQLite test database (see test_settings).")
        return f"sqlite:///{name}"
    return postgres_url(db, db["NAME"])


def postgres_url(db: dict, name: str) -> str:
    """A DATABASE_URL for the database `name` on the PostgreSQL server of Django's connection settings `db`."""
    credentials = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        credentials += f":{db['PASSWORD']}"
    return f"postgres://{credentials}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


def worker_environment(**extra: str) -> dict[str, str]:
    from django.conf import settings

    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "masthead.settings",
        "SECRET_KEY": "worker-test",
        "MASTHEAD_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "MASTHEAD_NARRATION": "0",
        **extra,
    }


def worker_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "masthead.cli", "worker", "--no-startup-delay", "--interval", "0.2", *args]


def run_worker(*args: str, **env: str) -> subprocess.CompletedProcess:
    """`masthead worker --batch`: run what is due, then exit."""
    return subprocess.run(
        worker_command("--batch", *args),
        env=worker_environment(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def start_worker(*args: str, log, **env: str) -> subprocess.Popen:
    """`masthead worker` running until stopped, its output in the file `log`."""
    with open(log, "ab") as output:
        return subprocess.Popen(worker_command(*args), env=worker_environment(**env), stdout=output, stderr=output)


REPOSITORY = Path(__file__).resolve().parents[2]
VNU_JAR = REPOSITORY / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def html_errors(documents: dict[str, str]) -> list[str]:
    """What the Nu HTML checker (vnu-jar, from `npm ci`) finds wrong in each document, in one run of Java."""
    import json
    import shutil
    import tempfile

    if not VNU_JAR.exists():
        raise RuntimeError("vnu-jar is missing: run `make install-test` (npm ci)")
    java = shutil.which("java")
    if java is None:
        raise RuntimeError("Java is missing: apt-get install default-jre-headless (.ci/run does)")
    with tempfile.TemporaryDirectory() as folder:
        names = {}
        for number, (name, html) in enumerate(documents.items()):
            path = Path(folder) / f"page-{number}.html"
            path.write_text(html, encoding="utf-8")
            names[path.name] = name
        result = subprocess.run(
            [java, "-Xss4m", "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *sorted(names)],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    return [
        f"{names.get(Path(message.get('url', '')).name, message.get('url'))}:{message.get('lastLine')}: "
        f"{message['message']} [{message.get('extract', '').strip()}]"
        for message in messages
        if message["type"] == "error" or message.get("subType") == "fatal"
    ]


@contextlib.contextmanager
def database_restored():
    """Data a module builds outside the tests' transactions (committed, for a server thread to read) is removed
    afterwards: the database is flushed and its content from before is loaded again, as Django's serialized
    rollback does."""
    from django.core.management import call_command
    from django.db import connection

    before = connection.creation.serialize_db_to_string()
    try:
        yield
    finally:
        call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True, reset_sequences=False)
        connection.creation.deserialize_db_from_string(before)


@contextlib.contextmanager
def newsroom_served(build):
    """A server thread over committed data for browser tests: the site structure, the default site at the
    server's address, and what `build(home)` adds; all of it removed afterwards (database_restored). Call with
    database access unblocked."""
    from pytest_django.live_server_helper import LiveServer
    from wagtail.models import Site

    from masthead.newsroom.services import site_structure_ensure

    with database_restored():
        server = LiveServer("127.0.0.1:0")
        try:
            home = site_structure_ensure(site_name="Test Newsroom")
            Site.objects.filter(is_default_site=True).update(hostname="127.0.0.1", port=server.thread.port)
            build(home)
            yield server.url
        finally:
            server.stop()
