"""Bylines tied to people: a staff account linked to its Author profile."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from masthead.newsroom.models import Author
from masthead.newsroom.services import archive_year_ensure
from masthead.newsroom.tests.factories import AuthorFactory


@pytest.fixture
def reporter(home, make_user):
    return make_user("olena", "Reporters")


def test_a_new_article_carries_the_reporters_byline(client, reporter):
    profile = AuthorFactory(name="Olena Hrazhdan", user=reporter)
    AuthorFactory(name="Someone Else")
    folder = archive_year_ensure(year=2026)
    client.force_login(reporter)
    url = reverse("wagtailadmin_pages:add", args=["newsroom", "articlepage", folder.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    assert data["authors-TOTAL_FORMS"] == "1"
    assert data["authors-0-author"] == str(profile.pk)


def test_without_a_profile_the_byline_starts_empty(client, reporter):
    folder = archive_year_ensure(year=2026)
    client.force_login(reporter)
    url = reverse("wagtailadmin_pages:add", args=["newsroom", "articlepage", folder.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form")
    assert data.get("authors-0-author", "") == ""  # one empty byline to fill in


def edit(client, author, **changes):
    url = reverse("wagtailsnippets_newsroom_author:edit", args=[author.pk])
    response = client.get(url)
    if response.status_code != 200:
        return client.post(url, {"name": "Taken over", "slug": author.slug, "team_order": "1"})
    data = querydict_from_html(response.content.decode(), form_id="w-editor-form").copy()
    data.update(changes)
    return client.post(url, data)


def test_an_author_edits_their_own_profile_and_no_one_elses(client, reporter, make_user):
    own = AuthorFactory(name="Olena Hrazhdan", user=reporter)
    other = AuthorFactory(name="Ivan Other")
    client.force_login(reporter)
    assert edit(client, own, bio="Reports from Kharkiv.").status_code == 302
    own.refresh_from_db()
    assert own.bio == "Reports from Kharkiv."

    response = edit(client, other)
    assert response.status_code in (302, 403)
    other.refresh_from_db()
    assert other.name == "Ivan Other"


def test_an_author_cannot_move_their_profile_to_another_account(client, reporter, make_user):
    own = AuthorFactory(name="Olena Hrazhdan", user=reporter)
    someone = make_user("someone", "Reporters")
    client.force_login(reporter)
    html = client.get(reverse("wagtailsnippets_newsroom_author:edit", args=[own.pk])).content.decode()
    assert 'name="user"' not in html  # only those who manage authors link accounts
    edit(client, own, user=str(someone.pk))
    own.refresh_from_db()
    assert own.user_id == reporter.pk


def test_editors_link_a_profile_to_an_account(client, reporter, make_user):
    author = AuthorFactory(name="Olena Hrazhdan")
    client.force_login(make_user("editor", "Editors"))
    assert edit(client, author, user=str(reporter.pk)).status_code == 302
    assert Author.objects.get(pk=author.pk).user_id == reporter.pk
