"""The editors' desk in a real browser (Debian's Chromium through Playwright), as a newsroom works in it:
a reporter writes and submits, an editor finds it on the desk's "in review" filter and asks for changes, the
reporter sees the banner, fixes and submits again, the editor publishes; a recurring headline and a Cyrillic
one get their addresses; two tags are merged and the old address redirects."""

import re
import urllib.request

import pytest
from wagtail.models import Collection

from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    NewsFeedPageFactory,
    SectionPageFactory,
    published_article,
)
from masthead.newsroom.tests.test_browser import wait_until

pytestmark = pytest.mark.xdist_group("browser")

PASSWORD = "a-long-test-password-1"


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    from masthead.tests.helpers import newsroom_served

    with django_db_blocker.unblock(), newsroom_served(desk_newsroom) as url:
        yield url


def desk_newsroom(home):
    """A reporter with her byline, an editor, a section, a picture, a published headline that will recur, and two
    overlapping tags to merge."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    users = get_user_model().objects
    reporter = users.create_user("rita", password=PASSWORD, first_name="Rita", last_name="Reporter")
    reporter.groups.add(Group.objects.get(name="Reporters"))
    editor = users.create_user("eddie", password=PASSWORD, first_name="Eddie", last_name="Desk")
    editor.groups.add(Group.objects.get(name="Editors"))
    AuthorFactory(name="Rita Reporter", slug="rita-reporter", user=reporter)
    SectionPageFactory(parent=home, title="War", slug="war")
    NewsFeedPageFactory(parent=home, title="News Feed", slug="news")
    # In the site's own collection, where the groups' permissions are (the factory would start another).
    ImageFactory(title="Kharkiv street", caption="A street in Kharkiv.", collection=Collection.get_first_root_node())
    published_article(title="Russian attacks kill 3 in Kharkiv", slug="russian-attacks-kill-3-in-kharkiv")
    for title, tags in [("Grid repairs", ["Energy", "energy sector"]), ("Power cuts", ["energy sector"])]:
        article = published_article(title=title)
        article.tags.set(tags)
        article.save_revision().publish()


def signed_in(browser, site, username):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)  # Playwright's own default: the suite's other processes share the cores
    # What the Content-Security-Policy blocked (Chromium reports each on the console): read by the tests.
    page.csp_violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text))
    page.goto(f"{site}/admin/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{site}/admin/")
    return page


def choose_in_modal(page, button_text, item_text):
    page.get_by_role("button", name=button_text).first.click()
    modal = page.locator(".modal-dialog:visible")
    modal.get_by_role("link", name=item_text).first.click()
    modal.wait_for(state="hidden")


def action_menu(page, name):
    """An action from the editor's footer menu (the arrow beside the main button opens it)."""
    page.locator("footer [data-w-dropdown-target='toggle'], footer .w-dropdown__toggle").last.click()
    page.get_by_role("button", name=name, exact=True).click()


def status(url) -> int:
    try:
        with urllib.request.urlopen(url) as response:  # noqa: S310 (the test's own server)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_write_review_request_changes_fix_and_publish(site, browser):
    reporter = signed_in(browser, site, "rita")
    reporter.get_by_role("link", name="New article").first.click()
    reporter.wait_for_url(re.compile(r".*/admin/pages/add/newsroom/articlepage/\d+/"))
    reporter.fill("#id_title", "Russian attacks kill 3 in Kharkiv")
    reporter.fill("#id_standfirst", "Three people died in an overnight strike.")
    assert reporter.locator("#id_authors-0-author").input_value() != ""  # her own byline, filled in
    choose_in_modal(reporter, "Choose a page", "War")
    choose_in_modal(reporter, "Choose an image", "Kharkiv street")
    reporter.fill("#id_featured_image_alt", "A damaged apartment block with firefighters in front")
    reporter.check("#id_news_feed")
    action_menu(reporter, "Submit to Editorial review")
    assert "submitted for moderation" in reporter.locator(".messages").inner_text()
    reporter.locator(".messages").get_by_role("link", name="Edit").click()
    reporter.wait_for_url(re.compile(r".*/admin/pages/\d+/edit/"))
    edit_url = reporter.url

    editor = signed_in(browser, site, "eddie")
    editor.goto(f"{site}/admin/article_desk/?status=review")
    editor.get_by_role("link", name="Russian attacks kill 3 in Kharkiv").first.click()
    action_menu(editor, "Request changes")
    editor.locator(".modal-dialog:visible textarea").fill("Name the hospital, please.")
    # The modal posts in the background and then sends the browser on: wait for that navigation, not for a quiet
    # network (the page was already quiet, so waiting for it could return before the request was sent).
    with editor.expect_navigation():
        editor.locator(".modal-dialog:visible").get_by_role("button", name=re.compile("Request changes")).click()

    reporter.goto(edit_url)
    banner = reporter.locator(".messages")
    assert "Changes requested. Eddie Desk asks for changes" in banner.inner_text()
    assert "Name the hospital, please." in banner.inner_text()
    reporter.fill("#id_standfirst", "Three people died in an overnight strike, the city's hospital said.")
    with reporter.expect_navigation():
        action_menu(reporter, "Resubmit to Editors approve")
    assert "submitted for moderation" in reporter.locator(".messages").inner_text()

    editor.goto(edit_url)
    with editor.expect_navigation():
        action_menu(editor, "Approve and Publish")
    # The headline recurs: the story got the next free address, and the first keeps its own.
    assert status(f"{site}/russian-attacks-kill-3-in-kharkiv-2/") == 200
    assert status(f"{site}/russian-attacks-kill-3-in-kharkiv/") == 200
    # Published: the story is on the front page, its section, the news feed and the feeds at once.
    for path in ("/", "/war/", "/news/", "/feeds/rss/", "/feeds/atom/", "/feeds/section/war/rss/"):
        with urllib.request.urlopen(f"{site}{path}") as response:  # noqa: S310 (the test's own server)
            assert "/russian-attacks-kill-3-in-kharkiv-2/" in response.read().decode(), path
    assert reporter.csp_violations == editor.csp_violations == []


