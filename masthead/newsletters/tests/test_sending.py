"""Sending issues through a real SMTP server (aiosmtpd): an article sent once however often it is published, a
digest and the News Feed, each email personalised with its own links and RFC 8058 headers, plain and HTML parts
with the CSS inlined; who left, was suppressed or never confirmed gets nothing; temporary failures wait and are
tried again, permanent ones give up and suppress; scheduling, cancelling, figures."""

import re
from datetime import timedelta

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings
from django.utils import timezone

from masthead.newsletters import sending, services
from masthead.newsletters.models import Delivery, Issue, IssueStory, Subscription, Suppression
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriberFactory, SubscriptionFactory
from masthead.newsroom.tests.factories import ArticlePageFactory, AuthorFactory, ImageFactory, paragraphs, publish

Status = Delivery.Status
ACTIVE = Subscription.Status.ACTIVE


@pytest.fixture
def newsletter(db):
    return NewsletterFactory(
        name="Morning Briefing", slug="morning", sender_name="The Newsroom", reply_to="desk@example.org"
    )


def subscribe(newsletter, *emails, status=ACTIVE, name=""):
    return [
        SubscriptionFactory(newsletter=newsletter, subscriber=SubscriberFactory(email=email, name=name), status=status)
        for email in emails
    ]


def story(**kwargs):
    kwargs.setdefault("authors", [AuthorFactory(name="Olena Reporter")])
    article = ArticlePageFactory(live=False, **kwargs)
    return publish(article)


@pytest.fixture
def send_all(django_capture_on_commit_callbacks):
    """Send an issue now, running the tasks it queues on commit (the tests' task backend runs them at once)."""

    def send(issue):
        with django_capture_on_commit_callbacks(execute=True):
            sending.issue_send(issue=issue)
        issue.refresh_from_db()
        return issue

    return send


def body(message, kind: str) -> str:
    return message.get_body(preferencelist=(kind,)).get_content()


def test_an_article_is_sent_once_however_often_it_is_published(
    home, newsletter, smtp_server, django_capture_on_commit_callbacks
):
    subscribe(newsletter, "a@example.org", "b@example.org")
    article = ArticlePageFactory(live=False, title="Bridge reopens", body=paragraphs("The bridge is open."))
    article.newsletters.set([newsletter])
    with django_capture_on_commit_callbacks(execute=True):
        publish(article)
    with django_capture_on_commit_callbacks(execute=True):
        article.save_revision().publish()  # published again: nothing more is sent
    issue = Issue.objects.get()
    assert (issue.kind, issue.article_id, issue.status) == (Issue.Kind.ARTICLE, article.pk, Issue.Status.SENT)
    assert sorted(m["to"][0] for m in smtp_server.messages) == ["a@example.org", "b@example.org"]
    assert smtp_server.messages[0]["message"]["Subject"] == "Bridge reopens"
    assert "The bridge is open." in body(smtp_server.messages[0]["message"], "html")
    with django_capture_on_commit_callbacks(execute=True):
        assert sending.article_issues_record(article=article) == []  # a second scheduler run, say
    assert len(smtp_server.messages) == 2 and Issue.objects.count() == 1


