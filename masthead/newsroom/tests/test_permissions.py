"""Who may do what on the editors' desk: every action × every role × own or another's × live or draft.

Documented in docs/editors-desk.md ("Who may do what"); the table below is that table, action by action.
"""

import pytest
from django.urls import reverse
from wagtail.models import GroupApprovalTask, Page

from masthead.newsroom.models import ArticlePage, ArticleYearPage
from masthead.newsroom.services import archive_year_ensure
from masthead.newsroom.tests.factories import ArticlePageFactory, SectionPageFactory, StandardPageFactory, publish

ROLES = {"reporter": "Reporters", "editor": "Editors", "admin": "Administrators", "reader": None}
ACTIONS = ["edit", "submit", "approve", "publish", "schedule", "unpublish", "delete", "move"]
ALL = dict.fromkeys(ACTIONS, True)
NOTHING = dict.fromkeys(ACTIONS, False)
REPORTER = {**NOTHING, "edit": True, "submit": True}

# (role, whose article, live?) -> what that role may do to it
EXPECTED = {
    ("reporter", "own", False): {**REPORTER, "delete": True},  # their own draft, never published
    ("reporter", "own", True): REPORTER,
    ("reporter", "other", False): REPORTER,  # may edit a colleague's draft, never delete it
    ("reporter", "other", True): REPORTER,
    **{
        (role, whose, live): {**ALL, "unpublish": live}
        for role in ("editor", "admin")
        for whose in ("own", "other")
        for live in (False, True)
    },
    **{("reader", whose, live): NOTHING for whose in ("own", "other") for live in (False, True)},
}


@pytest.fixture
def people(home, make_user):
    return {role: make_user(role, *([group] if group else [])) for role, group in ROLES.items()}


def can(page, user, action) -> bool:
    tester = Page.objects.get(pk=page.pk).permissions_for_user(user)  # as the admin asks, from a plain Page
    task = GroupApprovalTask.objects.get(name="Editors approve")
    return {
        "edit": lambda: tester.can_edit(),
        "submit": lambda: tester.can_edit() and tester.can_submit_for_moderation(),
        "approve": lambda: "approve" in [name for name, *_ in task.get_actions(page, user)],
        "publish": lambda: tester.can_publish(),
        "schedule": lambda: tester.can_publish() and tester.can_unschedule(),
        "unpublish": lambda: tester.can_unpublish(),
        "delete": lambda: tester.can_delete(),
        "move": lambda: tester.can_move(),
    }[action]()


def article_for(owner, *, live: bool) -> ArticlePage:
    article = ArticlePageFactory(live=False, owner=owner)
    article.save_revision(user=owner)
    return publish(article) if live else article


@pytest.mark.parametrize(("role", "whose", "live"), list(EXPECTED))
def test_article_permission_matrix(home, people, make_user, role, whose, live):
    user = people[role]
    owner = user if whose == "own" else make_user("colleague", "Reporters")
    article = article_for(owner, live=live)
    actual = {action: can(article, user, action) for action in ACTIONS}
    assert actual == EXPECTED[(role, whose, live)]


def test_a_reporters_once_published_story_is_not_theirs_to_delete(home, people):
    article = article_for(people["reporter"], live=True)
    article.unpublish()
    assert not can(article, people["reporter"], "delete")
    assert can(article, people["editor"], "delete")


@pytest.mark.parametrize("role", list(ROLES))
def test_who_adds_articles(home, people, role):
    folder = archive_year_ensure(year=2026)
    assert folder.permissions_for_user(people[role]).can_add_subpage() == (role != "reader")


@pytest.mark.parametrize("kind", ["home", "section", "standard page", "article archive", "year folder"])
@pytest.mark.parametrize("role", list(ROLES))
def test_the_rest_of_the_site_is_for_editors(home, people, role, kind):
    page = {
        "home": lambda: home,
        "section": lambda: SectionPageFactory(parent=home),
        "standard page": lambda: StandardPageFactory(parent=home),
        "article archive": lambda: home.get_children().get(slug="articles"),
        "year folder": lambda: archive_year_ensure(year=2026),
    }[kind]()
    may = role in ("editor", "admin")
    tester = Page.objects.get(pk=page.pk).permissions_for_user(people[role])
    assert tester.can_edit() == may
    assert tester.can_publish() == may
    assert (tester.can_edit() and tester.can_submit_for_moderation()) == may
    # Administrators delete whole subtrees; Editors delete pages with nothing under them (here the empty year).
    leaf = kind in ("section", "standard page", "year folder")
    assert tester.can_delete() == (role == "admin" or (role == "editor" and leaf))


def test_a_reporter_cannot_delete_a_colleagues_draft_through_the_admin(client, home, people, make_user):
    draft = article_for(make_user("colleague", "Reporters"), live=False)
    client.force_login(people["reporter"])
    url = reverse("wagtailadmin_pages:delete", args=[draft.pk])
    assert client.get(url).status_code in (302, 403)
    client.post(url)
    assert ArticlePage.objects.filter(pk=draft.pk).exists()


def test_a_reporter_deletes_their_own_draft_through_the_admin(client, home, people):
    draft = article_for(people["reporter"], live=False)
    client.force_login(people["reporter"])
    response = client.post(reverse("wagtailadmin_pages:delete", args=[draft.pk]))
    assert response.status_code == 302
    assert not ArticlePage.objects.filter(pk=draft.pk).exists()


def test_a_reporter_cannot_open_or_change_the_front_page_or_a_section(client, home, people):
    section = SectionPageFactory(parent=home, title="War", slug="war")
    client.force_login(people["reporter"])
    for page in (home, section):
        url = reverse("wagtailadmin_pages:edit", args=[page.pk])
        assert client.get(url).status_code in (302, 403)
        client.post(url, {"title": "Taken over", "slug": page.slug, "action-submit": "1"})
        page.refresh_from_db()
        assert page.title != "Taken over"
        assert not page.has_unpublished_changes


def test_a_reporter_cannot_move_an_article(client, home, people):
    article = article_for(people["reporter"], live=False)
    other_year = ArticleYearPage.objects.get(pk=archive_year_ensure(year=2025).pk)
    client.force_login(people["reporter"])
    client.post(reverse("wagtailadmin_pages:move_confirm", args=[article.pk, other_year.pk]))
    article.refresh_from_db()
    assert article.get_parent().pk != other_year.pk


def test_a_reporter_adds_a_freelancer_to_the_authors(client, home, people):
    from masthead.newsroom.models import Author

    client.force_login(people["reporter"])
    response = client.post(
        reverse("wagtailsnippets_newsroom_author:add"),
        {"name": "Freelance Writer", "slug": "freelance-writer", "team_order": "100"},
    )
    assert response.status_code == 302
    assert Author.objects.filter(slug="freelance-writer").exists()
