"""The article page shows what the reference page shows, in semantic HTML, in a bounded number of queries."""

import math
from datetime import timedelta
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Site

from masthead.newsroom.models import HomeEditorsPick, NewsroomSettings
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    SectionPageFactory,
    correction,
    front_sections,
    paragraphs,
    publish,
    published_article,
)

WORDS = 700  # body words; with the standfirst's 4 that is ceil(704 / 220) = 4 minutes


class ArticlePageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.national = SectionPageFactory(parent=cls.home, title="National", slug="national")
        cls.first_author = AuthorFactory(name="Tetiana Writer", slug="tetiana-writer", role="Reporter")
        cls.second_author = AuthorFactory(name="Bohdan Second", slug="bohdan-second", role="Editor")
        cls.image = ImageFactory(title="Rally", caption="Relatives hold banners at a rally.", credit="Jane Doe/Agency")
        cls.related = published_article(
            title="Refinery halts work after strike",
            slug="refinery",
            section=cls.war,
            hours_ago=30,
            authors=[cls.second_author],
        )
        body = paragraphs(" ".join(["word"] * (WORDS - 20)))
        body += [
            ("heading", {"text": "Ten words of heading text are counted as read words", "level": "h2"}),
            ("quote", {"text": "Five words in this quote", "attribution": "Speaker"}),
            ("fact_box", {"title": "Facts", "body": "<p>Three more words</p>"}),
            ("related_story", {"article": cls.related, "note": ""}),
        ]
        cls.article = published_article(
            title="Officials report pressure on families of prisoners",
            slug="families-pressured",
            standfirst="Four words of standfirst.",
            section=cls.analysis,
            featured_image=cls.image,
            body=body,
            news_feed=True,
            hours_ago=2,
            authors=[cls.first_author, cls.second_author],
        )
        cls.article.tags.add("Prisoners of war", "Ukraine")
        cls.article.save_revision().publish()
        correction(cls.article, days_ago=3, text="Older fix of a name.")
        correction(cls.article, days_ago=1, text="Newer fix of a date.")
        cls.same_section = published_article(
            title="Another analysis", slug="another", section=cls.analysis, hours_ago=5
        )
        cls.other_section = published_article(
            title="A national story", slug="national-story", section=cls.national, hours_ago=4
        )
        cls.feed_item = published_article(title="Short news item", slug="short-news", news_feed=True, hours_ago=3)
        cls.pick = published_article(title="A pick of the editors", slug="picked", hours_ago=40)
        HomeEditorsPick.objects.create(home=cls.home, article=cls.pick, sort_order=0)
        newsroom_settings = NewsroomSettings.for_site(Site.objects.get(is_default_site=True))
        newsroom_settings.promo_text = "Curated documentary"
        newsroom_settings.promo_url = "https://example.org/doc"
        newsroom_settings.promo_button = "Watch now"
        newsroom_settings.footer_menu = [
            (
                "group",
                {"label": "More", "links": [{"label": "About us", "page": None, "url": "https://example.org/about"}]},
            )
        ]
        newsroom_settings.save()

    def get_soup(self, client=None):
        response = (client or self.client).get("/families-pressured/")
        self.assertEqual(response.status_code, 200)
        return response, BeautifulSoup(response.content, "html.parser")

    def test_lives_at_its_slug_whatever_its_section(self):
        self.assertEqual(self.article.url, "/families-pressured/")
        self.article.section = self.national
        self.article.save_revision().publish()
        self.article.refresh_from_db()
        self.assertEqual(self.article.url, "/families-pressured/")
        self.assertEqual(self.client.get("/families-pressured/").status_code, 200)

    def test_layout_landmarks_and_skip_link(self):
        _, soup = self.get_soup()
        skip = soup.find("a", class_="skip-link")
        self.assertEqual(skip["href"], "#main")
        self.assertEqual(skip.get_text(), "Skip to content")
        self.assertIsNotNone(soup.find("main", id="main"))
        self.assertIsNotNone(soup.find("header", class_="site-header"))
        self.assertIsNotNone(soup.find("footer"))
        self.assertEqual(soup.html["lang"], "en")
        self.assertTrue(all(nav.get("aria-label") for nav in soup.find_all("nav")))

    def test_promo_bar(self):
        _, soup = self.get_soup()
        promo = soup.find(class_="promo-bar")
        self.assertIn("Curated documentary", promo.get_text())
        self.assertEqual(promo.find("a")["href"], "https://example.org/doc")

    def test_tags_headline_standfirst(self):
        _, soup = self.get_soup()
        tags = [a.get_text() for a in soup.find("nav", attrs={"aria-label": "Tags"}).find_all("a")]
        self.assertEqual(tags, ["News Feed", "Prisoners of war", "Ukraine"])
        self.assertEqual(soup.find("h1").get_text(), "Officials report pressure on families of prisoners")
        self.assertEqual(len(soup.find_all("h1")), 1)
        self.assertEqual(soup.find(class_="story__standfirst").get_text(), "Four words of standfirst.")

    def test_byline_links_authors_in_order_with_local_time_and_reading_time(self):
        _, soup = self.get_soup()
        byline = soup.find(class_="byline")
        links = byline.find_all("a", rel="author")
        self.assertEqual([a.get_text() for a in links], ["Tetiana Writer", "Bohdan Second"])
        self.assertEqual(links[0]["href"], "/author/tetiana-writer/")
        published = self.article.first_published_at.astimezone(ZoneInfo("Europe/Kyiv"))
        time = byline.find("time")
        self.assertEqual(time["datetime"], published.isoformat(timespec="seconds"))
        self.assertIn(published.strftime("%B %-d, %Y"), time.get_text())
        words = self.article.word_count
        self.assertEqual(words, WORDS - 20 + 10 + 6 + 4 + 4)
        self.assertIn(f"{math.ceil(words / 220)} min read", byline.get_text())
        self.assertEqual(self.article.reading_minutes, 4)

    def test_featured_image_in_figure_with_caption_credit_and_webp_srcset(self):
        _, soup = self.get_soup()
        figure = soup.find("figure", class_="story__featured")
        caption = figure.find("figcaption").get_text(" ", strip=True)
        self.assertIn("Relatives hold banners at a rally.", caption)
        self.assertIn("(Jane Doe/Agency)", caption)
        source = figure.find("source", type="image/webp")
        self.assertIn("480w", source["srcset"])
        self.assertIn("1200w", source["srcset"])
        self.assertEqual(figure.find("img")["alt"], "Relatives hold banners at a rally.")

    def test_body_blocks(self):
        _, soup = self.get_soup()
        body = soup.find(class_="story__body")
        self.assertEqual(body.find("h2").get_text(), "Ten words of heading text are counted as read words")
        self.assertIn("Five words in this quote", body.find("blockquote").get_text())
        self.assertEqual(body.find(class_="fact-box").find("h2").get_text(), "Facts")
        self.assertEqual(body.find(class_="related-story").find("a")["href"], "/refinery/")

    def test_corrections_newest_first(self):
        _, soup = self.get_soup()
        items = [li.get_text() for li in soup.find(class_="corrections").find_all("li")]
        self.assertEqual(len(items), 2)
        self.assertIn("Newer fix of a date.", items[0])
        self.assertIn("Older fix of a name.", items[1])

    def test_author_boxes(self):
        _, soup = self.get_soup()
        names = [
            box.find(class_="author-box__name").get_text(" ", strip=True) for box in soup.find_all(class_="author-box")
        ]
        self.assertEqual(names, ["Author: Tetiana Writer", "Author: Bohdan Second"])

    def test_rails_more_from_section_news_feed_editors_picks(self):
        _, soup = self.get_soup()
        related = [
            a.get_text() for a in soup.find(id="rail-related").find_parent("section").select(".card__headline a")
        ]
        self.assertEqual(related, ["Another analysis"])  # its section's; the teaser in its text is not repeated
        # More news would show the section's other stories: the only one is shown above it already.
        self.assertIsNone(soup.find(id="rail-more-news"))
        feed = [a.get_text() for a in soup.find(id="rail-news-feed").find_parent("section").select(".card__headline a")]
        self.assertEqual(feed, ["Short news item"])
        picks = [
            a.get_text() for a in soup.find(id="rail-editors-picks").find_parent("section").select(".card__headline a")
        ]
        self.assertEqual(picks, ["A pick of the editors"])

    def test_footer_menu(self):
        _, soup = self.get_soup()
        footer = soup.find("footer")
        self.assertEqual(footer.find("h2").get_text(), "More")
        self.assertEqual(footer.find("a", string="About us")["href"], "https://example.org/about")

    def test_anonymous_html_holds_nothing_about_the_visitor(self):
        response, soup = self.get_soup()
        html = response.content.decode()
        self.assertNotIn("Edit post", html)
        self.assertNotIn("csrfmiddlewaretoken", html)
        self.assertNotIn("wagtail-userbar", html)
        self.assertNotIn("Set-Cookie", str(response.headers))
        self.assertEqual(response.cookies, {})

    def visitor(self, page_id):
        response = self.client.get(f"/_visitor/?page={page_id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("no-store", response["Cache-Control"])
        return response.json()

    def test_staff_who_may_edit_get_edit_post_from_the_visitor_endpoint(self):
        self.client.force_login(self.make_user("edna", "Editors"))
        page_html = self.get_soup()[0].content
        visitor = self.visitor(self.article.pk)
        self.assertEqual(visitor["edit_url"], f"/admin/pages/{self.article.pk}/edit/")
        self.assertEqual(visitor["edit_label"], "Edit post")
        self.assertIn("wagtail-userbar", visitor["userbar"])
        self.client.logout()
        self.assertEqual(self.get_soup()[0].content, page_html)  # the page itself is the same bytes

    def test_signed_in_user_without_edit_rights_gets_no_edit_link(self):
        self.client.force_login(self.make_user("reader"))
        visitor = self.visitor(self.article.pk)
        self.assertEqual((visitor["signed_in"], visitor["edit_url"], visitor["userbar"]), (True, "", ""))

    def test_bounded_queries(self):
        self.client.get("/families-pressured/")  # renditions are made on the first view
        with CaptureQueriesContext(connection) as queries:
            self.get_soup()
        # Site, home, article (+ image, renditions), view restrictions (2), three rails' ids, the cards (+ their
        # authors), bylines, tags, corrections, settings, and the related-story block's article. The menus and the
        # News Feed's address come from the cache.
        self.assertLessEqual(len(queries), 17, "\n".join(q["sql"][:150] for q in queries.captured_queries))

    def test_a_kept_article_page_asks_the_database_nothing_and_follows_a_change(self):
        self.client.get("/families-pressured/")
        with CaptureQueriesContext(connection) as queries:
            first = self.client.get("/families-pressured/")
        self.assertEqual(len(queries), 0, "\n".join(q["sql"][:150] for q in queries.captured_queries))
        first.context["page"].title = "Changed by one request only"  # each request has its own copy
        self.assertNotContains(self.client.get("/families-pressured/"), "Changed by one request only")
        self.article.title = "Families pressured, corrected headline"
        publish(self.article)
        self.assertContains(self.client.get("/families-pressured/"), "Families pressured, corrected headline")

    def add_stories(self, count, start):
        for n in range(start, start + count):
            published_article(
                title=f"Extra {n}",
                slug=f"extra-{n}",
                section=self.analysis,
                news_feed=True,
                featured_image=ImageFactory(),
                authors=[AuthorFactory()],
                hours_ago=6 + n,
            )

    def test_queries_do_not_grow_with_more_stories(self):
        self.add_stories(2, start=0)
        self.client.get("/families-pressured/")
        with CaptureQueriesContext(connection) as before:
            self.get_soup()
        self.add_stories(6, start=2)
        self.client.get("/families-pressured/")
        with CaptureQueriesContext(connection) as after:
            self.get_soup()
        self.assertEqual(len(after), len(before), self._diff(before, after))

    @staticmethod
    def _diff(before, after):
        a = [q["sql"][:120] for q in before.captured_queries]
        b = [q["sql"][:120] for q in after.captured_queries]
        return "\n".join(x for x in b if x not in a or b.count(x) != a.count(x))

    def test_draft_is_not_public(self):
        draft = published_article(title="Soon", slug="soon-draft")
        draft.unpublish()
        self.assertEqual(self.client.get("/soon-draft/").status_code, 404)

    def test_scheduled_future_story_is_not_public(self):
        future = published_article(title="Future", slug="future-story")
        future.unpublish()
        future.save_revision(approved_go_live_at=timezone.now() + timedelta(days=1))
        self.assertEqual(self.client.get("/future-story/").status_code, 404)

    @staticmethod
    def make_user(username, *groups):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user(username=username, password="x")
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user


def test_time_zone_defaults_to_kyiv():
    assert settings.TIME_ZONE == "Europe/Kyiv"


def test_image_alt_falls_back_from_page_to_caption_to_title(home):
    from masthead.newsroom.models import ArticlePage

    assert ArticlePage(title="No image").image_alt == ""
    image = ImageFactory(title="Title text", caption="")
    article = ArticlePage(title="With image", featured_image=image)
    assert article.image_alt == "Title text"
    image.caption = "Caption text"
    assert article.image_alt == "Caption text"
    article.featured_image_alt = "Written alt"
    assert article.image_alt == "Written alt"
