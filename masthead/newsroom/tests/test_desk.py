"""The article desk: one listing of every article, its columns, filters and a bounded number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Workflow

from masthead.newsroom.desk import Status
from masthead.newsroom.services import archive_year_ensure
from masthead.newsroom.tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    SectionPageFactory,
    published_article,
)

DESK = reverse("article_desk:index")
XSS = "<script>desk-xss</script>"


@pytest.fixture
def newsroom(home, make_user):
    reporter = make_user("reporter", "Reporters", first_name="Rita", last_name="Reporter")
    editor = make_user("editor", "Editors")
    war = SectionPageFactory(parent=home, title="War", slug="war")
    business = SectionPageFactory(parent=home, title="Business", slug="business")
    olena = AuthorFactory(name="Olena Hrazhdan", user=reporter)
    ivan = AuthorFactory(name="Ivan Freelance")

    live = published_article(title="Live story", slug="live-story", section=war, authors=[olena], news_feed=True)
    live.tags.add("Kyiv")
    live.save()
    changed = published_article(title="Changed story", slug="changed-story", section=business, authors=[ivan])
    changed.standfirst = "New standfirst"
    changed.save_revision(user=editor)

    draft = ArticlePageFactory(
        live=False,
        title="Draft story",
        slug="draft-story",
        section=war,
        authors=[olena],
        owner=reporter,
        parent=archive_year_ensure(year=2025),
    )
    draft.save_revision(user=reporter)
    in_review = ArticlePageFactory(live=False, title="Review story", slug="review-story", authors=[ivan])
    in_review.save_revision(user=reporter)
    Workflow.objects.get(name="Editorial review").start(in_review, reporter)

    scheduled = ArticlePageFactory(live=False, title="Scheduled story", slug="scheduled-story", section=war)
    scheduled.go_live_at = timezone.now() + timedelta(hours=3)
    scheduled.save_revision(user=editor, approved_go_live_at=scheduled.go_live_at)
    return {"reporter": reporter, "editor": editor, "war": war, "olena": olena, "ivan": ivan}


def desk(client, **params):
    response = client.get(DESK, params)
    assert response.status_code == 200
    return response


def headlines(response) -> list[str]:
    return [page.title for page in response.context["pages"]]


def test_every_article_of_every_year_with_its_columns(client, newsroom):
    client.force_login(newsroom["editor"])
    response = desk(client)
    assert set(headlines(response)) == {"Live story", "Changed story", "Draft story", "Review story", "Scheduled story"}
    html = response.content.decode()
    for text in [
        "Headline",
        "Section",
        "Bylines",
        "Status",
        "News Feed",
        "Last edited by",
        "Updated",
        "Published",
        "Olena Hrazhdan",
        "Ivan Freelance",
        "War",
        "In review",
        "Live, changed since publishing",
        "Scheduled for",
    ]:
        assert text in html, text


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": Status.DRAFT}, {"Draft story"}),
        ({"status": Status.IN_REVIEW}, {"Review story"}),
        ({"status": Status.SCHEDULED}, {"Scheduled story"}),
        ({"status": Status.LIVE}, {"Live story"}),
        ({"status": Status.CHANGED}, {"Changed story"}),
        ({"news_feed": "true"}, {"Live story"}),
        ({"q": "Review"}, {"Review story"}),
    ],
)
def test_filters(client, newsroom, params, expected):
    client.force_login(newsroom["editor"])
    assert set(headlines(desk(client, **params))) == expected


def test_filters_by_section_author_tag_mine_and_date(client, newsroom):
    from taggit.models import Tag

    client.force_login(newsroom["reporter"])
    assert set(headlines(desk(client, section=newsroom["war"].pk))) == {"Live story", "Draft story", "Scheduled story"}
    assert set(headlines(desk(client, author=newsroom["ivan"].pk))) == {"Changed story", "Review story"}
    assert set(headlines(desk(client, tag=Tag.objects.get(name="Kyiv").pk))) == {"Live story"}
    assert set(headlines(desk(client, mine="on"))) == {"Live story", "Draft story"}  # bylined, or started by her
    today = timezone.localdate().isoformat()
    assert set(headlines(desk(client, published_from=today))) == {"Live story", "Changed story"}
    assert set(headlines(desk(client, published_to="2000-01-01"))) == set()


@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"section": "999999"},
        {"section": "x'; DROP TABLE"},
        {"author": "-1"},
        {"tag": XSS},
        {"q": XSS},
        {"published_from": "not a date"},
        {"ordering": "password"},
        {"p": "99999999999"},
        {"q": "\x00" + "ü" * 5000},
        {"mine": "🙂"},
    ],
)
def test_hostile_parameters_never_break_the_desk(client, newsroom, params):
    client.force_login(newsroom["editor"])
    response = client.get(DESK, params)
    has_nul = any("\x00" in str(value) for value in params.values())
    assert response.status_code == 400 if has_nul else response.status_code in (200, 404)
    assert XSS not in response.content.decode()


@pytest.mark.parametrize(
    "params", [{}, {"status": Status.LIVE}, {"section": "war"}, {"ordering": "-first_published_at"}]
)
def test_queries_do_not_grow_with_the_articles(client, newsroom, params):
    client.force_login(newsroom["editor"])
    if params.get("section") == "war":
        params = {"section": newsroom["war"].pk}
    desk(client, **params)  # warm the per-process caches (content types, sites)
    with CaptureQueriesContext(connection) as few:
        desk(client, **params)
    for n in range(20):
        published_article(title=f"More {n}", slug=f"more-{n}", section=newsroom["war"], authors=[newsroom["ivan"]])
    desk(client, **params)  # publishing expired the cached settings; warm them again
    with CaptureQueriesContext(connection) as many:
        response = desk(client, **params)
    assert len(response.context["pages"]) > 5
    from masthead.newsroom.tests._qshape import shapes

    assert len(many) == len(few), shapes(many, few)
    assert len(many) <= 25  # the session, permissions, the page of rows and what each column prefetches


def test_reporters_see_the_desk_readers_do_not(client, newsroom, make_user):
    client.force_login(make_user("reader"))
    assert client.get(DESK).status_code in (302, 403)
    client.force_login(newsroom["reporter"])
    assert client.get(DESK).status_code == 200


def test_the_dashboard_shows_my_drafts_waiting_for_review_and_scheduled_next(client, newsroom):
    client.force_login(newsroom["reporter"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "My drafts" in html and "Draft story" in html
    assert "Waiting for review" not in html  # reporters do not review
    assert "Scheduled next" in html and "Scheduled story" in html

    client.force_login(newsroom["editor"])
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Waiting for review" in html and "Review story" in html
    assert f"{DESK}?status=review" in html


def test_the_article_chooser_opens_on_every_article_newest_first(client, newsroom):
    client.force_login(newsroom["editor"])
    published_article(title="Oldest", slug="oldest", hours_ago=500)
    published_article(title="Newest", slug="newest", hours_ago=0.1)
    response = client.get(reverse("wagtailadmin_choose_page"), {"page_type": "newsroom.articlepage"})
    html = response.json()["html"]
    assert html.index("Newest") < html.index("Live story") < html.index("Oldest")
    assert "Draft story" not in html  # only what can be linked to


def test_the_article_chooser_searches(client, newsroom):
    client.force_login(newsroom["editor"])
    response = client.get(
        reverse("wagtailadmin_choose_page_search"), {"page_type": "newsroom.articlepage", "q": "Changed"}
    )
    assert "Changed story" in response.content.decode()
