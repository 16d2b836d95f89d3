"""Settings come from the environment; production refuses unsafe defaults and passes `check --deploy`."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from masthead.settings import email_settings
from masthead.tests import migrated
from masthead.tests.helpers import clean_environment, run_masthead


def masthead(*args: str, **env: str):
    return run_masthead(*args, env=clean_environment(**env), timeout=120)


def test_production_refuses_to_start_on_the_default_secret_key(tmp_path):
    result = masthead("check", DEBUG="0", MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7#Lq9!vR2@pZ5$kW8^nB3&mT6*hJ1(dF4)gY0_sC-eU+aO=iX",
    "MASTHEAD_BASE_URL": "https://news.example.org",
    "EMAIL_URL": "smtp://mail.example.org:587?tls=1",
}


def test_check_deploy_is_clean_in_production(tmp_path):
    result = masthead("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_email_would_go_nowhere(tmp_path):
    production = {**PRODUCTION, "EMAIL_URL": "console:"}
    result = masthead("check", "--deploy", "--fail-level", "WARNING", **production, MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "(masthead.W001) Email is not sent: the email backend prints email to the server's log" in result.stderr


PRINT_SETTINGS = (
    "from django.conf import settings; "
    "print(settings.DEBUG, settings.ALLOWED_HOSTS, settings.SECURE_PROXY_SSL_HEADER, sep='|')"
)


def test_production_answers_to_its_own_host_and_trusts_no_forwarded_proto_by_default(tmp_path):
    result = masthead("shell", "-c", PRINT_SETTINGS, **PRODUCTION, MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False|['news.example.org']|None"

    behind = masthead(
        "shell", "-c", PRINT_SETTINGS, **PRODUCTION, MASTHEAD_BEHIND_PROXY="1", MASTHEAD_VAR_DIR=str(tmp_path)
    )
    assert behind.stdout.strip().splitlines()[-1] == "False|['news.example.org']|('HTTP_X_FORWARDED_PROTO', 'https')"


def test_local_commands_use_development_defaults_without_a_secret_key(tmp_path):
    result = masthead("shell", "-c", PRINT_SETTINGS, MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True|['127.0.0.1', 'localhost']|None"
    migrated.copy_sqlite(tmp_path / "masthead.sqlite3")  # migrating from nothing is test_cli's (fresh_site)
    setup = masthead("setup", MASTHEAD_VAR_DIR=str(tmp_path))
    assert setup.returncode == 0, setup.stderr
    assert (tmp_path / "masthead.sqlite3").exists()


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_production_processes_refuse_to_start_without_a_secret_key(tmp_path, command):
    result = masthead(command, MASTHEAD_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_time_zone_and_base_url_come_from_the_environment(tmp_path):
    result = masthead(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.TIME_ZONE, settings.WAGTAILADMIN_BASE_URL, "
        "settings.ALLOWED_HOSTS[0], settings.DATABASES['default']['ENGINE'], settings.CACHES['default']['BACKEND'])",
        DEBUG="1",
        MASTHEAD_TIME_ZONE="America/New_York",
        MASTHEAD_BASE_URL="https://paper.example.org/",
        MASTHEAD_VAR_DIR=str(tmp_path),
        REDIS_URL="redis://127.0.0.1:6379/3",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "America/New_York",
        "https://paper.example.org",
        "paper.example.org",
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_email_url_smtp_with_tls():
    parsed = email_settings("smtp://user%40x:p%3Ass@mail.example.org:587?tls=1")
    assert parsed["EMAIL_BACKEND"] == "masthead.mail.EmailBackend"
    assert (parsed["EMAIL_HOST"], parsed["EMAIL_PORT"]) == ("mail.example.org", 587)
    assert (parsed["EMAIL_HOST_USER"], parsed["EMAIL_HOST_PASSWORD"]) == ("user@x", "p:ss")
    assert parsed["EMAIL_USE_TLS"] is True and parsed["EMAIL_USE_SSL"] is False


def test_email_url_smtps_and_console():
    assert email_settings("smtps://mail.example.org")["EMAIL_PORT"] == 465
    assert email_settings("console:")["EMAIL_BACKEND"].endswith("console.EmailBackend")


@pytest.mark.parametrize("url", ["ftp://x", "", "javascript:alert(1)", "mail.example.org"])
def test_email_url_with_an_unknown_scheme_is_refused(url):
    with pytest.raises(ImproperlyConfigured):
        email_settings(url)
