"""Leaving and choosing: one-click unsubscribe (RFC 8058) from every newsletter email, the preferences page
from its signed link, and deleting an address with everything kept about it."""

import re

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from masthead.newsletters import services
from masthead.newsletters.models import Notice, Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory

SITE = "http://testserver"
Status = Subscription.Status


@pytest.fixture
def newsletters(db):
    return [NewsletterFactory(name="Morning", slug="morning"), NewsletterFactory(name="Weekly", slug="weekly")]


@pytest.fixture
def subscription(newsletters):
    return SubscriptionFactory(subscriber__email="reader@example.org", newsletter=newsletters[0], status=Status.ACTIVE)


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_welcome_email_carries_one_click_unsubscribe_and_the_preferences_link(
    newsletters, smtp_server, django_capture_on_commit_callbacks
):
    services.subscription_request(email="new@example.org", newsletters=[newsletters[1]])
    token = services.confirmation_token(subscriber=Subscriber.objects.get())
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_confirm(token=token)
    welcome = next(m["message"] for m in smtp_server.messages if m["message"]["Subject"].startswith("Welcome"))
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(
        r"<(https?://\S+/newsletters/unsubscribe/\S+/)>", welcome["List-Unsubscribe"].strip()
    ).group(1)
    text = welcome.get_body(preferencelist=("plain",)).get_content()
    assert unsubscribe in text and "/newsletters/preferences/" in text

    # What a mail provider does (RFC 8058): a POST with that body, no cookie, no Origin.
    provider = Client(enforce_csrf_checks=True)
    answer = provider.post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert Subscription.objects.get().status == Status.UNSUBSCRIBED
    assert provider.post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"}).status_code == 200, "twice is fine"


def test_opening_the_unsubscribe_link_shows_a_button_and_changes_nothing(client, subscription):
    path = f"/newsletters/unsubscribe/{services.unsubscribe_token(subscription=subscription)}/"
    page = client.get(path)
    assert page.status_code == 200 and b"Unsubscribe from Morning?" in page.content
    assert Subscription.objects.get().status == Status.ACTIVE
    done = client.post(path)
    assert b"You are unsubscribed" in done.content
    assert Subscription.objects.get().status == Status.UNSUBSCRIBED


def test_the_preferences_page_shows_and_saves_each_newsletter(
    client, subscription, newsletters, smtp_server, django_capture_on_commit_callbacks
):
    path = f"/newsletters/preferences/{services.preferences_token(subscriber=subscription.subscriber)}/"
    page = BeautifulSoup(client.get(path).content, "html.parser")
    assert {box["value"]: box.has_attr("checked") for box in page.select("main input[name=newsletters]")} == {
        "morning": True,
        "weekly": False,
    }
    with django_capture_on_commit_callbacks(execute=True):
        saved = client.post(path, {"action": "save", "newsletters": ["weekly"]}, HTTP_ORIGIN=SITE)
    assert b"Saved." in saved.content
    statuses = dict(Subscription.objects.values_list("newsletter__slug", "status"))
    assert statuses == {"morning": Status.UNSUBSCRIBED, "weekly": Status.ACTIVE}
    assert [m["message"]["Subject"] for m in smtp_server.messages] == ["Welcome to Weekly"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(path, {"action": "save"}, HTTP_ORIGIN=SITE)
    assert set(Subscription.objects.values_list("status", flat=True)) == {Status.UNSUBSCRIBED}


def test_deleting_the_address_keeps_nothing_about_it(client, subscription):
    Notice.objects.create(kind=Notice.Kind.CONFIRM, subscriber=subscription.subscriber, status="sent")
    token = services.preferences_token(subscriber=subscription.subscriber)
    answer = client.post(f"/newsletters/preferences/{token}/", {"action": "forget"}, HTTP_ORIGIN=SITE)
    assert b"Your address is deleted" in answer.content
    assert not Subscriber.objects.exists() and not Subscription.objects.exists() and not Notice.objects.exists()
    assert client.get(f"/newsletters/preferences/{token}/").status_code == 400, "the old link leads nowhere"


def test_the_preferences_form_must_come_from_this_site(subscription):
    token = services.preferences_token(subscriber=subscription.subscriber)
    browser = Client(enforce_csrf_checks=True)
    answer = browser.post(
        f"/newsletters/preferences/{token}/", {"action": "forget"}, HTTP_ORIGIN="https://evil.example"
    )
    assert answer.status_code == 403 and Subscriber.objects.exists()


def test_links_of_one_kind_do_not_open_another(client, subscription):
    preferences = services.preferences_token(subscriber=subscription.subscriber)
    confirm = services.confirmation_token(subscriber=subscription.subscriber)
    assert client.post(f"/newsletters/unsubscribe/{preferences}/", HTTP_ORIGIN=SITE).status_code == 400
    assert client.get(f"/newsletters/preferences/{confirm}/").status_code == 400
    assert Subscription.objects.get().status == Status.ACTIVE


def test_hostile_preferences_change_nothing_they_should_not(client, subscription, newsletters):
    path = f"/newsletters/preferences/{services.preferences_token(subscriber=subscription.subscriber)}/"
    too_many = client.post(path, {"action": "save", "newsletters": ["x"] * 101}, HTTP_ORIGIN=SITE)
    assert too_many.status_code == 400
    unknown = client.post(path, {"action": "save", "newsletters": ["morning", "'; DROP TABLE x; --"]}, HTTP_ORIGIN=SITE)
    assert unknown.status_code == 200
    assert dict(Subscription.objects.values_list("newsletter__slug", "status")) == {"morning": Status.ACTIVE}
    assert client.put(path).status_code == 405
