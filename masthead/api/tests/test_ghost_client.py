"""Ghost's own JavaScript client (@tryghost/content-api 1.12, from npm, run by Node) against a served Masthead:
programs written for Ghost read the newsroom unchanged."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from wagtail.models import Site

from masthead.api.models import ContentApiKey

CLIENT = Path(__file__).with_name("ghost_client.js")
ROOT = Path(__file__).resolve().parents[3]

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules/@tryghost/content-api").exists(),
    reason="needs Node and `npm ci` (make install-test)",
)


@pytest.fixture
def served(live_server, home):
    from masthead.newsroom.tests.factories import AuthorFactory, StandardPageFactory, front_sections, published_article

    host, port = live_server.url.removeprefix("http://").split(":")
    Site.objects.filter(is_default_site=True).update(hostname=host, port=int(port))
    war, _ = front_sections(home)
    olena = AuthorFactory(name="Olena Koval", slug="olena")
    bridge = published_article(hours_ago=5, title="Bridge opens", slug="bridge", section=war, authors=[olena])
    bridge.tags.add("News", "Energy")
    bridge.save_revision().publish()
    grid = published_article(hours_ago=1, title="Grid repaired", slug="grid", section=war, authors=[olena])
    grid.tags.add("News")
    grid.save_revision().publish()
    StandardPageFactory(parent=home, title="About", slug="about", body="<p>About us.</p>")
    return live_server.url, ContentApiKey.objects.create(name="Ghost client").secret


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ghosts_javascript_client_reads_the_newsroom(served):
    url, key = served
    run = subprocess.run(["node", str(CLIENT), url, key], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)

    browse = results["browse"]["ok"]
    assert browse["isArray"] and browse["slugs"] == ["grid", "bridge"]
    assert browse["meta"]["pagination"] == {"page": 1, "limit": 2, "pages": 1, "total": 2, "next": None, "prev": None}
    assert browse["primaryAuthor"] == "olena"
    assert browse["tags"] == ["news"]

    read = results["readBySlug"]["ok"]  # one object, not a list: the answer has no meta
    assert not read["isArray"] and read["title"] == "Bridge opens"
    assert "First paragraph of the story." in read["html"] and read["plaintext"].startswith("First paragraph")
    assert results["readById"]["ok"] == {"same": True, "slug": "bridge"}

    every = results["fieldsAndLimitAll"]["ok"]
    assert every == {"keys": ["title", "url"], "count": 2, "limit": "all"}
    assert results["tags"]["ok"] == [["news", 2], ["energy", 1]]
    author = results["author"]["ok"]
    assert (author["name"], author["count"], author["url"]) == ("Olena Koval", 2, f"{url}/author/olena/")
    assert results["pages"]["ok"] == ["about"]
    assert results["settings"]["ok"] == {"title": "Test Newsroom", "url": f"{url}/", "isArray": False}

    # Errors reach the program as Ghost's client raises them: the message, Ghost's type, code and context.
    missing = results["missing"]["error"]
    assert (missing["status"], missing["name"], missing["message"]) == (
        404,
        "NotFoundError",
        "Resource not found error, cannot read post.",
    )
    assert results["badFilter"]["error"]["type"] == "BadRequestError"
    assert results["badFilter"]["error"]["context"] == "Error parsing filter"
    bad_key = results["badKey"]["error"]
    assert (bad_key["status"], bad_key["code"], bad_key["message"]) == (
        401,
        "UNKNOWN_CONTENT_API_KEY",
        "Unknown Content API Key",
    )
    assert results["ghost6Client"]["ok"] == 1  # Ghost 6's client (Accept-Version v6.0) works too
