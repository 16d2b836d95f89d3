"""The public pages in a real browser: accessibility audits (axe-core), keyboard use, small screens, "Load more"."""

import os
import re
import shutil
from pathlib import Path

import pytest
from wagtail.models import Site

from masthead.newsroom.models import (
    ArticlePage,
    HomeEditorsPick,
    NewsroomSettings,
    OpinionFormField,
    OpinionFormPage,
    TeamPage,
)
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    NewsFeedPageFactory,
    SectionPageFactory,
    correction,
    published_article,
)

# The pages are built once, committed, and served by one server thread for the whole module; Chromium starts
# once too. The tests only read pages over HTTP, so they share the data; one process runs them (xdist group).
pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    from masthead.tests.helpers import newsroom_served

    with django_db_blocker.unblock(), newsroom_served(newsroom) as url:
        yield url


def newsroom(home):
    """22 stories in a section with a tag, a correction, an Editors' Pick, a team, an opinion form, menus."""
    site = Site.objects.get(is_default_site=True)
    NewsFeedPageFactory(parent=home)
    home.add_child(instance=TeamPage(title="Team", slug="team"))
    war = SectionPageFactory(parent=home, title="War", slug="war")
    author = AuthorFactory(name="Anna Writer", slug="anna", photo=ImageFactory())
    image = ImageFactory(caption="Rescuers at work.", credit="Photographer/Agency")
    for n in range(21):
        published_article(
            title=f"Headline number {n}",
            slug=f"story-{n}",
            section=war,
            news_feed=True,
            featured_image=image,
            authors=[author],
            hours_ago=48 - n,
        )
    article = published_article(
        title="The story under test",
        slug="story-under-test",
        section=war,
        featured_image=image,
        authors=[author],
        hours_ago=0.5,
    )
    article.tags.add("Kyiv")
    correction(article, days_ago=0, text="A name was misspelled.")
    narrate_with_espeak(article)
    HomeEditorsPick.objects.create(home=home, article=article, sort_order=0)
    form = home.add_child(
        instance=OpinionFormPage(title="Submit an Opinion", slug="opinion", to_address="ed@example.org")
    )
    OpinionFormField.objects.create(page=form, label="Your name", field_type="singleline", required=True)
    OpinionFormField.objects.create(page=form, label="Your piece", field_type="multiline", required=True)
    from masthead.newsletters.models import Newsletter

    Newsletter.objects.create(name="Morning Briefing", slug="morning", description="The day ahead.")
    Newsletter.objects.create(name="Weekly Analysis", slug="weekly", cadence="weekly")
    settings = NewsroomSettings.for_site(site)
    settings.promo_text, settings.promo_url, settings.promo_button = "Documentary", "https://example.org/", "Watch"
    settings.primary_menu = [
        ("link", {"label": "War", "page": war, "url": ""}),
        ("group", {"label": "More", "links": [{"label": "Team", "page": None, "url": "/team/"}]}),
    ]
    settings.footer_menu = [("group", {"label": "Sections", "links": [{"label": "War", "page": war, "url": ""}]})]
    settings.social_links = [("link", {"network": "x", "url": "https://example.org/x"})]
    settings.save()


def narrate_with_espeak(article):
    """The story under test gets its audio player (espeak-ng: quick; Piper's own tests are in narration/)."""
    from django.test import override_settings

    from masthead.narration import services as narration

    if shutil.which("espeak-ng"):
        with override_settings(MASTHEAD_NARRATION={"ENABLED": True, "VOICE": "espeak-ng:en-us"}):
            narration.narration_regenerate(article_id=article.pk)


def test_the_newsroom_under_test_is_committed(db, site):
    """The module's pages are committed for the server thread to read. (This test also has pytest-django create
    the test database when the module runs alone: the browser tests themselves use no database fixture.)"""
    assert ArticlePage.objects.live().count() == 22
    assert Site.objects.get(is_default_site=True).root_url == site
    from masthead.narration.models import Narration

    assert Narration.objects.filter(status="ready").count() == (1 if shutil.which("espeak-ng") else 0)


