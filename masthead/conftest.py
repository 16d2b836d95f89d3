"""Fixtures shared by every app's tests, and the marking of tests that need no database."""

import pytest
from django.contrib.auth.models import Group

from masthead.newsroom.services import site_structure_ensure
from masthead.tests.helpers import free_port


@pytest.fixture(autouse=True)
def caches_cleared():
    """Each test starts with empty caches: an entry made from another test's rolled-back data (Wagtail's site
    root paths, the menus, a page) must not leak into it."""
    from django.core.cache import caches

    from masthead.analytics.selectors import countable
    from masthead.analytics.views import local_windows
    from masthead.newsroom.serving import versioned_cache

    for cache in caches.all():
        cache.clear()
    versioned_cache.clear()
    countable.sets.clear()
    local_windows.counts.clear()


@pytest.fixture(scope="session")
def django_db_setup(request, django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """pytest-django's test database, started from a copy of a migrated one (`migrated`: migrating each costs
    some 20 s of a core), then given the site's structure once, committed, as `masthead setup` leaves a new site:
    every test's transaction starts from it (making it costs a quarter of a second; finding it, a fiftieth)."""
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _get_databases_for_setup

    from masthead.tests import migrated

    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    aliases.add("default")  # also when only module fixtures (a served newsroom) ask for it, as in a browser test
    test_name = connection.creation._get_test_db_name()  # noqa: SLF001
    if connection.vendor == "sqlite":
        migrated.copy_sqlite(test_name)
    else:
        migrated.create_postgres(test_name, connection.settings_dict)
    with django_db_blocker.unblock():
        # keepdb: the copy is kept and migrated (nothing left to apply), not made again; removed at the end.
        databases = setup_databases(
            verbosity=request.config.option.verbose, interactive=False, keepdb=True, aliases=aliases,
            serialized_aliases=serialized_aliases,
        )  # fmt: skip
        site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        if hasattr(connection, "_test_serialized_contents"):
            # What transactional tests with a serialized rollback load back: the database as it now is.
            connection._test_serialized_contents = connection.creation.serialize_db_to_string()  # noqa: SLF001
    yield
    with django_db_blocker.unblock():
        teardown_databases(databases, verbosity=request.config.option.verbose)


@pytest.fixture
def home(db):
    """The site's home page, article archive and review workflow, as `masthead setup` makes them (made again
    after a transactional test emptied the database)."""
    return site_structure_ensure(site_name="Test Newsroom", hostname="testserver")


@pytest.fixture
def make_user(db, django_user_model):
    def make(username: str, *groups: str, **extra):
        user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user

    return make


class SMTPServer:
    """A real SMTP server (aiosmtpd) on a local port that keeps every message it accepts.

    `stall()` makes it hang after the greeting, as an overloaded server does, until `release()`;
    `stop()` closes the port (connections are refused) and `start()` opens it again; `refuse` maps a recipient
    to the reply its RCPT gets ("451 …" for a temporary refusal, "550 …" for a permanent one).
    """

    def __init__(self, port: int):
        import threading

        self.port = port
        self.messages: list[dict] = []
        self.stalled_sessions = 0
        self.refuse: dict[str, str] = {}
        self._go = threading.Event()
        self._go.set()
        self._controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def stall(self) -> None:
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        import asyncio

        if not self._go.is_set():
            self.stalled_sessions += 1
            while not self._go.is_set():
                await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": message_from_bytes(envelope.content, policy=policy.default),
            }
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; Django's SMTP backend sends to it."""
    server = SMTPServer(free_port())
    server.start()
    settings.EMAIL_BACKEND = "masthead.mail.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.release()
    server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright (Playwright's own browser download is not reachable here), one per
    module. While it is open, Playwright's event loop runs in this thread, where Django refuses database access:
    tests that use it read pages over HTTP, served from data a module fixture committed beforehand."""
    import shutil

    if not shutil.which(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def axe_audit():
    """Run axe-core (from node_modules, installed by `make install-test`) on a Playwright page."""
    from pathlib import Path

    script = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        pytest.fail("axe-core is missing: run `make install-test` (npm ci)")

    source = script.read_text(encoding="utf-8") + "\n;true"

    def audit(page) -> list[dict]:
        page.evaluate(source)  # by the browser's debugging protocol: the page's security policy does not apply
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    return audit


def pytest_sessionfinish(session, exitstatus):
    """Fail the run if a test left an in-memory SQLite database's name behind as a file (see helpers.database_url)."""
    from pathlib import Path

    stray = sorted(Path(session.config.rootpath).glob("memorydb_*"))
    if stray:
        print(f"\nA test wrote stray SQLite files: {', '.join(map(str, stray))}")
        session.exitstatus = 1


# A test that touches none of these runs the same on any database: `make test` runs it once, in the SQLite pass.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup", "live_server", "django_db_serialized_rollback"}


def _transactional(item) -> bool:
    from django.test import TestCase, TransactionTestCase

    cls = getattr(item, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    marker = item.get_closest_marker("django_db")
    fixtures = set(getattr(item, "fixturenames", ()))
    return bool(marker and marker.kwargs.get("transaction")) or bool({"transactional_db", "live_server"} & fixtures)


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """Mark the tests that need no database, and group tests for pytest-xdist (`--dist loadgroup`):

    - transactional tests flush the database when they end, so they are grouped by module after every other
      database test (pytest-django orders them last, and `--no-loadscope-reorder` keeps that order): a process
      runs them only once it has run all the other database tests it was given;
    - a TestCase class stays in one process, so its `setUpTestData` runs once;
    - database-independent tests stay with their module, so a module-scoped fixture (a served site) is built once.
    """
    from django.test import TransactionTestCase

    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)
        cls = getattr(item, "cls", None)
        uses_database = (
            item.get_closest_marker("django_db") is not None
            or DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
            or (cls is not None and issubclass(cls, TransactionTestCase))
        )
        if not uses_database:
            item.add_marker(pytest.mark.database_independent)
            if item.get_closest_marker("xdist_group") is None:  # a test may choose its own (bench smoke tests)
                item.add_marker(pytest.mark.xdist_group(item.nodeid.split("::")[0]))
        elif _transactional(item):
            item.add_marker(pytest.mark.xdist_group("transactional:" + item.nodeid.split("::")[0]))
        elif cls is not None:
            item.add_marker(pytest.mark.xdist_group(item.nodeid.rsplit("::", 1)[0]))


class BenchmarksFirst:
    """The benchmarks' smoke tests (minutes, among tests of seconds) start first, one per process, instead of
    last (pytest-django puts the tests without a database at the end): the other tests then fill the time
    beside them rather than one process running them alone at the end."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        longest_first = [
            "bench.pages",
            "bench.newsletter",
            "bench.narration",
            "bench.page_render",
            "bench.analytics",
            "bench.soak",
        ]

        def rank(item) -> int:
            group = item.get_closest_marker("xdist_group")
            name = str(group.args[0]) if group and group.args else ""
            return longest_first.index(name) if name in longest_first else len(longest_first)

        items.sort(key=rank)  # stable: the rest keep their order


def pytest_configure(config):
    config.pluginmanager.register(BenchmarksFirst(), "masthead-benchmarks-first")
    # Known even when pytest-xdist is not loaded (`-p no:xdist`), as the markers above add it.
    config.addinivalue_line("markers", "xdist_group(name): tests pytest-xdist runs in one process")
