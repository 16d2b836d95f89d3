"""Subscribing with double opt-in, through a real SMTP server (aiosmtpd): the form, the confirmation email and
its link, the welcome email sent once; the same answer for known and unknown addresses; robots, floods,
forged links and hostile input change nothing and never get a 500."""

import re
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from masthead.newsletters import services
from masthead.newsletters.models import Notice, Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory

SITE = "http://testserver"
Status = Subscription.Status


@pytest.fixture(autouse=True)
def rate_limits_forgotten():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def newsletters(db):
    return [
        NewsletterFactory(name="Morning Briefing", slug="morning", cadence="daily", sort_order=1),
        NewsletterFactory(name="Weekly Analysis", slug="weekly", sort_order=2, reply_to="editors@example.org"),
        NewsletterFactory(name="Old Letter", slug="old", archived=True),
        NewsletterFactory(name="Staff Only", slug="staff", is_public=False),
    ]


@pytest.fixture
def subscribe(client, django_capture_on_commit_callbacks):
    def post(data, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/newsletters/subscribe/", data, HTTP_ORIGIN=SITE, **headers)

    return post


def link_in(message) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"http://\S+/newsletters/confirm/\S+/", text).group(0)


def confirm(client, link, capture):
    path = link.replace("http://127.0.0.1:8000", "")
    page = client.get(path)
    assert page.status_code == 200 and b"Confirm" in page.content
    with capture(execute=True):
        return client.post(path, HTTP_ORIGIN=SITE)


def test_the_newsletters_page_lists_what_readers_can_subscribe_to_and_is_cacheable(client, newsletters):
    page = client.get("/newsletters/")
    soup = BeautifulSoup(page.content, "html.parser")
    choices = [box["value"] for box in soup.select("main input[name=newsletters]")]
    assert choices == ["morning", "weekly"]
    assert soup.select_one("form[data-subscribe]")["action"] == "/newsletters/subscribe/"
    assert "public" in page["Cache-Control"] and "s-maxage" in page["Cache-Control"]
    assert b"csrfmiddlewaretoken" not in page.content and "Cookie" not in page.get("Vary", "")
    assert not page.cookies


def test_double_opt_in_from_the_form_to_the_welcome_email(
    client, newsletters, subscribe, smtp_server, django_capture_on_commit_callbacks
):
    answer = subscribe({"email": " Reader@Example.org ", "newsletters": ["morning", "weekly"]})
    assert answer.status_code == 302 and answer["Location"] == "/newsletters/check-your-email/"
    assert b"confirmation email" in client.get(answer["Location"]).content
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "reader@example.org"
    assert set(subscriber.subscriptions.values_list("status", flat=True)) == {Status.PENDING}

    [sent] = smtp_server.messages
    message = sent["message"]
    assert sent["to"] == ["reader@example.org"]
    assert message["Subject"].startswith("Confirm your subscription")
    assert message["Message-ID"]
    assert "Morning Briefing" in message.get_body(preferencelist=("plain",)).get_content()
    assert message.get_body(preferencelist=("html",)) is not None

    done = confirm(client, link_in(message), django_capture_on_commit_callbacks)
    assert done.status_code == 200 and b"You are subscribed" in done.content
    assert set(subscriber.subscriptions.values_list("status", flat=True)) == {Status.ACTIVE}
    welcomes = [m["message"] for m in smtp_server.messages[1:]]
    assert sorted(m["Subject"] for m in welcomes) == ["Welcome to Morning Briefing", "Welcome to Weekly Analysis"]
    weekly = next(m for m in welcomes if "Weekly" in m["Subject"])
    assert weekly["Reply-To"] == "editors@example.org"

    again = confirm(client, link_in(message), django_capture_on_commit_callbacks)
    assert b"Already confirmed" in again.content
    assert len(smtp_server.messages) == 3, "the welcome is sent once"


