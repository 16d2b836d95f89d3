"""The suppression list: a bounced, complaining or stopped address gets no newsletter email and loses its
subscriptions; signing up again sends one confirmation, and confirming lifts the suppression."""

import pytest

from masthead.newsletters import services
from masthead.newsletters.models import Notice, Subscriber, Subscription, Suppression
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory

Status = Subscription.Status


@pytest.fixture
def letter(db):
    return NewsletterFactory(name="Morning", slug="morning")


def test_suppressing_ends_the_subscriptions_and_stops_every_email_but_a_requested_confirmation(letter, smtp_server):
    subscription = SubscriptionFactory(subscriber__email="bouncy@example.org", newsletter=letter, status=Status.ACTIVE)
    services.suppression_add(email="Bouncy@Example.org", reason=Suppression.Reason.BOUNCED)
    services.suppression_add(email="bouncy@example.org", reason=Suppression.Reason.COMPLAINED)  # twice is fine
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    assert Suppression.objects.get().reason == Suppression.Reason.BOUNCED
    welcome = Notice.objects.create(
        kind=Notice.Kind.WELCOME, subscriber=subscription.subscriber, subscription=subscription
    )
    assert services.notice_send(notice_id=welcome.pk) == Notice.Status.SKIPPED
    assert not smtp_server.messages


def test_signing_up_again_and_confirming_lifts_the_suppression(letter, smtp_server, django_capture_on_commit_callbacks):
    SubscriptionFactory(subscriber__email="back@example.org", newsletter=letter, status=Status.ACTIVE)
    services.suppression_add(email="back@example.org", reason=Suppression.Reason.COMPLAINED)
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_request(email="back@example.org", newsletters=[letter])
    assert [m["message"]["Subject"] for m in smtp_server.messages] == ["Confirm your subscription to Masthead"]
    token = services.confirmation_token(subscriber=Subscriber.objects.get())
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_confirm(token=token)
    assert not Suppression.objects.exists()
    assert Subscription.objects.get().status == Status.ACTIVE
    assert smtp_server.messages[-1]["message"]["Subject"] == "Welcome to Morning"


def test_editors_see_the_suppression_list(client, make_user, letter):
    services.suppression_add(email="listed@example.org", reason=Suppression.Reason.MANUAL)
    client.force_login(make_user("editor", "Editors"))
    page = client.get("/admin/snippets/newsletters/suppression/", {"q": "listed"})
    assert page.status_code == 200 and b"listed@example.org" in page.content