def test_the_audio_player_is_labelled_and_reached_by_keyboard(site, page):
    if not shutil.which("espeak-ng"):
        pytest.skip("the story under test is narrated with Debian's espeak-ng (.ci/run installs it)")
    page.goto(site + "/story-under-test/")
    player = page.locator("section.narration audio")
    assert player.get_attribute("preload") == "none" and player.get_attribute("controls") is not None
    assert page.locator("#narration-title").inner_text().startswith("Listen to this article")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "AUDIO":
            break
    assert page.evaluate("document.activeElement.tagName") == "AUDIO"


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # What the Content-Security-Policy blocked (Chromium reports each on the console).
    page.csp_violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and page.csp_violations.append(m.text))
    yield page
    context.close()


PUBLIC_PAGES = {
    "article": "/story-under-test/",
    "home": "/",
    "section": "/war/",
    "news-feed": "/news/",
    "tag": "/tag/kyiv/",
    "author": "/author/anna/",
    "team": "/team/",
    "opinion-form": "/opinion/",
    "newsletters": "/newsletters/",
    "member-sign-in": "/account/login/",
    "member-sign-up": "/account/signup/",
    "search": "/search/?q=story&since=not-a-date",
    "not-found": "/no-such-page/",
}


def test_public_pages_pass_an_accessibility_audit_under_their_security_policy(site, page, axe_audit):
    for name, path in PUBLIC_PAGES.items():
        response = page.goto(site + path)
        violations = axe_audit(page)
        assert violations == [], f"{path}: {violations}"
        policy = response.headers["content-security-policy"]
        assert "script-src 'self' 'report-sample';" in policy and "frame-ancestors 'none'" in policy, path
        assert "camera=()" in response.headers["permissions-policy"], path
        screenshot(page, f"desktop-{name}")
    assert page.csp_violations == []