def test_each_email_is_personal_with_one_click_unsubscribe_and_both_parts(
    home, newsletter, smtp_server, client, send_all
):
    picture = ImageFactory()
    first = story(title="Frontline report", standfirst="What changed overnight.", featured_image=picture)
    second = story(title="Council budget")
    subscribe(newsletter, "olena@example.org", name="Olena <b>K</b>")
    subscribe(newsletter, "plain@example.org")
    issue = Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.DIGEST, intro="Good morning from the desk.")
    IssueStory.objects.create(issue=issue, article=first, sort_order=0)
    IssueStory.objects.create(issue=issue, article=second, sort_order=1)
    send_all(issue)

    assert issue.status == Issue.Status.SENT and issue.recipients == 2
    messages = {m["to"][0]: m["message"] for m in smtp_server.messages}
    olena, plain = messages["olena@example.org"], messages["plain@example.org"]
    assert olena["From"] == "The Newsroom <news@example.org>" and olena["Reply-To"] == "desk@example.org"
    assert olena["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<issue-\d+\.delivery-\d+@example\.org>", olena["Message-ID"])
    assert olena["Message-ID"] != plain["Message-ID"]
    assert olena["List-Unsubscribe"] != plain["List-Unsubscribe"]
    html, text = body(olena, "html"), body(olena, "plain")
    assert "Hello Olena &lt;b&gt;K&lt;/b&gt;," in html and "<b>K</b>" not in html  # a name is text, never markup
    assert "Hello Olena <b>K</b>," in text and "Hello," in body(plain, "plain")
    assert html.index("Frontline report") < html.index("Council budget") and "Good morning from the desk." in html
    assert 'style="' in html and "<h2" in html  # the CSS is inlined for clients that drop <style>
    assert re.search(r'<img [^>]*src="' + re.escape(settings.BASE_URL) + r'/[^"]+\.jpg"', html)  # absolute
    assert "%%MASTHEAD" not in html + text
    for link in re.findall(r"https?://\S+?/newsletters/(?:preferences|unsubscribe)/\S+?/", text):
        assert client.get(link.replace("http://127.0.0.1:8000", "")).status_code == 200

    # One click from the header (RFC 8058) unsubscribes the reader and counts in this issue's figures.
    unsubscribe = olena["List-Unsubscribe"].strip("<>").replace("http://127.0.0.1:8000", "")
    answer = client.post(unsubscribe, {"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 200
    assert Subscription.objects.get(subscriber__email="olena@example.org").status == Subscription.Status.UNSUBSCRIBED
    figures = sending.issue_figures(issue=issue)
    assert (figures["recipients"], figures["sent"], figures["failed"], figures["unsubscribed"]) == (2, 2, 0, 1)


def test_only_confirmed_wanted_addresses_get_it(home, newsletter, smtp_server, send_all):
    subscribe(newsletter, "yes@example.org", "suppressed@example.org", "leaves@example.org")
    subscribe(newsletter, "pending@example.org", status=Subscription.Status.PENDING)
    subscribe(newsletter, "left@example.org", status=Subscription.Status.UNSUBSCRIBED)
    subscribe(NewsletterFactory(), "other@example.org")
    Suppression.objects.create(email="suppressed@example.org", reason=Suppression.Reason.BOUNCED)
    issue = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    assert issue.recipients == 2  # made when sending started

    # One leaves between the start and their turn (the tests' tasks ran at once, so rewind and replay).
    Delivery.objects.filter(issue=issue).update(status=Status.PENDING, sent_at=None)
    Issue.objects.filter(pk=issue.pk).update(status=Issue.Status.SENDING)
    smtp_server.messages.clear()
    services.subscriber_unsubscribe_all(email="leaves@example.org")
    sending.deliveries_send(issue_id=issue.pk)
    assert [m["to"] for m in smtp_server.messages] == [["yes@example.org"]]
    assert Delivery.objects.get(subscriber__email="leaves@example.org").status == Status.SKIPPED


def test_a_temporary_refusal_waits_and_a_permanent_one_gives_up_and_suppresses(home, newsletter, smtp_server, send_all):
    subscribe(newsletter, "busy@example.org", "gone@example.org", "fine@example.org")
    smtp_server.refuse = {"busy@example.org": "451 4.3.0 Try again later", "gone@example.org": "550 5.1.1 No such user"}
    issue = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    rows = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    assert rows["fine@example.org"].status == Status.SENT
    assert rows["busy@example.org"].status == Status.FAILED and rows["busy@example.org"].retry_at > timezone.now()
    assert "451" in rows["busy@example.org"].error
    assert rows["gone@example.org"].status == Status.GAVE_UP and "550" in rows["gone@example.org"].error
    assert Suppression.objects.filter(email="gone@example.org", reason=Suppression.Reason.BOUNCED).exists()
    assert issue.status == Issue.Status.SENDING  # one is still owed

    smtp_server.refuse = {}
    Delivery.objects.filter(pk=rows["busy@example.org"].pk).update(retry_at=timezone.now())
    sending.deliveries_send(issue_id=issue.pk)
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT
    assert sorted(m["to"][0] for m in smtp_server.messages) == ["busy@example.org", "fine@example.org"]


def test_an_unreachable_server_puts_the_batch_back_without_spending_its_tries(home, newsletter, smtp_server, send_all):
    subscribe(newsletter, "a@example.org", "b@example.org", "c@example.org")
    smtp_server.stop()
    issue = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    rows = list(Delivery.objects.order_by("pk"))
    assert {row.status for row in rows} == {Status.FAILED}
    assert [row.attempts for row in rows] == [1, 0, 0]  # only the one that met the closed port counts a try
    smtp_server.start()
    Delivery.objects.update(retry_at=timezone.now())
    sending.deliveries_send(issue_id=issue.pk)
    assert len(smtp_server.messages) == 3 and Issue.objects.get().status == Issue.Status.SENT


def test_a_server_that_cannot_be_signed_into_holds_the_issue_without_spending_tries(
    home, newsletter, settings, smtp_server, send_all
):
    subscribe(newsletter, "a@example.org", "b@example.org")
    settings.EMAIL_USE_TLS = True  # the test server offers no STARTTLS: every connection fails, as a bad setting would
    issue = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    rows = list(Delivery.objects.order_by("pk"))
    assert [row.status for row in rows] == [Status.FAILED, Status.FAILED] and [r.attempts for r in rows] == [1, 0]
    assert "STARTTLS" in rows[0].error or "SMTP" in rows[0].error
    settings.EMAIL_USE_TLS = False
    Delivery.objects.update(retry_at=timezone.now())
    sending.deliveries_send(issue_id=issue.pk)
    assert len(smtp_server.messages) == 2 and Issue.objects.get().status == Issue.Status.SENT


def test_scheduling_cancelling_and_sending_twice(home, newsletter, smtp_server, send_all):
    subscribe(newsletter, "a@example.org")
    later = timezone.now() + timedelta(hours=2)
    issue = Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story(), send_at=later)
    issue = sending.issue_send(issue=issue)
    assert issue.status == Issue.Status.SCHEDULED and issue.send_at == later
    assert sending.issue_start(issue_id=issue.pk) == "not yet" and not smtp_server.messages
    sending.issue_cancel(issue=issue)
    assert Issue.objects.get().status == Issue.Status.DRAFT

    Issue.objects.filter(pk=issue.pk).update(send_at=None)
    issue = send_all(Issue.objects.get())
    assert issue.status == Issue.Status.SENT and len(smtp_server.messages) == 1
    with pytest.raises(sending.NotSendable):
        sending.issue_send(issue=issue)
    assert sending.issue_start(issue_id=issue.pk) == "not scheduled"
    assert len(smtp_server.messages) == 1


def test_the_news_feed_issue_carries_the_last_day_and_an_empty_one_is_not_sent(home, newsletter, smtp_server, send_all):
    subscribe(newsletter, "a@example.org")
    empty = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.FEED))
    assert empty.status == Issue.Status.CANCELLED and "no live article" in empty.note and not smtp_server.messages

    fresh = story(title="Fresh feed item", news_feed=True)
    old = story(title="Old feed item", news_feed=True)
    publish(old, at=timezone.now() - timedelta(days=2))
    story(title="Not in the feed")
    issue = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.FEED))
    html = body(smtp_server.messages[0]["message"], "html")
    assert fresh.title in html and "Old feed item" not in html and "Not in the feed" not in html
    assert issue.rendered_subject.startswith("Morning Briefing, ")


