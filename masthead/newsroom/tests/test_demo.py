"""The demo newsroom looks alive: sections, authors, weeks of stories, pages and settings; every page answers."""

from django.test import TestCase
from django.utils import timezone
from wagtail.models import Page

from masthead.newsroom.demo import SECTIONS, load_demo
from masthead.newsroom.models import (
    ArticlePage,
    Author,
    Correction,
    HomePage,
    JobPostingPage,
    NewsroomSettings,
    SectionPage,
    StandardPage,
)
from masthead.tests.helpers import html_errors


class DemoNewsroomTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = load_demo()

    def test_sections_tree(self):
        titles = set(SectionPage.objects.values_list("title", flat=True))
        expected = {title for title, _, _ in SECTIONS} | {"Analysis", "Russia's War"}
        self.assertEqual(titles, expected)
        war = SectionPage.objects.get(slug="war")
        self.assertEqual(
            set(SectionPage.objects.child_of(war).values_list("slug", flat=True)), {"analysis", "russias-war"}
        )

    def test_authors_articles_news_feed_and_corrections(self):
        self.assertGreaterEqual(Author.objects.count(), 8)
        articles = ArticlePage.objects.live()
        self.assertGreaterEqual(articles.count(), 40)
        share = articles.filter(news_feed=True).count() / articles.count()
        self.assertTrue(0.25 <= share <= 0.45, share)
        self.assertGreaterEqual(Correction.objects.values("article").distinct().count(), 3)
        oldest = articles.order_by("first_published_at").first().first_published_at
        self.assertGreater(timezone.now() - oldest, timezone.timedelta(days=14))
        self.assertTrue(all(a.featured_image_id for a in articles))
        self.assertTrue(all(a.authors.exists() for a in articles))

    def test_images_have_captions_and_credits(self):
        article = ArticlePage.objects.live().first()
        self.assertTrue(article.featured_image.caption)
        self.assertTrue(article.featured_image.credit)

    def test_says_it_is_demo_content(self):
        article = ArticlePage.objects.live().first()
        self.assertIn("demo", article.standfirst.lower())
        self.assertIn("demo", self.client.get("/about/").content.decode().lower())

    def test_settings_promo_and_menus(self):
        newsroom_settings = NewsroomSettings.for_site(self.home.get_site())
        self.assertTrue(newsroom_settings.promo_active())
        labels = [block.value["label"] for block in newsroom_settings.primary_menu]
        self.assertEqual(
            labels, ["News Feed", "War", "National", "Human Story", "Field Report", "Company News", "More"]
        )
        more = [link["label"] for link in newsroom_settings.primary_menu[-1].value["links"]]
        self.assertEqual(more, ["About", "Join the Team", "Team", "Advertising", "Jobs"])
        footer = [link["label"] for link in newsroom_settings.footer_menu[1].value["links"]]
        self.assertIn("Submit an Opinion", footer)

    def test_every_live_page_answers(self):
        pages = Page.objects.live().filter(depth__gt=1).specific()
        for page in pages:
            url = page.url
            if url is None or page.__class__.__name__ in {"ArticleIndexPage", "ArticleYearPage"}:
                continue
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)
        for url in ["/tag/demo/", "/author/olena-demo/", "/analysis/", "/news/?page=2"]:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 200)

    def test_menu_links_use_flat_section_addresses(self):
        html = self.client.get("/").content.decode()
        self.assertIn('href="/analysis/"', html)
        self.assertNotIn('href="/war/analysis/"', html)

    def test_every_kind_of_public_page_is_valid_html(self):
        """The Nu HTML checker finds no error on any kind of public page."""
        article = ArticlePage.objects.live().order_by("-first_published_at").first()
        tag = article.tags.first()
        section = SectionPage.objects.get(slug="analysis")
        author = Author.objects.filter(bylines__isnull=False).first()
        urls = {
            "home": "/",
            "article": article.url,
            "section": section.url,
            "News Feed": "/news/",
            "News Feed, page 2": "/news/?page=2",
            "tag": f"/tag/{tag.slug}/",
            "author": author.get_absolute_url(),
            "team": "/team/",
            "jobs": "/jobs/",
            "job posting": JobPostingPage.objects.live().first().url,
            "standard page": StandardPage.objects.live().get(slug="about").url,
            "opinion form": "/submit-an-opinion/",
            "lead story's comments": f"/comments/{HomePage.objects.get().lead_story_id}/",
            "search": "/search/",
            "search results": f"/search/?q={article.title.split()[0]}",
            "search with filters": f"/search/?q=the&section=analysis&kind=story&since=2020-01-01&author={author.slug}",
            "search with errors": "/search/?q=%22open&since=not-a-date&until=2001-01-01&kind=%3Cb%3E",
            "search finding nothing": "/search/?q=zzzzqqq",
        }
        documents = {}
        for name, url in urls.items():
            response = self.client.get(url)
            self.assertEqual(response.status_code, 200, url)
            documents[f"{name} ({url})"] = response.content.decode()
        invalid = self.client.post("/submit-an-opinion/", {"your_name": "x"})
        self.assertIn("This field is required.", invalid.content.decode())
        documents["opinion form with errors"] = invalid.content.decode()
        thanks = self.client.post(
            "/submit-an-opinion/",
            {"your_name": "Reader", "email": "r@example.org", "headline": "H", "your_piece": "Text."},
        )
        self.assertIn("Thank you", thanks.content.decode())
        documents["opinion thank-you page"] = thanks.content.decode()
        from masthead.newsletters import services as newsletters
        from masthead.newsletters.models import Newsletter, Subscriber

        documents["newsletters"] = self.client.get("/newsletters/").content.decode()
        self.assertEqual(Newsletter.objects.filter(is_public=True).count(), 3)
        refused = self.client.post("/newsletters/subscribe/", {"email": "not an address"})
        self.assertEqual(refused.status_code, 400)
        documents["newsletters sign-up with errors"] = refused.content.decode()
        documents["check your email"] = self.client.get("/newsletters/check-your-email/").content.decode()
        newsletters.subscription_request(email="reader@example.org", newsletters=list(Newsletter.objects.all()))
        token = newsletters.confirmation_token(subscriber=Subscriber.objects.get())
        documents["confirm"] = self.client.get(f"/newsletters/confirm/{token}/").content.decode()
        documents["confirmed"] = self.client.post(f"/newsletters/confirm/{token}/").content.decode()
        documents["bad link"] = self.client.get("/newsletters/confirm/forged/").content.decode()
        subscriber = Subscriber.objects.get()
        preferences = f"/newsletters/preferences/{newsletters.preferences_token(subscriber=subscriber)}/"
        documents["preferences"] = self.client.get(preferences).content.decode()
        documents["preferences saved"] = self.client.post(preferences, {"action": "save"}).content.decode()
        unsubscribe = (
            f"/newsletters/unsubscribe/{newsletters.unsubscribe_token(subscription=subscriber.subscriptions.first())}/"
        )
        documents["unsubscribe"] = self.client.get(unsubscribe).content.decode()
        documents["unsubscribed"] = self.client.post(unsubscribe).content.decode()
        documents["address deleted"] = self.client.post(preferences, {"action": "forget"}).content.decode()
        missing = self.client.get("/no-such-page/")
        self.assertEqual(missing.status_code, 404)
        documents["404"] = missing.content.decode()

        self.assertIn(
            "Olha P.", documents[f"lead story's comments (/comments/{HomePage.objects.get().lead_story_id}/)"]
        )
        self.assertEqual(html_errors(documents), [])


def test_demo_headlines_have_unique_slugs_up_to_the_largest_demo():
    from masthead.newsroom.demo import demo_headline

    slugs = [demo_headline(n)[1] for n in range(2000)]  # `masthead demo` takes at most 2000 articles
    assert len(set(slugs)) == len(slugs)
    assert max(len(slug) for slug in slugs) <= 80
    assert demo_headline(400)[0].endswith("(part 3)") and demo_headline(400)[1].endswith("-part-3")
