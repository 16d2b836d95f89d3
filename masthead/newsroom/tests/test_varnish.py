"""A real Varnish (Debian's) with the VCL in deploy/, in front of the app: a corrected headline reaches readers
through it within 2 seconds of publishing, staff pass through, and readers' cookies never split the cache."""

import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests
from wagtail.models import Site

from masthead.tests.helpers import free_port, wait_for

VCL = Path(__file__).resolve().parents[3] / "deploy" / "varnish" / "masthead.vcl"

pytestmark = pytest.mark.skipif(
    not shutil.which("varnishd"), reason="Varnish is not installed (apt-get install varnish); .ci/run installs it"
)


@pytest.fixture
def varnish(live_server, tmp_path, settings):
    """varnishd on a free port, its backend the test's live server, purged by the app (HTTPBackend)."""
    app_port = live_server.url.rsplit(":", 1)[1]
    vcl = tmp_path / "masthead.vcl"
    vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{app_port}";'))
    port = free_port()
    workdir = tmp_path / "varnish"
    process = subprocess.Popen(  # noqa: S603 (fixed arguments)
        ["varnishd", "-F", "-j", "none", "-n", str(workdir), "-a", f"127.0.0.1:{port}", "-f", str(vcl)]
        + ["-s", "malloc,32m", "-p", "ban_lurker_sleep=0.01"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    yield from front_cache_in_front(process, settings, url=url, purge_url=url)


def front_cache_in_front(process, settings, *, url: str, purge_url: str):
    """Yield the front cache's address once it answers, with the app set to purge it by HTTP PURGE; stop it."""
    settings.WAGTAILFRONTENDCACHE = {
        "front": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": purge_url}
    }
    settings.ALLOWED_HOSTS = ["*"]
    try:
        wait_for(lambda: _answers(url + "/_health/"), what=f"{process.args[0]} to answer", timeout=20)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(url) -> bool:
    try:
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def article(live_server, home):
    from masthead.newsroom.tests.factories import AuthorFactory, front_sections, published_article

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    war, _ = front_sections(home)
    return published_article(title="Dam repairs begin", slug="dam-repairs", section=war, authors=[AuthorFactory()])


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_corrected_headline_reaches_readers_through_varnish_within_2_seconds(varnish, article):
    first = requests.get(f"{varnish}/dam-repairs/", timeout=5)
    again = requests.get(f"{varnish}/dam-repairs/", timeout=5)
    assert (first.headers["X-Cache"], again.headers["X-Cache"]) == ("miss", "hit")
    assert "Dam repairs begin" in again.text
    requests.get(f"{varnish}/war/?page=1", timeout=5)

    article.title = "Dam repairs begin on Monday"
    article.save_revision().publish()  # purges on commit (at once here: the test is not in a transaction)
    published = time.monotonic()

    def corrected():
        return "Dam repairs begin on Monday" in requests.get(f"{varnish}/dam-repairs/", timeout=5).text

    wait_for(corrected, what="the corrected headline through Varnish", timeout=2)
    elapsed = time.monotonic() - published
    print(f"corrected headline through Varnish after {elapsed * 1000:.0f} ms")
    assert elapsed < 2
    # The section page showed it too, with its ?page=N variants.
    assert "Dam repairs begin on Monday" in requests.get(f"{varnish}/war/", timeout=5).text
    assert "Dam repairs begin on Monday" in requests.get(f"{varnish}/war/?page=1", timeout=5).text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_staff_bypass_and_readers_cookies_are_ignored(varnish, article):
    requests.get(f"{varnish}/dam-repairs/", timeout=5)
    reader = requests.get(f"{varnish}/dam-repairs/", cookies={"_ga": "tracker", "theme": "dark"}, timeout=5)
    assert reader.headers["X-Cache"] == "hit"  # a reader's own cookies do not make a copy of their own
    staff = requests.get(f"{varnish}/dam-repairs/", cookies={"sessionid": "abc"}, timeout=5)
    assert staff.headers["X-Cache"] == "miss"  # passed to the app
    assert "private" in staff.headers["Cache-Control"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_app_purges_and_the_admin_is_never_cached(varnish, article):
    # Only the app's addresses may purge; this test runs on one, so it checks the method is known and answered.
    assert requests.request("PURGE", f"{varnish}/dam-repairs/", timeout=5).status_code == 200
    assert requests.get(f"{varnish}/admin/login/", timeout=5).headers["X-Cache"] == "miss"
    assert requests.get(f"{varnish}/admin/login/", timeout=5).headers["X-Cache"] == "miss"
