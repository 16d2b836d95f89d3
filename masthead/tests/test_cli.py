"""The `masthead` command: set-up on a fresh database, the site served by granian, and `masthead run`'s processes.

The subprocess tests use their own SQLite database in a new var/ folder, whatever the suite's database is, so
they run once per `make test` (see conftest: database-independent tests).
"""

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command

from masthead.newsroom.tests.factories import AuthorFactory
from masthead.tests.helpers import clean_environment, free_port, run_masthead, wait_for


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory):
    """`masthead setup` then `masthead demo --articles 3` on a new SQLite database in a new var/ folder.

    Set up as `make run` does it, in development mode; everything else here runs in production mode, so the
    tests also show that static files collected in development serve in production."""
    var = tmp_path_factory.mktemp("var")
    env = clean_environment(
        DEBUG="0", SECRET_KEY="cli-test-secret-key-" + "x" * 40, MASTHEAD_VAR_DIR=str(var), MASTHEAD_HTTPS="0"
    )
    setup = run_masthead("setup", env={**env, "DEBUG": "1"})
    assert setup.returncode == 0, setup.stderr
    result = run_masthead("demo", "--articles", "3", env=env)
    assert result.returncode == 0, result.stderr
    return var, env, result.stdout


def get(url: str, *, timeout: float = 10) -> str | None:
    """The page's body, or None while nothing listens on the port."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.read().decode()
    except urllib.error.HTTPError:
        raise
    except OSError:
        return None


def wait_for_page(url: str, *, seconds: float = 30) -> str:
    return wait_for(lambda: get(url), timeout=seconds, what=f"{url} to answer")


def children_of(pid: int) -> list[int]:
    result = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return [int(line) for line in result.stdout.split()]


def session_processes(sid: int) -> list[str]:
    result = subprocess.run(["pgrep", "-a", "-s", str(sid)], capture_output=True, text=True, check=False)
    return result.stdout.splitlines()


def test_help_lists_the_commands():
    result = run_masthead("--help", env=clean_environment())
    for command in ("run", "setup", "serve", "worker", "demo"):
        assert f"masthead {command}" in result.stdout


def test_setup_and_demo_on_a_new_database_show_progress(fresh_site):
    var, _, demo_output = fresh_site
    assert (var / "masthead.sqlite3").exists()
    assert "7/7" in demo_output and "[#" in demo_output
    assert "Demo newsroom loaded" in demo_output


def test_demo_refuses_to_load_into_a_newsroom_with_content(home):
    AuthorFactory()
    with pytest.raises(CommandError, match="already has articles or authors"):
        call_command("load_demo", articles=1)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0", "--articles must be between 1 and 2000."),
        ("-5", "--articles must be between 1 and 2000."),
        ("100000", "--articles must be between 1 and 2000."),
        ("abc", "argument --articles: invalid int value: 'abc'"),
    ],
)
def test_demo_rejects_bad_article_counts(home, value, message):
    with pytest.raises(CommandError, match=message):
        call_command("load_demo", "--articles", value)


def test_serve_answers_replaces_a_killed_worker_and_logs_no_addresses(fresh_site, tmp_path):
    _, env, _ = fresh_site
    port = free_port()
    log = tmp_path / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "masthead.cli", "serve"],
            env={**env, "MASTHEAD_PORT": str(port)},
            stdout=output,
            stderr=output,
        )
    try:
        body = wait_for_page(f"http://127.0.0.1:{port}/")
        assert "Skip to content" in body
        css = body.split('rel="stylesheet" href="')[1].split('"')[0]
        assert css.startswith("/static/masthead/site.") and css != "/static/masthead/site.css"  # hashed name
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{css}", timeout=5) as response:
            assert response.status == 200
            assert "max-age" in response.headers["Cache-Control"]

        # One web worker per core by default.
        workers = children_of(server.pid)
        assert len(workers) == (os.cpu_count() or 1)

        # A web worker dies (killed, out of memory): granian starts another and the site keeps answering.
        os.kill(workers[0], signal.SIGKILL)
        assert "Skip to content" in wait_for_page(f"http://127.0.0.1:{port}/", seconds=15)

        # (The killed worker may still be listed, as a zombie, until granian reaps it.)
        def replaced():
            now = children_of(server.pid)
            return now if len(now) == len(workers) and workers[0] not in now else None

        wait_for(replaced, timeout=15, what="the replacement worker")
        assert server.poll() is None
    finally:
        server.terminate()
        server.wait(timeout=20)
    access = [line for line in log.read_text().splitlines() if '"GET / HTTP/1.1" 200' in line]
    assert len(access) >= 2
    assert all("127.0.0.1" not in line for line in access)  # the access log keeps no client addresses


def test_ctrl_c_on_run_stops_everything_within_seconds(fresh_site):
    """As a terminal does: SIGINT to `masthead run`'s whole process group while the worker has work queued."""
    var, env, _ = fresh_site
    port = free_port()
    busy = run_masthead(
        "shell",
        "-c",
        "from masthead.newsroom.tasks import publish_scheduled_task\n"
        "for _ in range(300): publish_scheduled_task.enqueue()",
        env=env,
    )
    assert busy.returncode == 0, busy.stderr
    run = subprocess.Popen(
        [sys.executable, "-m", "masthead.cli", "run"],
        env={**env, "MASTHEAD_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_page(f"http://127.0.0.1:{port}/", seconds=60)
        assert len(session_processes(run.pid)) >= 1
        time.sleep(1)
        started = time.monotonic()
        os.killpg(run.pid, signal.SIGINT)
        run.wait(timeout=15)
        stopped_in = time.monotonic() - started
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
    assert stopped_in < 10
    wait_for(lambda: not (children_of(run.pid) + session_processes(run.pid)), timeout=5, what="every child to end")
    assert session_processes(run.pid) == [], "a process of `masthead run` outlived it"
    assert get(f"http://127.0.0.1:{port}/", timeout=2) is None, "something still holds the port"


def test_serve_refuses_to_start_without_collected_static_files(fresh_site, tmp_path):
    _, env, _ = fresh_site
    empty = {"MASTHEAD_PORT": str(free_port()), "MASTHEAD_STATIC_ROOT": str(tmp_path / "empty")}
    result = run_masthead("serve", env={**env, **empty})
    assert result.returncode != 0
    assert "the static files in" in result.stderr and "Run `masthead setup`" in result.stderr
