"""Issues in the admin, as an editor works with them: write one, preview it, send a test (hostile addresses
refused), send it, see its figures; a sent issue no longer changes; reporters cannot send. And the open and click
counters, off by default: on, they count a delivery's first open and click and follow only links an issue made."""

import re

import pytest
from bs4 import BeautifulSoup

from masthead.newsletters import sending
from masthead.newsletters.models import Delivery, Issue
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriberFactory, SubscriptionFactory
from masthead.newsroom.tests.factories import ArticlePageFactory, AuthorFactory, publish

SEND = "/admin/newsletters/issues/{}/send/"


@pytest.fixture
def newsletter(db):
    letter = NewsletterFactory(name="Morning Briefing", slug="morning")
    for email in ("one@example.org", "two@example.org"):
        SubscriptionFactory(newsletter=letter, subscriber=SubscriberFactory(email=email), status="active")
    SubscriptionFactory(newsletter=letter, subscriber=SubscriberFactory(email="wait@example.org"), status="pending")
    return letter


@pytest.fixture
def article(home):
    return publish(ArticlePageFactory(live=False, title="Water back in Kherson", authors=[AuthorFactory()]))


@pytest.fixture
def editor(client, make_user):
    client.force_login(make_user("editor", "Editors", email="editor@example.org", first_name="Iryna"))
    return client


def issue_form(**fields) -> dict:
    """What the issue form posts: these fields, the others empty, no digest articles."""
    empty = {"subject": "", "intro": "", "send_at": "", "stories-TOTAL_FORMS": "0", "stories-INITIAL_FORMS": "0"}
    limits = {"stories-MIN_NUM_FORMS": "0", "stories-MAX_NUM_FORMS": "1000"}
    return {**empty, **limits, **{key: str(value) for key, value in fields.items()}}


def add_issue(client, **fields) -> Issue:
    answer = client.post("/admin/snippets/newsletters/issue/add/", issue_form(**fields))
    assert answer.status_code == 302, BeautifulSoup(answer.content, "html.parser").select(".error-message")
    return Issue.objects.latest("created_at")


def test_an_editor_writes_previews_tests_and_sends_an_issue(
    editor, newsletter, article, smtp_server, django_capture_on_commit_callbacks
):
    assert b"/admin/snippets/newsletters/issue/" in editor.get("/admin/").content  # in the Newsletters menu
    issue = add_issue(editor, newsletter=newsletter.pk, kind="article", article=article.pk, intro="Good morning.")
    assert issue.status == Issue.Status.DRAFT and issue.created_by.username == "editor"
    listing = editor.get("/admin/snippets/newsletters/issue/")
    assert b"Water back in Kherson" in listing.content and SEND.format(issue.pk).encode() in listing.content

    page = editor.get(SEND.format(issue.pk))
    assert page.status_code == 200 and b"2 subscribers" in page.content  # active ones; the pending one is not

    preview = editor.get(f"/admin/newsletters/issues/{issue.pk}/preview/")
    assert preview.status_code == 200 and b"Hello Iryna," in preview.content and b"Good morning." in preview.content
    text = editor.get(f"/admin/newsletters/issues/{issue.pk}/preview/", {"format": "text"})
    assert text["Content-Type"].startswith("text/plain") and b"WATER BACK IN KHERSON" in text.content

    for hostile in ["not an address", "a@example.org\r\nBcc: b@example.org", "<script>@x", "a@b.c, d@e.f", "x" * 5000]:
        answer = editor.post(SEND.format(issue.pk), {"action": "test", "email": hostile})
        assert answer.status_code == 200 and b"Give one valid email address" in answer.content
        assert b"<script>@x" not in answer.content
    assert not smtp_server.messages
    editor.post(SEND.format(issue.pk), {"action": "test", "email": "desk@example.org"})
    assert [m["to"] for m in smtp_server.messages] == [["desk@example.org"]]
    assert smtp_server.messages[0]["message"]["Subject"] == "[Test] Water back in Kherson"
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT

    with django_capture_on_commit_callbacks(execute=True):
        answer = editor.post(SEND.format(issue.pk), {"action": "send"})
    assert answer.status_code == 302
    issue.refresh_from_db()
    assert issue.status == Issue.Status.SENT and issue.recipients == 2
    assert sorted(m["to"][0] for m in smtp_server.messages[1:]) == ["one@example.org", "two@example.org"]
    figures = editor.get(SEND.format(issue.pk)).content.decode()
    cells = [td.get_text() for td in BeautifulSoup(figures, "html.parser").select("table.listing tbody td")]
    assert cells[:4] == ["2", "2", "0", "0"]  # recipients, sent, waiting, failed
    with django_capture_on_commit_callbacks(execute=True):
        editor.post(SEND.format(issue.pk), {"action": "send"})  # pressed again: refused, nothing sent
    assert len(smtp_server.messages) == 3

    report = editor.get("/admin/newsletters/figures/")
    assert report.status_code == 200 and b"Water back in Kherson" in report.content


def test_a_sent_issue_no_longer_changes(editor, newsletter, article):
    issue = Issue.objects.create(newsletter=newsletter, kind="article", article=article, status=Issue.Status.SENT)
    answer = editor.post(
        f"/admin/snippets/newsletters/issue/edit/{issue.pk}/",
        issue_form(newsletter=newsletter.pk, kind="article", article=article.pk, subject="Changed afterwards"),
    )
    assert answer.status_code == 200 and b"can no longer change" in answer.content
    assert Issue.objects.get(pk=issue.pk).subject == ""


