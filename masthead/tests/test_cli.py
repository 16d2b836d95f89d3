"""The `masthead` command: set-up on a fresh database, and the site served by granian and whitenoise."""

import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

from masthead.tests.helpers import clean_environment, free_port, run_masthead


@pytest.fixture(scope="module")
def fresh_site(tmp_path_factory):
    """`masthead setup` then `masthead demo --articles 3` on a new SQLite database in a new var/ folder."""
    var = tmp_path_factory.mktemp("var")
    env = clean_environment(
        DEBUG="0", SECRET_KEY="cli-test-secret-key-" + "x" * 40, MASTHEAD_VAR_DIR=str(var), MASTHEAD_HTTPS="0"
    )
    for args in (["setup"], ["setup"], ["demo", "--articles", "3"]):
        result = run_masthead(*args, env=env)
        assert result.returncode == 0, result.stderr
    return var, env, result.stdout


def test_help_lists_the_commands():
    result = run_masthead("--help", env=clean_environment())
    for command in ("run", "setup", "serve", "worker", "demo"):
        assert f"masthead {command}" in result.stdout


def test_setup_is_repeatable_and_demo_shows_progress(fresh_site):
    var, _, demo_output = fresh_site
    assert (var / "masthead.sqlite3").exists()
    assert "7/7" in demo_output and "[#" in demo_output
    assert "Demo newsroom loaded" in demo_output


def test_demo_refuses_to_load_twice(fresh_site):
    _, env, _ = fresh_site
    result = run_masthead("demo", "--articles", "1", env=env)
    assert result.returncode != 0
    assert "already has articles" in result.stderr


@pytest.mark.parametrize("value", ["0", "-5", "abc", "100000"])
def test_demo_rejects_bad_article_counts(fresh_site, value):
    _, env, _ = fresh_site
    result = run_masthead("demo", "--articles", value, env=env)
    assert result.returncode != 0
    assert "articles" in result.stderr


def test_serve_answers_pages_and_hashed_static_files(fresh_site):
    _, env, _ = fresh_site
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "masthead.cli", "serve"],
        env={**env, "MASTHEAD_PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                    body = response.read().decode()
                    break
            except urllib.error.HTTPError:
                raise
            except OSError:  # not listening yet
                time.sleep(0.2)
        assert body is not None, "the server never answered"
        assert "Skip to content" in body
        css = body.split('rel="stylesheet" href="')[1].split('"')[0]
        assert css.startswith("/static/masthead/site.") and css != "/static/masthead/site.css"  # hashed name
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{css}", timeout=5) as response:
            assert response.status == 200
            assert "max-age" in response.headers["Cache-Control"]
    finally:
        server.terminate()
        server.wait(timeout=20)
