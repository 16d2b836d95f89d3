"""The email provider's reports (django-anymail's tracking webhooks, here Postmark's format) feed the suppression
list: a hard bounce or a spam complaint stops every newsletter to the address; the provider's unsubscribe ends
its subscriptions; a report without the webhook secret changes nothing."""

import base64
import json

import pytest

from masthead.newsletters.models import Subscription, Suppression
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory

URL = "/anymail/postmark/tracking/"
AUTH = "Basic " + base64.b64encode(b"provider:test-webhook-secret").decode()
Status = Subscription.Status


@pytest.fixture
def subscription(db):
    letter = NewsletterFactory(name="Morning", slug="morning")
    return SubscriptionFactory(subscriber__email="reader@example.org", newsletter=letter, status=Status.ACTIVE)


def report(client, payload: dict, auth: str = AUTH):
    return client.post(URL, json.dumps(payload), content_type="application/json", HTTP_AUTHORIZATION=auth)


def bounce(kind: str, email: str = "Reader@Example.org") -> dict:
    return {
        "RecordType": "Bounce" if kind != "SpamComplaint" else "SpamComplaint",
        "Type": kind,
        "TypeCode": 1,
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Email": email,
        "BouncedAt": "2026-11-27T10:00:00Z",
        "Description": "The server was unable to deliver your message.",
        "Details": "smtp;550 5.1.1 unknown user",
    }


@pytest.mark.parametrize(
    ("kind", "reason"), [("HardBounce", Suppression.Reason.BOUNCED), ("SpamComplaint", Suppression.Reason.COMPLAINED)]
)
def test_a_bounce_or_complaint_suppresses_the_address(client, subscription, kind, reason):
    assert report(client, bounce(kind)).status_code == 200
    assert Suppression.objects.get().email == "reader@example.org"
    assert Suppression.objects.get().reason == reason
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED


def test_a_passing_delay_suppresses_nothing(client, subscription):
    assert report(client, bounce("Transient")).status_code == 200
    assert not Suppression.objects.exists()
    subscription.refresh_from_db()
    assert subscription.status == Status.ACTIVE


def test_the_providers_unsubscribe_ends_the_subscriptions_without_suppressing(client, subscription):
    payload = {
        "RecordType": "SubscriptionChange",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "ChangedAt": "2026-11-27T10:00:00Z",
        "Recipient": "reader@example.org",
        "SuppressSending": True,
        "SuppressionReason": "ManualSuppression",
    }
    assert report(client, payload).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Status.UNSUBSCRIBED
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("auth", ["", "Basic " + base64.b64encode(b"provider:wrong").decode(), "Bearer x"])
def test_a_report_without_the_secret_changes_nothing(client, subscription, auth):
    assert report(client, bounce("HardBounce"), auth=auth).status_code in (400, 401, 403)
    assert not Suppression.objects.exists()


def test_nonsense_reports_are_refused_without_a_500(client, subscription):
    for body in ("not json", json.dumps([1, 2]), json.dumps({"RecordType": "Bounce"}), "{" * 10_000):
        answer = client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=AUTH)
        assert answer.status_code < 500
    assert not Suppression.objects.exists()