def test_the_admin_runs_under_its_content_security_policy(site, browser):
    """Wagtail's inline scripts run with the request's nonce, also in a form added after the page loaded (a
    correction's date picker, an Editors' Pick's date-time pickers); an injected script without it does not."""
    page = signed_in(browser, site, "eddie")
    header = page.goto(f"{site}/admin/new-article/").headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in header and "unsafe-inline" not in header.split("script-src")[1].split(";")[0]
    page.get_by_role("button", name="Add corrections").click()
    date = page.locator("#id_corrections-0-date")
    date.click()
    page.locator(".xdsoft_datetimepicker:visible").wait_for()  # the picker's script ran
    with urllib.request.urlopen(f"{site}/") as response:  # noqa: S310 (the test's own server)
        home_id = re.search(r'data-page-id="(\d+)"', response.read().decode()).group(1)
    page.goto(f"{site}/admin/pages/{home_id}/edit/")
    page.get_by_role("button", name="Add Editors' Pick").click()
    page.locator("#id_editors_picks-0-starts_at").click()
    page.locator(".xdsoft_datetimepicker:visible").first.wait_for()
    assert page.csp_violations == []
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';
                             document.body.append(s); }""")
    assert page.evaluate("window.injected") is None
    assert page.csp_violations  # the injected one, refused and reported


def test_a_cyrillic_headline_gets_a_romanised_address(site, browser):
    page = signed_in(browser, site, "rita")
    page.goto(f"{site}/admin/new-article/")
    title = page.locator("#id_title")
    title.press_sequentially("Зеленський відвідав Харків")  # typed, as the admin's script hears it
    title.press("Tab")
    # The script copies the headline to the address a moment after the last key, as an editor sees.
    wait_until(page, "document.querySelector('#id_slug').value.endsWith('харків')")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r".*/admin/pages/\d+/edit/"))
    page.get_by_role("tab", name="Promote").click()
    assert page.locator("#id_slug").input_value() == "zelenskyi-vidvidav-kharkiv"


def test_merging_tags_redirects_the_old_address(site, browser):
    page = signed_in(browser, site, "eddie")
    page.goto(f"{site}/admin/snippets/taggit/tag/")
    page.get_by_role("link", name="Merge tags").click()
    page.select_option("#id_sources", label="energy sector")
    page.select_option("#id_target", label="Energy")
    page.get_by_role("button", name="Merge").click()
    assert "Merged energy sector into Energy" in page.locator(".messages").inner_text()
    page.goto(f"{site}/tag/energy-sector/")
    assert page.url == f"{site}/tag/energy/"
    assert "Power cuts" in page.content() and "Grid repairs" in page.content()


def test_the_date_picker_leaves_save_schedule_in_reach(site, browser):
    page = signed_in(browser, site, "eddie")
    page.goto(f"{site}/admin/article_desk/")
    page.get_by_role("link", name="Grid repairs").first.click()
    page.locator("[data-side-panel-toggle=status]").first.click()
    page.get_by_role("button", name=re.compile("Set schedule")).first.click()
    dialog = page.locator("[role=dialog]:visible, .w-dialog:visible").last
    field = dialog.locator("input[name=go_live_at]")
    field.click()
    page.wait_for_timeout(500)
    button = dialog.get_by_role("button", name="Save schedule")
    box = button.bounding_box()
    on_top = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('button')?.textContent.trim()",
        [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2],
    )
    assert on_top == "Save schedule"
