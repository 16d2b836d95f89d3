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
import time
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
    # A deploy runs setup: pages and pieces kept from before it name the old static files and templates.
    from django.core.cache import caches

    from masthead.newsroom.services import pages_changed

    caches["pages"].clear()
    pages_changed()


def demo(args: list[str]) -> None:
    django_main(["masthead", "load_demo", *args])


def worker(args: list[str]) -> None:
    _django_setup()
    from django.core.management import call_command

    from masthead.comments.services import notices_resume as comment_notices_resume
    from masthead.narration.services import narrations_resume
    from masthead.newsletters.sending import issues_resume
    from masthead.newsletters.services import notices_resume
    from masthead.newsroom.services import images_renditions_resume, opinion_emails_resume, scheduled_publishing_run

    # Catch up on what came due while no worker ran; later schedules arrive as deferred tasks.
    scheduled_publishing_run()
    opinion_emails_resume()
    images_renditions_resume()
    notices_resume()
    comment_notices_resume()
    issues_resume()
    narrations_resume()
    print("Task worker started (quiet unless a task fails; `-v 2` shows every task).", flush=True)
    call_command("task_worker", "--no-reload", "--queue-name", "*", *args)


# The access log leaves out the client's address: Masthead keeps no readers' IP addresses.
ACCESS_LOG_FORMAT = '[%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).1fms'


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
        os.environ.get("MASTHEAD_WEB_WORKERS") or str(os.cpu_count() or 1),  # one per core by default
        "--blocking-threads",
        os.environ.get("MASTHEAD_BLOCKING_THREADS", "1"),
        # A worker that crashes is replaced, and one that grows past the limit is replaced after its requests.
        "--respawn-failed-workers",
        "--respawn-interval",
        "0.5",
        "--workers-max-rss",
        os.environ.get("MASTHEAD_WEB_WORKER_MAX_MB", "512"),
        "--workers-kill-timeout",
        "5",
        "--access-log",
        "--access-log-fmt",
        ACCESS_LOG_FORMAT,
        *extra,
    ]


def static_files_check() -> None:
    """Refuse to serve production pages that would all answer 500 for want of collected static files."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import staticfiles_storage

    if settings.DEBUG:
        return  # development serves static files from the source folders
    try:
        staticfiles_storage.stored_name("masthead/site.css")
    except ValueError as error:
        sys.exit(
            f"masthead serve: the static files in {settings.STATIC_ROOT} are missing or incomplete ({error}). "
            "Run `masthead setup` (or `masthead collectstatic`) first."
        )


def serve(args: list[str]) -> None:
    _django_setup()  # fail here, loudly, on bad settings, rather than in workers that respawn for ever
    static_files_check()
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


def _die_with_parent() -> None:
    """In a child, before exec: get SIGTERM if `masthead run` itself dies, so nothing is left holding the port."""
    import ctypes

    pr_set_pdeathsig = 1
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def start_child(command: list[str]) -> subprocess.Popen:
    """A child in its own process group: Ctrl-C reaches `masthead run` alone, which then stops every child."""
    return subprocess.Popen(command, start_new_session=True, preexec_fn=_die_with_parent)  # noqa: S603, PLW1509


def stop_children(processes: list[subprocess.Popen], *, grace: float = 4.0) -> None:
    """SIGTERM each child's group; a second SIGTERM after `grace` (the worker then records its task as failed
    instead of finishing it), then SIGKILL. Returns within about 2 × grace, always."""
    for signum in (signal.SIGTERM, signal.SIGTERM, signal.SIGKILL):
        alive = [process for process in processes if process.poll() is None]
        if not alive:
            return
        for process in alive:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signum)
        deadline = time.monotonic() + (grace if signum == signal.SIGTERM else 5)
        for process in alive:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.05, deadline - time.monotonic()))


def run(args: list[str]) -> None:
    os.environ.setdefault("DEBUG", "1")  # a local trial; production runs `masthead serve` and `masthead worker`
    setup([])
    from django.core.management import call_command

    from masthead.newsroom.models import ArticlePage

    if not ArticlePage.objects.exists():
        call_command("load_demo")
    sign_in = _admin_sign_in()
    processes = [
        start_child([sys.executable, "-m", "masthead.cli", "worker"]),
        start_child(serve_command([])),
    ]
    print(f"\nMasthead is serving http://{HOST}:{PORT}/\n{sign_in}\nStop with Ctrl-C.\n", flush=True)

    def terminate(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    signal.signal(signal.SIGHUP, terminate)
    try:
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        print("A process of the site stopped; stopping the rest.", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        stop_children(processes)


COMMANDS = {"run": run, "setup": setup, "serve": serve, "worker": worker, "demo": demo}


def development_defaults(command: str) -> None:
    """Without SECRET_KEY or DEBUG in the environment, local commands (`setup`, `shell`, `migrate` …) use the
    development settings. The production processes, `serve` and `worker`, refuse to start instead."""
    if command in {"serve", "worker"} or "SECRET_KEY" in os.environ or "DEBUG" in os.environ:
        return
    os.environ["DEBUG"] = "1"


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return
    development_defaults(argv[0] if argv else "")
    if argv and argv[0] in COMMANDS:
        COMMANDS[argv[0]](argv[1:])
    else:
        django_main(["masthead", *argv])


if __name__ == "__main__":
    main()