def test_the_same_answer_whether_or_not_the_address_is_known(newsletters, subscribe, smtp_server):
    SubscriptionFactory(subscriber__email="known@example.org", newsletter=newsletters[0], status=Status.ACTIVE)
    known = subscribe({"email": "known@example.org", "newsletters": ["morning"]}, HTTP_ACCEPT="application/json")
    unknown = subscribe({"email": "new@example.org", "newsletters": ["morning"]}, HTTP_ACCEPT="application/json")
    assert (known.status_code, known.json()) == (unknown.status_code, unknown.json())
    assert [m["to"] for m in smtp_server.messages] == [["new@example.org"]], "nothing to confirm for the known one"


def test_one_confirmation_email_per_address_in_ten_minutes(newsletters, subscribe, smtp_server):
    for _ in range(3):
        subscribe({"email": "twice@example.org", "newsletters": ["morning"]})
    subscribe({"email": "twice@example.org", "newsletters": ["weekly"]})
    assert len(smtp_server.messages) == 1
    assert Subscription.objects.filter(status=Status.PENDING).count() == 2, "the one link confirms both"


def test_unsubscribed_then_subscribing_again_needs_a_new_confirmation(newsletters, subscribe, smtp_server):
    old = SubscriptionFactory(
        subscriber__email="back@example.org", newsletter=newsletters[0], status=Status.UNSUBSCRIBED
    )
    Notice.objects.create(kind=Notice.Kind.WELCOME, subscriber=old.subscriber, subscription=old, status="sent")
    subscribe({"email": "back@example.org", "newsletters": ["morning"]})
    old.refresh_from_db()
    assert old.status == Status.PENDING and old.unsubscribed_at is None
    assert len(smtp_server.messages) == 1