def test_a_test_send_and_the_preview_leave_the_issue_a_draft(home, newsletter, smtp_server):
    subscribe(newsletter, "a@example.org")
    issue = Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story(title="Preview me"))
    assert sending.issue_test_send(issue_id=issue.pk, email="editor@example.org") == "sent"
    (message,) = smtp_server.messages
    assert message["to"] == ["editor@example.org"] and message["message"]["Subject"] == "[Test] Preview me"
    subject, html, text = sending.issue_preview(issue=issue)
    assert subject == "Preview me" and "Preview me" in html and "Preview me".upper() in text
    issue.refresh_from_db()
    assert issue.status == Issue.Status.DRAFT and not issue.rendered_html and not Delivery.objects.exists()


def test_header_injection_in_names_stays_in_its_header(home, smtp_server, send_all):
    newsletter = NewsletterFactory(name="Letter\r\nBcc: victim@example.org", sender_name="Desk\nBcc: x@example.org")
    subscribe(newsletter, "a@example.org", name="Reader\r\nBcc: victim@example.org")
    send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    (message,) = smtp_server.messages
    assert message["to"] == ["a@example.org"] and message["message"]["Bcc"] is None


def test_an_international_address_and_name_arrive_intact(home, newsletter, smtp_server, send_all):
    subscribe(newsletter, "reader@пошта.укр", name="Олена Петренко")
    send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    (message,) = smtp_server.messages
    assert message["to"] == ["reader@" + "пошта.укр".encode("idna").decode()]  # punycode on the envelope
    assert "Олена Петренко" in str(message["message"]["To"])
    assert "Hello Олена Петренко," in body(message["message"], "plain")


