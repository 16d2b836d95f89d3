"""The header and footer menus: resolved once, cached, and rebuilt as soon as the settings or a page change."""

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from masthead.newsroom.models import NewsroomSettings
from masthead.newsroom.tests.factories import SectionPageFactory, StandardPageFactory


@pytest.fixture
def site_with_menus(home):
    war = SectionPageFactory(parent=home, title="War", slug="war")
    analysis = SectionPageFactory(parent=war, title="Analysis", slug="analysis")
    about = StandardPageFactory(parent=home, title="About", slug="about")
    newsroom_settings = NewsroomSettings.for_site(Site.objects.get(is_default_site=True))
    newsroom_settings.primary_menu = [
        ("link", {"label": "War", "page": war, "url": ""}),
        ("group", {"label": "More", "links": [{"label": "Analysis", "page": analysis, "url": ""}]}),
        ("group", {"label": "Empty", "links": []}),
    ]
    newsroom_settings.footer_menu = [
        ("group", {"label": "Sections", "links": [{"label": "About us", "page": about, "url": ""}]}),
        ("link", {"label": "Store", "page": None, "url": "https://shop.example.org/"}),
    ]
    newsroom_settings.save()
    return {"war": war, "analysis": analysis, "about": about, "settings": newsroom_settings}


def menu_links(html: str) -> dict[str, str]:
    soup = BeautifulSoup(html, "html.parser")
    links = soup.select(".site-nav a:not(.site-nav__account), .site-footer nav a")
    return {a.get_text(): a["href"] for a in links}


def test_menus_link_pages_at_their_flat_addresses(client, site_with_menus):
    html = client.get("/about/").content.decode()
    assert menu_links(html) == {
        "War": "/war/",
        "Analysis": "/analysis/",
        "About us": "/about/",
        "Store": "https://shop.example.org/",
    }
    assert "<summary>Empty</summary>" in html


def test_a_cached_menu_costs_no_queries(client, site_with_menus):
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        client.get("/about/")
    with CaptureQueriesContext(connection) as warm:
        client.get("/about/")
    # Resolving the menus took the site's root paths and a load of the linked pages (4 queries here); the site,
    # the settings and the route come from the cache too (newsroom/serving.py): only the page itself is read.
    assert len(warm) <= len(cold) - 3
    assert [query["sql"].split(" FROM ")[1].split()[0] for query in warm.captured_queries] == [
        '"newsroom_standardpage"'
    ]


def test_a_moved_or_renamed_page_shows_at_once(client, site_with_menus):
    client.get("/about/")  # cached
    analysis = site_with_menus["analysis"]
    analysis.slug = "analysis-and-opinion"
    analysis.save_revision().publish()
    assert menu_links(client.get("/about/").content.decode())["Analysis"] == "/analysis-and-opinion/"


def test_an_edited_menu_shows_at_once(client, site_with_menus):
    client.get("/about/")  # cached
    newsroom_settings = NewsroomSettings.objects.get()
    newsroom_settings.primary_menu = [("link", {"label": "Front", "page": None, "url": "/"})]
    newsroom_settings.save()
    links = menu_links(client.get("/about/").content.decode())
    assert links["Front"] == "/" and "War" not in links


def test_a_deleted_page_leaves_the_menu(client, site_with_menus):
    client.get("/about/")  # cached
    site_with_menus["war"].delete()  # its Analysis subsection goes with it
    links = menu_links(client.get("/about/").content.decode())
    assert "War" not in links and "Analysis" not in links


def test_a_group_leads_to_its_page_first(client, site_with_menus):
    newsroom_settings = site_with_menus["settings"]
    newsroom_settings.primary_menu = [
        ("group", {"label": "War", "page": site_with_menus["war"], "links": [
            {"label": "Analysis", "page": site_with_menus["analysis"], "url": ""}]}),
    ]  # fmt: skip
    newsroom_settings.save()
    soup = BeautifulSoup(client.get("/about/").content, "html.parser")
    group = soup.select_one(".site-nav .menu__group")
    assert group.summary.get_text() == "War"
    assert [(a.get_text(), a["href"]) for a in group.select("a")] == [("War", "/war/"), ("Analysis", "/analysis/")]