def test_an_issue_must_make_sense_before_it_is_saved(editor, newsletter, article):
    before = Issue.objects.count()
    for fields in [
        {"newsletter": newsletter.pk, "kind": "article"},  # no article
        {"newsletter": newsletter.pk, "kind": "digest", "article": article.pk},
        {"newsletter": NewsletterFactory(archived=True).pk, "kind": "feed"},
        {"newsletter": "'; DROP TABLE x; --", "kind": "feed"},
        {"newsletter": newsletter.pk, "kind": "article", "article": "1 OR 1=1"},
        {"newsletter": newsletter.pk, "kind": "article", "article": "9" * 40},
        {"newsletter": "9" * 40, "kind": "feed"},
        {"newsletter": newsletter.pk, "kind": "digest", "stories-TOTAL_FORMS": "1", "stories-0-article": "<b>1</b>"},
        {"newsletter": newsletter.pk, "kind": "<script>", "subject": "x" * 10_000},
        {"newsletter": newsletter.pk, "kind": "feed", "send_at": "31 Febtember"},
    ]:
        answer = editor.post(
            "/admin/snippets/newsletters/issue/add/",
            {"stories-TOTAL_FORMS": "0", "stories-INITIAL_FORMS": "0", **fields},
        )
        assert answer.status_code == 200, fields
    assert Issue.objects.count() == before


def test_reporters_cannot_send_or_preview(client, make_user, newsletter, article):
    issue = Issue.objects.create(newsletter=newsletter, kind="article", article=article)
    client.force_login(make_user("reporter", "Reporters"))
    assert client.get(SEND.format(issue.pk)).status_code in (302, 403)
    assert client.post(SEND.format(issue.pk), {"action": "send"}).status_code in (302, 403)
    assert client.get(f"/admin/newsletters/issues/{issue.pk}/preview/").status_code in (302, 403)
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.DRAFT


def sent_issue(newsletter, article, capture):
    issue = Issue.objects.create(newsletter=newsletter, kind="article", article=article)
    with capture(execute=True):
        sending.issue_send(issue=issue)
    return issue


def test_without_tracking_no_link_goes_through_the_site(
    newsletter, article, smtp_server, django_capture_on_commit_callbacks
):
    sent_issue(newsletter, article, django_capture_on_commit_callbacks)
    html = smtp_server.messages[0]["message"].get_body(preferencelist=("html",)).get_content()
    assert "/newsletters/c/" not in html and "/newsletters/o/" not in html


def test_with_tracking_first_opens_and_clicks_are_counted(
    client, settings, newsletter, article, smtp_server, django_capture_on_commit_callbacks
):
    settings.MASTHEAD_NEWSLETTER_TRACKING = True
    issue = sent_issue(newsletter, article, django_capture_on_commit_callbacks)
    message = next(m for m in smtp_server.messages if m["to"] == ["one@example.org"])
    html = message["message"].get_body(preferencelist=("html",)).get_content()
    base = settings.BASE_URL
    pixel = re.search(r'src="' + re.escape(base) + r'(/newsletters/o/[^"]+)"', html).group(1)
    links = re.findall(r'href="' + re.escape(base) + r'(/newsletters/c/[^"]+)"', html)
    assert links and "/newsletters/preferences/" in html  # the newsletter's own links are not counted

    assert client.get(pixel).status_code == 200 and client.get(pixel)["Content-Type"] == "image/gif"
    one = Delivery.objects.get(issue=issue, subscriber__email="one@example.org")
    assert one.opened_at and not one.clicked_at
    answer = client.get(links[0])
    assert answer.status_code == 302 and answer["Location"].startswith(("http://", "https://"))
    one.refresh_from_db()
    assert one.clicked_at
    assert not Delivery.objects.get(issue=issue, subscriber__email="two@example.org").opened_at

    # Forged: a link the issue did not make is not followed; a forged delivery counts nothing.
    tracking, link = links[0].split("/")[3:5]
    assert client.get(f"/newsletters/c/{tracking}/{link[:-3]}xyz/").status_code == 400
    assert client.get("/newsletters/c/x/" + "a" * 5000 + "/").status_code == 400
    evil = client.get(f"/newsletters/c/forged/{link}/")
    assert evil.status_code == 302
    assert client.get("/newsletters/o/<script>/").status_code == 200
    assert Delivery.objects.filter(opened_at__isnull=False).count() == 1
    counted = sending.issue_figures(issue=issue)
    assert (counted["opened"], counted["clicked"]) == (1, 1) and counted["tracking"]


def test_a_sent_issue_previews_as_it_went_out(
    editor, newsletter, article, smtp_server, django_capture_on_commit_callbacks
):
    issue = sent_issue(newsletter, article, django_capture_on_commit_callbacks)
    preview = editor.get(f"/admin/newsletters/issues/{issue.pk}/preview/")
    assert b"Hello Iryna," in preview.content and b"%%MASTHEAD" not in preview.content


def test_a_scheduled_issue_given_a_new_time_starts_then(editor, settings, newsletter, article):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    issue = Issue.objects.create(
        newsletter=newsletter, kind="article", article=article, send_at=timezone.now() + timedelta(hours=1)
    )
    sending.issue_send(issue=issue)
    later = timezone.localtime(timezone.now() + timedelta(days=1)).replace(second=0, microsecond=0)
    answer = editor.post(
        f"/admin/snippets/newsletters/issue/edit/{issue.pk}/",
        issue_form(
            newsletter=newsletter.pk,
            kind="article",
            article=article.pk,
            subject="",
            send_at=later.strftime("%Y-%m-%d %H:%M"),
        ),
    )
    assert answer.status_code == 302
    starts = DBTaskResult.objects.filter(task_path="masthead.newsletters.tasks.issue_start_task")
    assert later in {task.run_after for task in starts}
    assert Issue.objects.get(pk=issue.pk).status == Issue.Status.SCHEDULED
