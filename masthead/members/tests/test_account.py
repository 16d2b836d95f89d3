"""A member's page: their name, notification settings, newsletters and comments; and deleting the account,
which leaves none of their personal data in the database and their comments anonymised."""

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.db import models
from django.utils import timezone

from masthead.comments.models import Ban, Comment, Like, ModerationAction, Report
from masthead.comments.services import comment_like, comment_report, member_ban
from masthead.comments.tests.factories import article_by, comment, member, staff
from masthead.members.models import User
from masthead.newsletters.models import Newsletter, Subscriber, Subscription


@pytest.fixture
def olena(home):
    return member("Olena Savchenko", email="olena.savchenko@example.com")


def test_account_page_shows_and_saves_settings(olena, client):
    client.force_login(olena)
    page = client.get("/account/").content.decode()
    assert "Olena Savchenko" in page and "olena.savchenko@example.com" in page
    assert "email me about comments on articles I wrote" not in page.lower()  # not a writer
    response = client.post("/account/", {"display_name": "Olena S.", "notify_replies": ""})
    assert response.status_code == 302
    olena.refresh_from_db()
    assert (olena.display_name, olena.notify_replies) == ("Olena S.", False)


@pytest.mark.parametrize("name", ["", "   ", "\u200b\u202e", "x" * 51, ["a", "b"]])
def test_account_page_refuses_bad_names(olena, client, name):
    client.force_login(olena)
    response = client.post("/account/", {"display_name": name})
    if isinstance(name, list):  # the last value wins, as for every Django form
        assert response.status_code == 302
        return
    assert response.status_code == 400 and 'class="form__error"' in response.content.decode()
    olena.refresh_from_db()
    assert olena.display_name == "Olena Savchenko"


def test_a_writer_can_turn_off_comment_emails(home, client):
    reporter = staff("Iryna", "Reporters")
    article_by(reporter, title="Mine", slug="mine")
    client.force_login(reporter)
    assert "email me about comments on articles i wrote" in client.get("/account/").content.decode().lower()
    client.post("/account/", {"display_name": "Iryna", "notify_replies": "on"})
    reporter.refresh_from_db()
    assert reporter.notify_comments is False and reporter.notify_replies is True


def test_newsletters_are_listed_with_the_link_to_change_them(olena, client):
    letter = Newsletter.objects.create(name="Morning Brief", slug="morning-brief")
    subscriber = Subscriber.objects.create(email=olena.email)
    Subscription.objects.create(
        subscriber=subscriber, newsletter=letter, status=Subscription.Status.ACTIVE, requested_at=timezone.now()
    )
    client.force_login(olena)
    page = client.get("/account/").content.decode()
    assert "Morning Brief" in page and "/newsletters/preferences/" in page
    preferences = page.split('href="/newsletters/preferences/')[1].split('"')[0]
    assert client.get(f"/newsletters/preferences/{preferences}").status_code == 200


def test_signed_out_readers_are_sent_to_sign_in(home, client):
    response = client.get("/account/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/account/login/code/?next=%2Faccount%2F")
    assert client.get("/account/delete/").status_code == 302


def test_deleting_the_account_leaves_no_personal_data(olena, client):
    petro = member("Petro")
    editor = staff("Marta", "Editors")
    article = article_by(title="Story", slug="story")
    mine = comment(article, olena, "Olena's view on the story")
    theirs = comment(article, petro, "Petro's view")
    comment_like(member=olena, comment=theirs)
    comment_report(member=olena, comment=theirs, reason="spam")
    comment_like(member=petro, comment=mine)
    member_ban(actor=editor, member=olena, reason="Heated words")
    letter = Newsletter.objects.create(name="Morning Brief", slug="morning-brief")
    subscriber = Subscriber.objects.create(email=olena.email, name="Olena Savchenko")
    Subscription.objects.create(subscriber=subscriber, newsletter=letter, requested_at=timezone.now())
    client.force_login(olena)

    refused = client.post("/account/delete/", {})
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert User.objects.filter(pk=olena.pk).exists()

    response = client.post("/account/delete/", {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == "/account/deleted/"
    assert not User.objects.filter(pk=olena.pk).exists()
    assert client.get("/account/").status_code == 302  # signed out

    mine.refresh_from_db()
    assert mine.member is None and mine.body == "Olena's view on the story"  # kept, anonymised
    theirs.refresh_from_db()
    assert theirs.like_count == 0 and not Like.objects.filter(comment=theirs).exists()
    assert Report.objects.get().member is None
    assert not Ban.objects.exists() and not Subscriber.objects.filter(email=olena.email).exists()
    assert ModerationAction.objects.get(kind="ban").member is None
    page = client.get(f"/comments/{article.pk}/").content.decode()
    assert "Deleted member" in page and "Olena Savchenko" not in page

    traces = _rows_mentioning(["olena.savchenko@example.com", "Olena Savchenko", olena.username])
    assert traces == []


def _rows_mentioning(needles: list[str]) -> list[str]:
    """Every text column of every table (sessions decoded) that still holds one of the needles."""
    found = []
    for model in apps.get_models():
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, (models.CharField, models.TextField, models.JSONField))
        ]
        if not text_fields:
            continue
        for row in model.objects.values(*text_fields):
            for name, value in row.items():
                if value and any(needle.lower() in str(value).lower() for needle in needles):
                    found.append(f"{model._meta.label}.{name}")
    for session in Session.objects.all():
        decoded = str(session.get_decoded())
        if any(needle.lower() in decoded.lower() for needle in needles):
            found.append("session")
    return found


def test_staff_delete_no_account_here(home, client):
    editor = staff("Marta", "Editors")
    client.force_login(editor)
    assert client.get("/account/delete/").status_code == 404
    assert client.post("/account/delete/", {"confirm": "on"}).status_code == 404
    assert User.objects.filter(pk=editor.pk).exists()


def test_comments_deleted_by_their_writer_are_not_personal_data_left_behind(olena, client):
    article = article_by(title="Story", slug="story")
    mine = comment(article, olena, "Something I wrote")
    client.force_login(olena)
    client.post(f"/comments/c/{mine.pk}/delete/")
    client.post("/account/delete/", {"confirm": "on"})
    assert Comment.objects.get(pk=mine.pk).body == ""
