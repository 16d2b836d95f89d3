"""Comments in a real browser (Debian's Chromium through Playwright): a reader opens an article, creates an
account with the code emailed to her (read from a real SMTP server), comments and replies in place; an editor
hides the comment in the admin and the reader sees it gone. Accessibility audits of the pages on the way."""

import re

import pytest
from django.test import override_settings

from masthead.conftest import SMTPServer
from masthead.tests.helpers import free_port

pytestmark = pytest.mark.xdist_group("browser")

PASSWORD = "a-long-test-password-1"
ARTICLE = "/families-under-pressure/"


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer(free_port())
    server.start()
    with override_settings(
        EMAIL_BACKEND="masthead.mail.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
        ACCOUNT_RATE_LIMITS=False,
    ):
        yield server
    server.stop()


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, smtp):
    from masthead.tests.helpers import newsroom_served

    with django_db_blocker.unblock(), newsroom_served(comments_newsroom) as url:
        yield url


def comments_newsroom(home):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from masthead.newsroom.tests.factories import SectionPageFactory, published_article

    editor = get_user_model().objects.create_user("eddie", password=PASSWORD, first_name="Eddie")
    editor.groups.add(Group.objects.get(name="Editors"))
    war = SectionPageFactory(parent=home, title="War", slug="war")
    published_article(title="Families under pressure", slug="families-under-pressure", section=war)


def code_from(smtp, to: str) -> str:
    message = next(m for m in reversed(smtp.messages) if m["to"] == [to])
    text = message["message"].get_body(("plain",)).get_content()
    return re.search(r"^([A-Z0-9]{4}-?[A-Z0-9]{2,4})\r?$", text, re.M).group(1)


def test_reader_signs_up_comments_replies_and_an_editor_hides_it(site, smtp, browser, axe_audit):
    reader = browser.new_context(viewport={"width": 1280, "height": 900})
    page = reader.new_page()
    page.set_default_timeout(30_000)  # Playwright's own default: the suite's other processes share the cores
    page.goto(site + ARTICLE)
    comments = page.locator("#comments")
    comments.get_by_text("No comments yet.").wait_for()  # the discussion loaded in place
    assert axe_audit(page) == []
    comments.get_by_role("link", name="Sign in or create an account").click()
    page.wait_for_url(re.compile(r"/account/login/code/"))
    assert axe_audit(page) == []
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email").fill("olena@example.com")
    page.get_by_label("Your name").fill("Olena K.")
    assert axe_audit(page) == []
    page.get_by_role("button", name="Email me a code").click()
    page.get_by_role("heading", name="Confirm your email address").wait_for()
    page.get_by_label("Code").fill(code_from(smtp, "olena@example.com"))
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(re.compile(re.escape(ARTICLE)))

    form = comments.locator("form[data-comment-form]").first
    form.get_by_label("Your comment, as Olena K.").fill("The families deserve answers. See https://example.org/report")
    form.get_by_role("button", name="Post comment").click()
    comments.get_by_text("Your comment is published.").wait_for()
    assert comments.locator(".comment__body a[href='https://example.org/report']").count() == 1
    assert comments.locator("[data-comment-count]").text_content() == "(1)"

    comments.locator("summary", has_text="Reply to Olena K.").click()
    comments.get_by_label("Your reply").fill("Replying to myself with more detail.")
    comments.get_by_role("button", name="Post reply").click()
    comments.locator(".comment__body", has_text="Replying to myself with more detail.").wait_for()
    assert comments.locator(".comments--replies .comment").count() == 1
    assert axe_audit(page) == []

    editor = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    editor.set_default_timeout(30_000)
    editor.goto(f"{site}/admin/login/")
    editor.fill("input[name=username]", "eddie")
    editor.fill("input[name=password]", PASSWORD)
    editor.click("button[type=submit]")
    editor.wait_for_url(f"{site}/admin/")
    editor.goto(f"{site}/admin/comments/?show=all")
    row = editor.locator("tr", has_text="The families deserve answers")
    row.get_by_role("button", name="Hide").click()
    editor.get_by_text("Hidden.").first.wait_for()
    editor.goto(f"{site}/admin/comments/log/")
    assert "hid" in editor.locator("table.listing").text_content()

    page.reload()
    comments.get_by_text("This comment was removed by an editor.").wait_for()
    assert comments.locator(".comment__body", has_text="The families deserve answers").count() == 0
    assert comments.locator(".comment__body", has_text="Replying to myself").count() == 1  # the reply stays
    page.goto(f"{site}/account/")
    assert axe_audit(page) == []
    reader.close()
