"""The `masthead` command: run the whole newsroom locally, or one part of it, or any Django command.

masthead run       set up, load the demo newsroom into an empty database, serve the site and the worker
masthead setup     migrate, collect static files, make the site's structure (safe to repeat)
masthead serve     the web server alone (granian)
masthead worker    the task worker alone (scheduled publishing and every background task)
masthead demo      load the demo newsroom
masthead <django command> …   any management command, e.g. `masthead createsuperuser`
"""

import contextlib
import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

HOST = os.environ.get("MASTHEAD_HOST", "127.0.0.1")
PORT = os.environ.get("MASTHEAD_PORT", "8000")


def django_main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "masthead.settings")
    import django

    django.setup()


def setup(args: list[str]) -> None:
    _django_setup()
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("newsroom_setup")


def demo(args: list[str]) -> None:
    django_main(["masthead", "load_demo", *args])


def worker(args: list[str]) -> None:
    _django_setup()
    from django.core.management import call_command

    from masthead.newsroom.services import scheduled_publishing_run

    # Catch up on whatever came due while no worker ran; later schedules arrive as deferred tasks.
    scheduled_publishing_run()
    call_command("db_worker", "--no-reload", "--queue-name", "*", *args)


def serve_command(extra: list[str]) -> list[str]:
    return [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "masthead.wsgi:application",
        "--host",
        HOST,
        "--port",
        PORT,
        "--workers",
        os.environ.get("MASTHEAD_WEB_WORKERS", "1"),
        "--blocking-threads",
        os.environ.get("MASTHEAD_BLOCKING_THREADS", "1"),
        *extra,
    ]


def serve(args: list[str]) -> None:
    os.execv(sys.executable, serve_command(args))  # noqa: S606 (our own interpreter, fixed arguments)


def _admin_sign_in() -> str:
    """Make sure an admin account exists for the local site; say how to sign in."""
    _django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    User = get_user_model()
    password_file = Path(settings.VAR_DIR) / "admin-password.txt"
    if not User.objects.filter(username="admin").exists():
        password = secrets.token_urlsafe(12)
        User.objects.create_superuser("admin", "admin@localhost", password)
        password_file.write_text(password + "\n")
        password_file.chmod(0o600)
    shown = password_file.read_text().strip() if password_file.exists() else f"(see {password_file})"
    return f"Admin: http://{HOST}:{PORT}/admin/  user: admin  password: {shown}"


def run(args: list[str]) -> None:
    os.environ.setdefault("DEBUG", "1")  # a local trial; production runs `masthead serve` and `masthead worker`
    setup([])
    from django.core.management import call_command

    from masthead.newsroom.models import ArticlePage

    if not ArticlePage.objects.exists():
        call_command("load_demo")
    sign_in = _admin_sign_in()
    processes = [
        subprocess.Popen([sys.executable, "-m", "masthead.cli", "worker"]),  # noqa: S603
        subprocess.Popen(serve_command([])),  # noqa: S603
    ]
    print(f"\nMasthead is serving http://{HOST}:{PORT}/\n{sign_in}\nStop with Ctrl-C.\n", flush=True)

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            with contextlib.suppress(subprocess.TimeoutExpired):
                processes[0].wait(timeout=1)
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            process.wait(timeout=20)


COMMANDS = {"run": run, "setup": setup, "serve": serve, "worker": worker, "demo": demo}


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in COMMANDS:
        COMMANDS[argv[0]](argv[1:])
    elif argv and argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
    else:
        django_main(["masthead", *argv])


if __name__ == "__main__":
    main()