def test_editors_choose_newsletters_on_the_article_itself(home, newsletter, client, make_user):
    client.force_login(make_user("editor", "Editors"))
    archived = NewsletterFactory(name="Old Letter", archived=True)
    article = ArticlePageFactory(live=False)
    page = client.get(f"/admin/pages/{article.pk}/edit/")
    assert page.status_code == 200 and b"Send to newsletters" in page.content
    assert newsletter.name.encode() in page.content and archived.name.encode() not in page.content


class RefusingProvider(AnymailTestBackend):
    """An email provider's API (anymail's own test backend) that refuses two addresses: one for a while (the
    API is down), one for good (the provider's recipient refusal)."""

    def send_messages(self, email_messages):
        for message in email_messages:
            if message.to == ["down@example.org"]:
                raise AnymailAPIError("503 from the provider")
            if message.to == ["gone@example.org"]:
                raise AnymailRecipientsRefused("invalid recipient")
        return super().send_messages(email_messages)


def test_through_an_email_providers_api(home, newsletter, settings, send_all):
    from django.core import mail

    settings.EMAIL_BACKEND = "masthead.newsletters.tests.test_sending.RefusingProvider"
    subscribe(newsletter, "a@example.org", "down@example.org", "gone@example.org")
    issue = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    (sent,) = mail.outbox
    assert sent.to == ["a@example.org"] and sent.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert re.fullmatch(r"<issue-\d+\.delivery-\d+@example\.org>", sent.extra_headers["Message-ID"])
    assert "/newsletters/unsubscribe/" in sent.extra_headers["List-Unsubscribe"]
    assert sent.alternatives[0][1] == "text/html" and "%%MASTHEAD" not in sent.alternatives[0][0] + sent.body
    rows = {d.subscriber.email: d for d in Delivery.objects.select_related("subscriber")}
    assert rows["a@example.org"].status == Status.SENT
    assert rows["down@example.org"].status == Status.FAILED and "503" in rows["down@example.org"].error
    assert rows["gone@example.org"].status == Status.GAVE_UP
    assert Suppression.objects.filter(email="gone@example.org").exists()
    assert issue.status == Issue.Status.SENDING


def test_relaxed_commits_send_the_same_and_end_with_the_sending(home, newsletter, settings, smtp_server, send_all):
    """PostgreSQL's relaxed commits last only while an issue is sent; SQLite has no such thing and ignores it."""
    from django.db import connection

    settings.MASTHEAD_NEWSLETTER_SYNCHRONOUS_COMMIT = False
    subscribe(newsletter, "a@example.org", "b@example.org")
    issue = send_all(Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=story()))
    assert issue.status == Issue.Status.SENT and len(smtp_server.messages) == 2
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            assert cursor.fetchone()[0] == "on"  # the worker's other tasks keep the default
