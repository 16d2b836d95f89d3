"""Public pages are cacheable by design, the page cache answers anonymous readers, and a change purges exactly
the pages that show it (masthead/http_cache.py, services.page_shown / page_hidden)."""

import gzip
import time

import brotli
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.test import Client, TestCase, override_settings
from django.utils.http import http_date
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

from masthead.http_cache import PAGE_CACHE, SIGNED_IN_COOKIE
from masthead.newsroom import selectors
from masthead.newsroom.models import NewsroomSettings, OpinionFormPage, PublicAddresses
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    SectionPageFactory,
    StandardPageFactory,
    front_sections,
    published_article,
)


class RecordingBackend(BaseBackend):
    """A front cache that writes down what it is asked to purge (Wagtail's frontend-cache interface)."""

    purged: list[str] = []

    def purge(self, url):
        RecordingBackend.purged.append(url)


FRONT_CACHE = {"recording": {"BACKEND": f"{__name__}.RecordingBackend"}}


class Newsroom(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.other = SectionPageFactory(parent=cls.home, title="Economy", slug="economy")
        cls.author = AuthorFactory(name="Olena Reporter", slug="olena-reporter")
        cls.article = published_article(
            title="Bridge reopens", slug="bridge-reopens", section=cls.analysis, news_feed=True, authors=[cls.author]
        )
        cls.article.tags.add("Infrastructure")
        cls.article.save_revision().publish()
        cls.about = StandardPageFactory(parent=cls.home, title="About", slug="about")
        cls.form = OpinionFormPage(title="Submit an opinion", slug="submit-an-opinion")
        cls.home.add_child(instance=cls.form)
        cls.form.form_fields.create(label="Your opinion", field_type="multiline", required=True)
        cls.public_paths = [
            "/",
            "/bridge-reopens/",
            "/war/",
            "/analysis/",
            "/news/",
            "/about/",
            "/tag/infrastructure/",
            "/author/olena-reporter/",
            "/submit-an-opinion/",
        ]

    def setUp(self):
        caches[PAGE_CACHE].clear()
        RecordingBackend.purged = []

    @staticmethod
    def user(username, *groups):
        user = get_user_model().objects.create_user(username=username, password="x", is_staff=bool(groups))
        for name in groups:
            user.groups.add(Group.objects.get(name=name))
        return user


class HeadersTests(Newsroom):
    def test_every_public_page_is_cacheable_and_holds_nothing_about_the_visitor(self):
        for path in self.public_paths:
            with self.subTest(path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                cache_control = response["Cache-Control"]
                for directive in ("public", "max-age=0", "s-maxage=300", "stale-while-revalidate=", "stale-if-error="):
                    self.assertIn(directive, cache_control)
                self.assertTrue(response.has_header("ETag"))
                self.assertTrue(response.has_header("Last-Modified"))
                self.assertNotIn("cookie", response.get("Vary", "").lower())
                self.assertEqual(response.cookies, {})
                self.assertNotIn("csrfmiddlewaretoken", response.content.decode())

    def test_two_staff_users_and_a_reader_get_the_same_bytes(self):
        editor, reporter = self.user("edna", "Editors"), self.user("rita", "Reporters")
        for path in self.public_paths:
            with self.subTest(path):
                pages = []
                for user in (None, editor, reporter):
                    client = Client()
                    if user:
                        client.force_login(user)
                    response = client.get(path)
                    pages.append(response.content)
                    if user:  # the same page, but never kept by a shared cache
                        self.assertEqual(response["Cache-Control"], "private, no-cache")
                self.assertEqual(pages[0], pages[1])
                self.assertEqual(pages[0], pages[2])

    def test_conditional_requests_answer_304(self):
        response = self.client.get("/bridge-reopens/")
        again = self.client.get("/bridge-reopens/", HTTP_IF_NONE_MATCH=response["ETag"])
        self.assertEqual(again.status_code, 304)
        since = self.client.get("/bridge-reopens/", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"])
        self.assertEqual(since.status_code, 304)
        stale = self.client.get("/bridge-reopens/", HTTP_IF_NONE_MATCH='"something-else"')
        self.assertEqual(stale.status_code, 200)

    def test_last_modified_moves_when_any_page_is_published(self):
        before = self.client.get("/about/")["Last-Modified"]
        time.sleep(1.1)  # HTTP dates have whole seconds
        published_article(title="Later story", slug="later-story")
        self.assertNotEqual(self.client.get("/about/")["Last-Modified"], before)

    def test_not_found_is_cached_briefly(self):
        response = self.client.get("/no-such-story/")
        self.assertEqual(response.status_code, 404)
        self.assertIn("s-maxage=60", response["Cache-Control"])

    def test_html_is_compressed(self):
        for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            response = self.client.get("/bridge-reopens/", HTTP_ACCEPT_ENCODING=encoding)
            self.assertEqual(response["Content-Encoding"], encoding)
            self.assertIn(b"Bridge reopens", decompress(response.content))


class SignedInCookieTests(Newsroom):
    def test_set_at_sign_in_and_removed_at_sign_out(self):
        self.user("edna", "Editors")
        response = self.client.post("/admin/login/", {"username": "edna", "password": "x"})
        self.assertEqual(response.status_code, 302)
        cookie = response.cookies[SIGNED_IN_COOKIE]
        self.assertEqual(cookie.value, "1")
        self.assertFalse(cookie["httponly"])
        response = self.client.post("/admin/logout/")
        self.assertEqual(response.cookies[SIGNED_IN_COOKIE].value, "")  # deleted

    def test_visitor_endpoint_for_an_anonymous_reader_clears_a_stale_cookie(self):
        self.client.cookies[SIGNED_IN_COOKIE] = "1"
        response = self.client.get(f"/_visitor/?page={self.article.pk}")
        self.assertEqual(response.json(), {"signed_in": False})
        self.assertEqual(response.cookies[SIGNED_IN_COOKIE].value, "")

    def test_visitor_endpoint_takes_hostile_input(self):
        self.client.force_login(self.user("edna", "Editors"))
        hostile = ["abc", "-1", "1.5", "9" * 40, "1' OR '1'='1", "<script>", "%00", "١٢", ""]
        for value in hostile:
            with self.subTest(value):
                response = self.client.get("/_visitor/", {"page": value})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response.json()["edit_url"], "")
        self.assertEqual(self.client.post("/_visitor/").status_code, 405)


class FormWithoutTokenTests(Newsroom):
    """The opinion form carries no CSRF token (the page is cached); its POST must come from the site."""

    def post(self, **headers):
        client = Client(enforce_csrf_checks=True)
        return client.post("/submit-an-opinion/", {"your_opinion": "Fix the bridge."}, **headers)

    def test_from_the_site(self):
        response = self.post(HTTP_ORIGIN="http://testserver")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.form.get_submission_class().objects.count(), 1)

    def test_referer_when_no_origin(self):
        self.assertEqual(self.post(HTTP_REFERER="http://testserver/submit-an-opinion/").status_code, 200)

    def test_forged_elsewhere(self):
        for headers in (
            {},
            {"HTTP_ORIGIN": "https://attacker.example"},
            {"HTTP_ORIGIN": "null"},
            {"HTTP_ORIGIN": "http://testserver.attacker.example"},
            {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
            {"HTTP_REFERER": "https://attacker.example/submit-an-opinion/"},
        ):
            with self.subTest(headers):
                self.assertEqual(self.post(**headers).status_code, 403)
        self.assertEqual(self.form.get_submission_class().objects.count(), 0)


@override_settings(MASTHEAD_PAGE_CACHE=True)
class PageCacheTests(Newsroom):
    def get(self, path, **headers):
        return self.client.get(path, **headers)

    def test_second_request_is_a_hit_with_the_same_bytes(self):
        miss, hit = self.get("/bridge-reopens/"), self.get("/bridge-reopens/")
        self.assertEqual((miss["X-Page-Cache"], hit["X-Page-Cache"]), ("miss", "hit"))
        self.assertEqual(miss.content, hit.content)
        self.assertEqual(miss["ETag"], hit["ETag"])
        self.assertEqual(miss["Cache-Control"], hit["Cache-Control"])

    def test_hit_answers_each_encoding_and_conditional_requests(self):
        plain = self.get("/bridge-reopens/").content
        for encoding, decompress in (("br", brotli.decompress), ("gzip", gzip.decompress)):
            response = self.get("/bridge-reopens/", HTTP_ACCEPT_ENCODING=f"{encoding}, deflate")
            self.assertEqual((response["X-Page-Cache"], response["Content-Encoding"]), ("hit", encoding))
            self.assertEqual(decompress(response.content), plain)
            self.assertIn("Accept-Encoding", response["Vary"])
        etag = self.get("/bridge-reopens/")["ETag"]
        self.assertEqual(self.get("/bridge-reopens/", HTTP_IF_NONE_MATCH=etag).status_code, 304)
        self.assertEqual(self.get("/bridge-reopens/", HTTP_IF_NONE_MATCH=f"W/{etag}").status_code, 304)
        later = http_date(time.time() + 60)
        self.assertEqual(self.get("/bridge-reopens/", HTTP_IF_MODIFIED_SINCE=later).status_code, 304)

    def test_head_is_answered_from_the_cache_without_a_body(self):
        page = self.get("/bridge-reopens/")
        head = self.client.head("/bridge-reopens/")
        self.assertEqual((head.status_code, head["X-Page-Cache"], head.content), (200, "hit", b""))
        self.assertEqual(int(head["Content-Length"]), len(page.content))

    def test_what_skips_the_cache(self):
        self.get("/war/")
        self.assertNotIn("X-Page-Cache", self.get("/war/?utm_source=x"))  # unknown parameters
        self.assertNotIn("X-Page-Cache", self.get("/war/?page=1e9"))
        self.assertEqual(self.get("/war/?page=02")["X-Page-Cache"], "miss")
        self.assertEqual(self.get("/war/?page=2")["X-Page-Cache"], "hit")  # one entry for ?page=02 and ?page=2
        self.client.force_login(self.user("edna", "Editors"))
        self.assertNotIn("X-Page-Cache", self.get("/war/"))  # signed in: never from the cache
        self.assertNotIn("X-Page-Cache", self.client.get("/admin/"))

    def test_publishing_a_correction_purges_the_pages_that_show_it(self):
        for path in self.public_paths:
            self.get(path)
        with self.captureOnCommitCallbacks(execute=True):
            self.article.title = "Bridge reopens, corrected"
            self.article.save_revision().publish()
        shown = {
            "/",
            "/bridge-reopens/",
            "/war/",
            "/analysis/",
            "/news/",
            "/tag/infrastructure/",
            "/author/olena-reporter/",
        }
        for path in self.public_paths:
            with self.subTest(path):
                response = self.get(path)
                self.assertEqual(response["X-Page-Cache"], "miss" if path in shown else "hit")
                if path in shown:
                    self.assertIn("Bridge reopens, corrected", response.content.decode())

    def test_page_variants_are_purged_with_their_path(self):
        self.get("/war/?page=2")
        with self.captureOnCommitCallbacks(execute=True):
            self.article.save_revision().publish()
        self.assertEqual(self.get("/war/?page=2")["X-Page-Cache"], "miss")

    def test_unpublishing_takes_the_article_away_at_once(self):
        self.get("/bridge-reopens/")
        with self.captureOnCommitCallbacks(execute=True):
            self.article.unpublish()
        self.assertEqual(self.get("/bridge-reopens/").status_code, 404)
        self.assertNotIn("Bridge reopens", self.get("/tag/infrastructure/").content.decode())

    def test_new_slug_and_removed_tag_purge_the_old_addresses(self):
        self.get("/bridge-reopens/")
        self.get("/tag/infrastructure/")
        with self.captureOnCommitCallbacks(execute=True):
            self.article.slug = "bridge-reopens-monday"
            self.article.tags.clear()
            self.article.save_revision().publish()
        old = self.get("/bridge-reopens/")  # Wagtail keeps a redirect from the old slug
        self.assertEqual((old.status_code, old["Location"]), (301, "/bridge-reopens-monday/"))
        self.assertNotIn("Bridge reopens", self.get("/tag/infrastructure/").content.decode())

    def test_deleting_purges(self):
        self.get("/author/olena-reporter/")
        with self.captureOnCommitCallbacks(execute=True):
            self.article.delete()
        self.assertNotIn("Bridge reopens", self.get("/author/olena-reporter/").content.decode())
        self.assertFalse(PublicAddresses.objects.filter(page_id=self.article.pk).exists())

    def test_settings_change_clears_every_page(self):
        self.get("/about/")
        with self.captureOnCommitCallbacks(execute=True):
            newsroom_settings = NewsroomSettings.for_site(self.home.get_site())
            newsroom_settings.tagline = "A new tagline"
            newsroom_settings.save()
        response = self.get("/about/")
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertIn("A new tagline", response.content.decode())


@override_settings(MASTHEAD_PAGE_CACHE=True)
class SharedThingsTests(Newsroom):
    """An author or a picture shows on many pages: changing one empties the page cache and the cached pieces."""

    def get(self, path):
        return self.client.get(path)

    def test_an_author_renamed_shows_at_once(self):
        self.get("/bridge-reopens/")
        self.get("/")
        with self.captureOnCommitCallbacks(execute=True):
            self.author.name = "Olena Renamed"
            self.author.save()
        for path in ("/bridge-reopens/", "/", "/author/olena-reporter/"):
            with self.subTest(path):
                response = self.get(path)
                self.assertEqual(response["X-Page-Cache"], "miss")
                self.assertIn("Olena Renamed", response.content.decode())


class PurgeSetTests(Newsroom):
    def test_an_article_shows_on_its_page_home_sections_tags_authors_and_news_feed(self):
        self.assertEqual(
            selectors.page_addresses(page=self.article),
            {
                "/bridge-reopens/",
                "/",
                "/war/",
                "/analysis/",
                "/tag/infrastructure/",
                "/author/olena-reporter/",
                "/news/",
                # Its feeds and sitemaps (discovery).
                "/feeds/rss/",
                "/feeds/atom/",
                "/rss/",
                "/feeds/section/war/rss/",
                "/feeds/section/war/atom/",
                "/feeds/section/analysis/rss/",
                "/feeds/section/analysis/atom/",
                "/feeds/tag/infrastructure/rss/",
                "/feeds/tag/infrastructure/atom/",
                "/tag/infrastructure/rss/",
                "/feeds/author/olena-reporter/rss/",
                "/feeds/author/olena-reporter/atom/",
                "/author/olena-reporter/rss/",
                "/sitemap.xml",
                "/sitemap-news.xml",
                "/sitemap-articles-1.xml",
                "/sitemap-tags-1.xml",
                "/sitemap-authors-1.xml",
            },
        )

    def test_a_section_shows_on_its_page_and_the_home_page(self):
        self.assertEqual(selectors.page_addresses(page=self.other), {"/economy/", "/"})

    def test_a_standard_page_shows_on_its_own(self):
        self.assertEqual(selectors.page_addresses(page=self.about), {"/about/"})

    @override_settings(WAGTAILFRONTENDCACHE=FRONT_CACHE)
    def test_front_caches_are_purged_by_a_task_after_commit(self):
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            self.article.save_revision().publish()
        self.assertEqual(RecordingBackend.purged, [])  # nothing before the change is committed
        for callback in callbacks:
            callback()
        # The tests run tasks at once (ImmediateBackend); in production the worker sends them.
        paths = sorted(url.removeprefix(settings.BASE_URL) for url in RecordingBackend.purged)
        self.assertEqual(paths, sorted(selectors.page_addresses(page=self.article)))