def test_javascript_gets_json_in_place_of_a_redirect(newsletters, subscribe, smtp_server):
    good = subscribe({"email": "js@example.org", "newsletters": ["weekly"]}, HTTP_ACCEPT="application/json")
    assert good.status_code == 200 and good.json()["ok"] is True
    bad = subscribe({"email": "not-an-address", "newsletters": ["weekly"]}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert bad.json()["errors"]["email"] == ["Enter a valid email address."]


def test_a_robot_filling_the_trap_is_answered_as_if_it_worked(newsletters, subscribe, smtp_server):
    answer = subscribe({"email": "bot@example.org", "newsletters": ["morning"], "website": "http://spam.example"})
    assert answer.status_code == 302
    assert not Subscriber.objects.exists() and not smtp_server.messages


def test_a_flood_from_one_client_gets_429_with_retry_after(newsletters, subscribe, smtp_server):
    answers = [subscribe({"email": f"flood{n}@example.org", "newsletters": ["morning"]}) for n in range(12)]
    assert [a.status_code for a in answers[:10]] == [302] * 10
    assert answers[10].status_code == 429 and int(answers[10]["Retry-After"]) > 0
    assert Subscriber.objects.count() == 10


def test_a_flood_for_one_address_gets_429(newsletters, subscribe, smtp_server, client):
    for n in range(5):
        assert (
            subscribe(
                {"email": "target@example.org", "newsletters": ["morning"]}, REMOTE_ADDR=f"10.0.0.{n}"
            ).status_code
            == 302
        )
    sixth = subscribe({"email": "TARGET@example.org", "newsletters": ["morning"]}, REMOTE_ADDR="10.0.0.9")
    assert sixth.status_code == 429


def test_a_post_from_another_site_is_refused(client, newsletters):
    client = Client(enforce_csrf_checks=True)  # as a browser: the Origin is checked
    answer = client.post(
        "/newsletters/subscribe/",
        {"email": "x@example.org", "newsletters": ["morning"]},
        HTTP_ORIGIN="https://evil.example",
    )
    assert answer.status_code == 403 and not Subscriber.objects.exists()
    assert client.get("/newsletters/subscribe/").status_code == 405


HOSTILE = [
    {"email": "<script>alert(1)</script>@example.org", "newsletters": ["morning"]},
    {"email": "x@example.org\r\nBcc: victim@example.org", "newsletters": ["morning"]},
    {"email": "'; DROP TABLE newsletters_subscriber; --", "newsletters": ["morning"]},
    {"email": "a" * 300 + "@example.org", "newsletters": ["morning"]},
    {"email": "ok@example.org", "newsletters": ["archived-or-not-there"]},
    {"email": "ok@example.org", "newsletters": ["old"]},
    {"email": "ok@example.org", "newsletters": ["staff"]},
    {"email": "ok@example.org"},
    {"email": ["a@example.org", "b@example.org"], "newsletters": ["morning"]},
    {"email": "ok@example.org", "newsletters": ["morning" * 10_000]},
    {"email": "\x00@example.org", "newsletters": ["morning"]},
    {"email": "", "newsletters": [""]},
]


@pytest.mark.parametrize("data", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_sign_ups_get_a_clear_error_and_change_nothing(newsletters, subscribe, smtp_server, data):
    answer = subscribe(data)
    assert answer.status_code == 400
    assert b"<script>alert" not in answer.content
    assert b"form__error" in answer.content or b"NUL character" in answer.content
    assert not Subscriber.objects.exists() and not smtp_server.messages


def test_a_ten_megabyte_post_is_refused_without_a_500(client, newsletters):
    answer = client.post(
        "/newsletters/subscribe/",
        {"email": "big@example.org", "newsletters": ["morning"], "website": "", "filler": "x" * 10_000_000},
        HTTP_ORIGIN=SITE,
    )
    assert answer.status_code in (400, 413)
    assert not Subscriber.objects.exists()


def test_unicode_addresses(newsletters, subscribe, smtp_server):
    answer = subscribe({"email": "читач@приклад.укр", "newsletters": ["morning"]}, HTTP_ACCEPT="application/json")
    assert answer.status_code in (200, 400)
    if answer.status_code == 400:
        assert answer.json()["errors"]["email"]
    assert len(smtp_server.messages) == Subscriber.objects.count()


@pytest.mark.parametrize("kind", ["confirm", "preferences", "unsubscribe"])
@pytest.mark.parametrize(
    "token",
    ["nonsense", "a" * 600, "eyJzIjoxfQ:1abc:forged", "../../admin", "%00", "<script>alert(1)</script>", "1:2:3"],
)
def test_forged_or_damaged_links_change_nothing(client, newsletters, kind, token):
    SubscriptionFactory(subscriber__email="victim@example.org", newsletter=newsletters[0])
    for answer in (
        client.get(f"/newsletters/{kind}/{token}/"),
        client.post(f"/newsletters/{kind}/{token}/", HTTP_ORIGIN=SITE),
    ):
        assert answer.status_code in (400, 404)
        assert b"<script>" not in answer.content
    assert Subscription.objects.get().status == Status.PENDING


def test_a_link_signed_for_another_purpose_or_address_confirms_nothing(client, newsletters):
    subscription = SubscriptionFactory(subscriber__email="victim@example.org", newsletter=newsletters[0])
    subscriber = subscription.subscriber
    wrong_salt = signing.dumps({"s": subscriber.pk, "e": subscriber.email}, salt="something.else", compress=True)
    wrong_email = signing.dumps(
        {"s": subscriber.pk, "e": "other@example.org"}, salt=services.CONFIRM_SALT, compress=True
    )
    for token in (wrong_salt, wrong_email):
        assert client.post(f"/newsletters/confirm/{token}/", HTTP_ORIGIN=SITE).status_code == 400
    assert Subscription.objects.get().status == Status.PENDING


def test_an_expired_link_says_so_and_confirms_nothing(client, newsletters, settings):
    subscription = SubscriptionFactory(subscriber__email="late@example.org", newsletter=newsletters[0])
    token = services.confirmation_token(subscriber=subscription.subscriber)
    settings.MASTHEAD_NEWSLETTER_CONFIRM_DAYS = 0
    answer = client.post(f"/newsletters/confirm/{token}/", HTTP_ORIGIN=SITE)
    assert answer.status_code == 400 and b"expired" in answer.content
    assert Subscription.objects.get().status == Status.PENDING


def test_the_link_only_shows_a_button_until_pressed_from_this_site(client, newsletters):
    subscription = SubscriptionFactory(subscriber__email="scan@example.org", newsletter=newsletters[0])
    path = f"/newsletters/confirm/{services.confirmation_token(subscriber=subscription.subscriber)}/"
    assert client.get(path).status_code == 200  # a mail scanner opening the link confirms nothing
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(path, HTTP_ORIGIN="https://evil.example").status_code == 403
    assert browser.post(path).status_code == 403, "no Origin or Referer at all"
    assert Subscription.objects.get().status == Status.PENDING
    assert "no-cache" in client.get(path)["Cache-Control"] or "max-age=0" in client.get(path)["Cache-Control"]


def test_a_mail_server_that_is_down_is_retried_and_the_email_sent_once(newsletters, subscribe, smtp_server):
    smtp_server.stop()
    subscribe({"email": "later@example.org", "newsletters": ["morning"]})
    notice = Notice.objects.get()
    assert notice.status == Notice.Status.FAILED and notice.attempts == 1 and notice.error
    smtp_server.start()
    assert services.notices_resume() == 1
    notice.refresh_from_db()
    assert notice.status == Notice.Status.SENT
    assert services.notice_send(notice_id=notice.pk) == Notice.Status.SENT, "a second run sends nothing"
    assert len(smtp_server.messages) == 1


def test_a_claim_held_by_a_dead_worker_is_taken_over(newsletters, smtp_server, settings):
    subscription = SubscriptionFactory(newsletter=newsletters[0])
    notice = Notice.objects.create(
        kind=Notice.Kind.CONFIRM,
        subscriber=subscription.subscriber,
        status=Notice.Status.SENDING,
        claimed_at=timezone.now() - timedelta(seconds=settings.MASTHEAD_TASK_LEASE_SECONDS + 5),
    )
    fresh = Notice.objects.create(
        kind=Notice.Kind.CONFIRM,
        subscriber=subscription.subscriber,
        status=Notice.Status.SENDING,
        claimed_at=timezone.now(),
    )
    assert services.notice_send(notice_id=fresh.pk) == Notice.Status.SENDING, "a live worker's claim is left alone"
    assert services.notice_send(notice_id=notice.pk) == Notice.Status.SENT
    assert len(smtp_server.messages) == 1


def test_the_footer_and_the_article_rail_carry_sign_up_forms(client, home, newsletters, subscribe, smtp_server):
    from masthead.newsroom.tests.factories import published_article

    article = published_article(title="A story", slug="a-story")
    soup = BeautifulSoup(client.get(article.url).content, "html.parser")
    footer = soup.select_one(".site-footer form[data-subscribe]")
    assert footer.select_one("input[name=newsletters]")["value"] == "morning", "the first newsletter, one field"
    rail = soup.select_one(".article-layout__rail form[data-subscribe]")
    assert [box["value"] for box in rail.select("input[name=newsletters]")] == ["morning", "weekly"]
    ids = [tag["id"] for tag in soup.select("[id]")]
    assert len(ids) == len(set(ids)), "two forms on one page, no id twice"
    assert subscribe({"email": "footer@example.org", "newsletters": ["morning"]}).status_code == 302


def test_a_renamed_newsletter_shows_at_once_in_the_kept_layout(client, home, newsletters):
    assert b"Morning Briefing" in client.get("/newsletters/").content
    newsletters[0].name = "Dawn Digest"
    newsletters[0].save()
    page = client.get("/newsletters/").content
    assert b"Dawn Digest" in page and b"Morning Briefing" not in page


def test_a_refused_sign_up_keeps_what_was_ticked(newsletters, subscribe):
    answer = subscribe({"email": "not an address", "newsletters": ["morning", "weekly"]})
    soup = BeautifulSoup(answer.content, "html.parser")
    ticked = [box["value"] for box in soup.select("main input[name=newsletters][checked]")]
    assert ticked == ["morning", "weekly"]
    assert soup.select_one("#subscribe-email")["value"] == "not an address"


def test_a_newsletter_without_its_own_sender_sends_from_the_sites_address(settings):
    from masthead.newsletters.models import Newsletter

    settings.DEFAULT_FROM_EMAIL = "The Newsroom <newsroom@example.org>"  # a whole "Name <address>", as allowed
    settings.WAGTAIL_SITE_NAME = "Test Newsroom"
    assert Newsletter(name="Morning", slug="morning").from_address == "Test Newsroom <newsroom@example.org>"
    named = Newsletter(name="Morning", slug="morning", sender_name="Morning Desk", sender_email="desk@example.org")
    assert named.from_address == "Morning Desk <desk@example.org>"