def test_public_pages_at_phone_width(site, browser):
    """Screenshots of every public page at a phone's width, kept for the people reviewing a change (CI artefacts:
    MASTHEAD_SCREENSHOTS_DIR, var/screenshots by default)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    for name, path in PUBLIC_PAGES.items():
        page.goto(site + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        screenshot(page, f"phone-{name}")
    context.close()


def screenshot(page, name: str) -> None:
    folder = Path(
        os.environ.get("MASTHEAD_SCREENSHOTS_DIR", Path(__file__).resolve().parents[3] / "var" / "screenshots")
    )
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)


def test_keyboard_user_skips_to_the_content(site, page):
    page.goto(site + "/story-under-test/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0, "the skip link shows when focused"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "focus is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_small_screen_has_no_sideways_scroll_and_loads_a_small_webp(site, browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1)
    page = context.new_page()
    page.goto(site + "/story-under-test/")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    featured = page.locator(".story__featured img")
    current = featured.evaluate("img => img.currentSrc")
    assert current.endswith(".webp")
    assert "width-480" in current
    assert featured.evaluate("img => img.complete && img.naturalWidth > 0")
    context.close()


def test_load_more_appends_the_next_page_in_place(site, page):
    page.goto(site + "/news/")
    items = page.locator("[data-feed] li")
    assert items.count() == 20
    page.click("[data-load-more]")
    wait_until(page, "document.querySelectorAll('[data-feed] li').length > 20")
    assert items.count() == 21
    assert page.url == site + "/news/"
    assert page.locator("[data-load-more]").count() == 0


def test_load_more_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/news/")
    page.click("[data-load-more]")
    page.wait_for_load_state()  # the click returns once the next page is committed, maybe before it is parsed
    assert page.url.endswith("/news/?page=2")
    assert page.locator("[data-feed] li").count() == 1
    context.close()


def test_a_reader_reads_listens_subscribes_and_confirms_from_the_email(site, page, smtp_server, settings):
    """End to end: the front page, a click to the story, its audio played, the sign-up beside it, the
    confirmation email from the real SMTP server, its link, the button: subscribed."""
    settings.BASE_URL = site  # the emails' links lead to the site under test
    if not shutil.which("espeak-ng"):
        pytest.skip("the story under test is narrated with Debian's espeak-ng (.ci/run installs it)")
    page.goto(site + "/")
    page.locator("main").get_by_role("link", name="The story under test").first.click()
    page.wait_for_url(site + "/story-under-test/")
    player = page.locator("section.narration audio")
    player.click()  # the reader's gesture, which lets the page start the audio
    page.evaluate("document.querySelector('section.narration audio').play()")
    wait_until(page, "document.querySelector('section.narration audio').currentTime > 0.3")
    assert page.evaluate("document.querySelector('section.narration audio').paused") is False

    page.fill("#rail-subscribe-email", "listener@example.org")
    page.locator("aside form[data-subscribe] button[type=submit], #rail-subscribe-email ~ button").first.click()
    page.locator(".form__status:visible").first.wait_for()
    confirmation = wait_for_email(smtp_server, "listener@example.org")
    link = re.search(r"https?://\S+/newsletters/confirm/\S+/", confirmation).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You are subscribed"
    assert "Morning Briefing" in page.locator("main").inner_text()
    assert page.csp_violations == []


def wait_until(page, expression: str, timeout_ms: int = 15_000) -> None:
    """Poll `expression` in the page from here: the pages' policy refuses Playwright's own waiting (it evaluates
    a string, which is eval)."""
    for _ in range(timeout_ms // 100):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def wait_for_email(smtp_server, address: str, timeout: float = 15) -> str:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in smtp_server.messages:
            if address in message["to"]:
                return message["message"].get_body(("plain",)).get_content()
        time.sleep(0.1)
    raise AssertionError(f"no email reached {address} within {timeout} s")


def test_a_newsletter_sign_up_answers_in_place(site, page):
    page.goto(site + "/newsletters/")
    page.check("#newsletter-weekly")
    page.fill("#subscribe-email", "browser-reader@example.org")
    page.click("form[data-subscribe] button[type=submit]")
    status = page.locator("main .form__status")
    status.wait_for(state="visible")
    assert "confirmation email" in status.text_content()
    assert page.url == site + "/newsletters/", "no reload, no redirect"
    assert page.input_value("#subscribe-email") == "", "the form is ready for another address"


def test_a_newsletter_sign_up_works_without_javascript(site, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site + "/newsletters/")
    page.fill("#subscribe-email", "not an address")
    page.click("form[data-subscribe] button[type=submit]")
    page.wait_for_load_state()
    assert "Choose at least one newsletter." in page.content()
    page.check("#newsletter-morning")
    page.fill("#subscribe-email", "plain-reader@example.org")
    page.click("form[data-subscribe] button[type=submit]")
    page.wait_for_load_state()
    assert page.url == site + "/newsletters/check-your-email/"
    assert "confirmation email" in page.content()
    context.close()


READER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"


def _views_waiting(count: int, timeout: float = 10) -> list:
    """The views the server thread accepted and holds for its next write (no database here: see `browser`)."""
    import time

    from masthead.analytics.ingest import tally

    deadline = time.monotonic() + timeout
    while len(tally.pending) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return list(tally.pending)


def test_each_page_sends_one_view_without_cookies_and_a_headless_robot_counts_nowhere(site, browser):
    from masthead.analytics.ingest import tally
    from masthead.analytics.models import Source, Target

    with tally.lock:
        tally.pending.clear()
    context = browser.new_context(user_agent=READER)
    page = context.new_page()
    page.goto(site + "/")
    home_id = int(page.evaluate("document.body.dataset.pageId"))
    page.locator("a", has_text="The story under test").first.click()
    page.wait_for_url(site + "/story-under-test/")
    article_id = int(page.evaluate("document.body.dataset.pageId"))
    views = _views_waiting(2)
    assert [(view.target, view.object_id) for view in views] == [(Target.PAGE, home_id), (Target.PAGE, article_id)]
    assert [view.source for view in views] == [Source.DIRECT, Source.INTERNAL]
    assert context.cookies() == [] and page.evaluate("localStorage.length + sessionStorage.length") == 0
    context.close()

    robot = browser.new_context()  # Chromium says "HeadlessChrome": a robot's browser
    robot.new_page().goto(site + "/story-under-test/")
    assert len(_views_waiting(3, timeout=2)) == 2
    robot.close()
