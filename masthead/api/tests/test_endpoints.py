"""The Content API's endpoints answer Ghost's documented requests with Ghost's shapes (ghost-content-api.md)."""

import json
import re
from datetime import UTC, timedelta
from unittest import mock

from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag

from masthead.api import views
from masthead.api.ids import ghost_id
from masthead.api.models import ContentApiKey
from masthead.newsroom.models import HomeEditorsPick, TagDetail
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import (
    AuthorFactory,
    ImageFactory,
    StandardPageFactory,
    front_sections,
    publish,
    published_article,
)

BASE = "/ghost/api/content"
POST_KEYS = [
    "id", "uuid", "title", "slug", "html", "comment_id", "feature_image", "featured", "visibility", "created_at",
    "updated_at", "published_at", "custom_excerpt", "codeinjection_head", "codeinjection_foot", "custom_template",
    "canonical_url", "url", "excerpt", "reading_time", "access", "comments", "og_image", "og_title",
    "og_description", "twitter_image", "twitter_title", "twitter_description", "meta_title", "meta_description",
    "email_subject", "frontmatter", "feature_image_alt", "feature_image_caption",
]  # fmt: skip
TAG_KEYS = [
    "id", "name", "slug", "description", "feature_image", "visibility", "og_image", "og_title", "og_description",
    "twitter_image", "twitter_title", "twitter_description", "meta_title", "meta_description", "codeinjection_head",
    "codeinjection_foot", "canonical_url", "accent_color", "url",
]  # fmt: skip
AUTHOR_KEYS = [
    "id", "name", "slug", "profile_image", "cover_image", "bio", "website", "location", "facebook", "twitter",
    "threads", "bluesky", "mastodon", "tiktok", "youtube", "instagram", "linkedin", "meta_title", "meta_description",
    "url",
]  # fmt: skip
ERROR_KEYS = ["message", "context", "type", "details", "property", "help", "code", "id", "ghostErrorCode"]
GHOST_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d")


class ContentApiTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.war, cls.analysis = front_sections(cls.home)
        cls.olena = AuthorFactory(name="Olena Koval", slug="olena", x_url="https://x.com/olenak")
        cls.petro = AuthorFactory(name="Petro Bilyk", slug="petro", photo=ImageFactory())
        cls.nobody = AuthorFactory(name="Never Bylined", slug="nobody")
        cls.picture = ImageFactory(caption="The bridge at dawn")
        cls.bridge = published_article(
            hours_ago=100, title="Bridge opens", slug="bridge", section=cls.war, authors=[cls.olena, cls.petro],
            featured_image=cls.picture, featured_image_alt="A bridge over the river",
            standfirst="The river has a crossing again.", seo_title="Bridge opens at last",
        )  # fmt: skip
        cls.bridge.tags.add("News", "Energy")
        publish(cls.bridge, at=timezone.now() - timedelta(hours=100))
        cls.grid = published_article(
            hours_ago=2, title="Grid repaired", slug="grid", section=cls.analysis, authors=[cls.petro], standfirst=""
        )
        cls.grid.tags.add("Energy")
        publish(cls.grid, at=timezone.now() - timedelta(hours=2))
        cls.mayor = published_article(hours_ago=1, title="The mayor speaks", slug="mayor")
        cls.draft = published_article(hours_ago=3, title="Unpublished", slug="unpublished")
        cls.draft.unpublish()
        Tag.objects.create(name="Unused", slug="unused")
        TagDetail.objects.create(tag=Tag.objects.get(slug="news"), description="What happened today.")
        HomeEditorsPick.objects.create(home=cls.home, article=cls.grid, sort_order=0)
        cls.about = StandardPageFactory(parent=cls.home, title="About us", slug="about", intro="Who we are.",
                                        body="<p>We are a <b>newsroom</b>.</p>")  # fmt: skip
        cls.key = ContentApiKey.objects.create(name="Tests").secret

    def get(self, path: str, **params):
        query = {"key": self.key, **params}
        return self.client.get(f"{BASE}/{path}", {k: v for k, v in query.items() if v is not None})

    def ok(self, path: str, **params) -> dict:
        response = self.get(path, **params)
        body = response.getvalue()  # once: a streamed answer is read as it is consumed
        self.assertEqual(response.status_code, 200, body[:500])
        self.assertEqual(response["Content-Type"], "application/json; charset=utf-8")
        return json.loads(body)

    def error(self, path: str, status: int, **params) -> dict:
        response = self.get(path, **params)
        self.assertEqual(response.status_code, status, response.content[:500])
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertIn("no-store", response["Cache-Control"])
        body = response.json()
        self.assertEqual(len(body["errors"]), 1)
        self.assertEqual(list(body["errors"][0]), ERROR_KEYS)
        return body["errors"][0]

    # The key

    def test_no_key_is_ghosts_403(self):
        error = self.error("posts/", 403, key=None)
        self.assertEqual((error["message"], error["type"]), ("Authorization failed", "NoPermissionError"))
        self.assertTrue(error["context"].startswith("Unable to determine the authenticated member or integration."))
        self.assertRegex(error["id"], r"^[0-9a-f-]{36}$")

    def test_an_unknown_key_is_ghosts_401(self):
        for key in ("0" * 26, "not a key", "", "<script>", "x" * 10_000):
            error = self.error("posts/", 401, key=key)
            self.assertEqual(error["message"], "Unknown Content API Key")
            self.assertEqual((error["type"], error["code"]), ("UnauthorizedError", "UNKNOWN_CONTENT_API_KEY"))

    def test_a_key_given_twice_is_a_400(self):
        response = self.client.get(f"{BASE}/posts/?key={self.key}&key={self.key}")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"][0]["code"], "INVALID_REQUEST")

    def test_the_key_is_checked_before_the_options(self):
        self.error("posts/", 401, key="0" * 26, limit="abc")

    def test_a_deleted_key_stops_working_and_use_is_remembered(self):
        self.ok("posts/")
        self.assertEqual(ContentApiKey.objects.get(secret=self.key).last_used_on, timezone.localdate())
        ContentApiKey.objects.filter(secret=self.key).delete()
        self.error("posts/", 401)

    def test_guessing_keys_is_stopped_after_99_an_hour(self):
        for _ in range(99):
            self.error("tags/", 401, key="1" * 26)
        error = self.error("tags/", 429, key="1" * 26)
        self.assertEqual(error["type"], "TooManyRequestsError")
        self.assertTrue(int(self.get("tags/", key="1" * 26)["Retry-After"]) > 0)

    # Posts

    def test_browsing_posts_gives_ghosts_shape_newest_first(self):
        body = self.ok("posts/")
        self.assertEqual(list(body), ["posts", "meta"])
        self.assertEqual([post["slug"] for post in body["posts"]], ["mayor", "grid", "bridge"])
        self.assertEqual(
            body["meta"], {"pagination": {"page": 1, "limit": 15, "pages": 1, "total": 3, "next": None, "prev": None}}
        )
        bridge = body["posts"][2]
        self.assertEqual(list(bridge), POST_KEYS)
        self.assertEqual(bridge["id"], ghost_id("page", self.bridge.pk))
        self.assertEqual(bridge["comment_id"], bridge["id"])
        self.assertEqual(bridge["uuid"], str(self.bridge.translation_key))
        self.assertEqual(bridge["url"], "http://testserver/bridge/")
        self.assertEqual(bridge["custom_excerpt"], "The river has a crossing again.")
        self.assertEqual(bridge["excerpt"], "The river has a crossing again.")
        self.assertEqual(bridge["meta_title"], "Bridge opens at last")
        self.assertEqual(bridge["feature_image_alt"], "A bridge over the river")
        self.assertEqual(bridge["feature_image_caption"], "The bridge at dawn")
        self.assertRegex(bridge["feature_image"], r"^http://testserver/media/images/.+\.jpg$")
        self.assertIn("First paragraph of the story.", bridge["html"])
        self.assertEqual((bridge["visibility"], bridge["access"], bridge["featured"]), ("public", True, False))
        self.assertIsInstance(bridge["reading_time"], int)
        for name in ("created_at", "updated_at", "published_at"):
            self.assertRegex(bridge[name], GHOST_TIME)
        grid = body["posts"][1]
        self.assertTrue(grid["featured"])
        self.assertIsNone(grid["custom_excerpt"])  # no standfirst: the excerpt is the text's beginning
        self.assertTrue(grid["excerpt"].startswith("First paragraph of the story."))

    def test_include_tags_and_authors(self):
        bridge = self.ok("posts/", include="tags,authors,tiers,nonsense", filter="slug:bridge")["posts"][0]
        self.assertEqual([tag["slug"] for tag in bridge["tags"]], ["news", "energy"])
        self.assertEqual(bridge["primary_tag"]["slug"], "news")
        self.assertEqual(list(bridge["tags"][0]), TAG_KEYS)
        self.assertEqual(bridge["tags"][0]["description"], "What happened today.")
        self.assertEqual([author["slug"] for author in bridge["authors"]], ["olena", "petro"])
        self.assertEqual(bridge["primary_author"], bridge["authors"][0])
        self.assertEqual(list(bridge["authors"][0]), AUTHOR_KEYS)
        self.assertEqual(bridge["authors"][0]["twitter"], "@olenak")
        self.assertNotIn("tiers", bridge)
        keys = list(bridge)
        self.assertEqual(keys[keys.index("canonical_url") + 1 : keys.index("url")],
                         ["tags", "authors", "primary_author", "primary_tag"])  # fmt: skip
        mayor = self.ok("posts/slug/mayor/", include="tags,authors")["posts"][0]
        self.assertEqual((mayor["tags"], mayor["primary_tag"]), ([], None))

    def test_fields_and_formats(self):
        body = self.ok("posts/", fields="title,url")
        self.assertEqual(body["posts"][0], {"title": "The mayor speaks", "url": "http://testserver/mayor/"})
        self.assertEqual(list(self.ok("posts/", fields="excerpt")["posts"][0]), ["excerpt"])
        self.assertEqual(list(self.ok("posts/", fields="TITLE , Html")["posts"][0]), ["title", "html"])
        self.assertEqual(list(self.ok("posts/", fields="nothing")["posts"][0]), ["id"])
        plain = self.ok("posts/slug/bridge/", formats="plaintext")["posts"][0]
        self.assertNotIn("html", plain)
        self.assertEqual(plain["plaintext"], "First paragraph of the story.\n\nSecond paragraph.")
        both = self.ok("posts/slug/bridge/", formats="html,plaintext")["posts"][0]
        self.assertIn("html", both)
        self.assertEqual(list(both)[5:7], ["comment_id", "plaintext"])
        self.assertNotIn("html", self.ok("posts/slug/bridge/", formats="mobiledoc,lexical")["posts"][0])

    def test_ghosts_filter_examples(self):
        def slugs(text):
            return [post["slug"] for post in self.ok("posts/", filter=text, fields="slug")["posts"]]

        self.assertEqual(slugs("tag:news"), ["bridge"])
        self.assertEqual(slugs("tags:[news,energy]"), ["grid", "bridge"])
        self.assertEqual(slugs("tag:-news"), ["mayor", "grid"])
        self.assertEqual(slugs("author:petro"), ["grid", "bridge"])
        self.assertEqual(slugs("primary_author:petro"), ["grid"])
        self.assertEqual(slugs("featured:true"), ["grid"])
        self.assertEqual(slugs("tag:energy+featured:false"), ["bridge"])
        self.assertEqual(slugs("tag:news,author:petro"), ["grid", "bridge"])
        since = (timezone.now() - timedelta(hours=10)).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
        self.assertEqual(slugs(f"published_at:>'{since}'"), ["mayor", "grid"])
        self.assertEqual(slugs("section:war"), ["grid", "bridge"])  # Masthead's own, with subsections
        self.assertEqual(slugs("slug:unpublished"), [])  # drafts are never served

    def test_a_filter_that_does_not_parse_is_ghosts_400(self):
        error = self.error("posts/", 400, filter="tag:")
        self.assertEqual(error["message"], "Request not understood error, cannot list posts.")
        self.assertEqual((error["context"], error["type"]), ("Error parsing filter", "BadRequestError"))
        self.assertEqual(self.error("tags/", 400, filter="foo:bar")["context"], "Could not understand request.")

    def test_reading_a_post_by_id_and_by_slug(self):
        by_id = self.ok(f"posts/{ghost_id('page', self.bridge.pk)}/")
        self.assertEqual(list(by_id), ["posts"])  # no meta: the JS client then returns the one post
        self.assertEqual(by_id, self.ok("posts/slug/bridge/", slug="bridge"))
        error = self.error(f"posts/{ghost_id('page', self.draft.pk)}/", 404)
        self.assertEqual((error["message"], error["context"]), ("Resource not found error, cannot read post.",
                                                                 "Post not found."))  # fmt: skip
        self.error(f"posts/{ghost_id('page', self.about.pk)}/", 404)  # a page is not a post
        self.error(f"posts/{ghost_id('tag', self.bridge.pk)}/", 404)  # nor is a tag's id
        self.error("posts/slug/about/", 404)
        error = self.error("posts/123/", 422)
        self.assertEqual(error["message"], "Validation error, cannot read post.")
        self.assertEqual(error["context"], "Validation (matches) failed for id undefined.id")
        self.assertEqual(self.error("posts/slug/Bridge/", 422)["context"],
                         "Validation (isSlug) failed for slug undefined.slug")  # fmt: skip

    def test_read_takes_no_browse_options(self):
        self.assertEqual(self.ok("posts/slug/bridge/", filter="tag:nothing", limit="abc")["posts"][0]["slug"], "bridge")

    # Pagination, limit and order

    def test_pages_of_results(self):
        first = self.ok("posts/", limit=2, fields="slug")
        self.assertEqual(
            first["meta"]["pagination"], {"page": 1, "limit": 2, "pages": 2, "total": 3, "next": 2, "prev": None}
        )
        second = self.ok("posts/", limit=2, page=2, fields="slug")
        self.assertEqual([p["slug"] for p in second["posts"]], ["bridge"])
        self.assertEqual(second["meta"]["pagination"]["prev"], 1)
        past = self.ok("posts/", limit=1, page=9)
        self.assertEqual((past["posts"], past["meta"]["pagination"]["next"], past["meta"]["pagination"]["prev"]),
                         ([], 10, 8))  # fmt: skip
        self.assertEqual(self.ok("posts/", page="99999999999999999999999")["posts"], [])
        self.assertEqual(self.ok("posts/", limit=0)["meta"]["pagination"]["limit"], 15)
        self.assertEqual(self.ok("posts/", limit=500)["meta"]["pagination"]["limit"], 100)  # Ghost 6's cap
        empty = self.ok("posts/", filter="tag:nothing-has-this")
        self.assertEqual(
            empty["meta"]["pagination"], {"page": 1, "limit": 15, "pages": 1, "total": 0, "next": None, "prev": None}
        )

    def test_limit_all_returns_every_row_as_ghost_5(self):
        with mock.patch.object(views, "CHUNK", 2):  # streamed a chunk at a time
            body = self.ok("posts/", limit="all", fields="slug")
        self.assertEqual([p["slug"] for p in body["posts"]], ["mayor", "grid", "bridge"])
        self.assertEqual(
            body["meta"]["pagination"], {"page": 1, "limit": "all", "pages": 1, "total": 3, "next": None, "prev": None}
        )
        with override_settings(MASTHEAD_CONTENT_API_LIMIT_ALL=False):
            self.assertEqual(self.ok("posts/", limit="all")["meta"]["pagination"]["limit"], 100)

    def test_options_that_break_ghosts_rules_are_422(self):
        for name, value in [("limit", "abc"), ("limit", "-5"), ("limit", "1.5"), ("page", "abc"), ("page", "-1"),
                            ("order", "published_at-desc"), ("order", "title;drop")]:  # fmt: skip
            error = self.error("posts/", 422, **{name: value})
            self.assertEqual(error["message"], "Validation error, cannot list posts.")
            self.assertEqual(error["context"], f"Validation (matches) failed for {name} undefined.{name}")
        self.assertEqual(self.error("posts/", 422, formats="html,pdf")["context"],
                         "Validation (AllowedValues) failed for formats")  # fmt: skip

    def test_order(self):
        def slugs(order, resource="posts"):
            return [row["slug"] for row in self.ok(f"{resource}/", order=order, fields="slug")[resource]]

        self.assertEqual(slugs("title asc"), ["bridge", "grid", "mayor"])
        self.assertEqual(slugs("title DESC"), ["mayor", "grid", "bridge"])
        self.assertEqual(slugs("published_at asc"), ["bridge", "grid", "mayor"])
        self.assertEqual(slugs("reading_time asc"), ["mayor", "grid", "bridge"])  # not sortable: the default
        self.assertEqual(slugs("slug desc", "tags"), ["news", "energy"])

    # Pages, tags, authors, settings

    def test_pages_are_the_standing_pages(self):
        body = self.ok("pages/", include="tags,authors")
        about = body["pages"][0]
        self.assertEqual(len(body["pages"]), 1)
        self.assertEqual(about["title"], "About us")
        self.assertEqual(about["html"], "<p>We are a <b>newsroom</b>.</p>")
        self.assertEqual((about["custom_excerpt"], about["show_title_and_feature_image"]), ("Who we are.", True))
        self.assertEqual((about["tags"], about["authors"], about["primary_tag"]), ([], [], None))
        self.assertNotIn("email_subject", about)  # as Ghost's pages (read off Ghost 6.65)
        self.assertEqual(self.ok("pages/slug/about/")["pages"][0]["id"], ghost_id("page", self.about.pk))
        self.assertEqual(
            self.error("pages/slug/bridge/", 404)["message"], "Resource not found error, cannot read page."
        )

    def test_tags_are_those_with_published_stories(self):
        body = self.ok("tags/", include="count.posts")
        self.assertEqual([tag["slug"] for tag in body["tags"]], ["energy", "news"])  # name asc; not "unused"
        self.assertEqual([tag["count"] for tag in body["tags"]], [{"posts": 2}, {"posts": 1}])
        self.assertEqual(list(body["tags"][0]), [*TAG_KEYS[:-1], "count", "url"])
        self.assertEqual(body["tags"][1]["url"], "http://testserver/tag/news/")
        ordered = self.ok("tags/", include="count.posts", order="count.posts asc", fields="slug")
        self.assertEqual([tag["slug"] for tag in ordered["tags"]], ["news", "energy"])
        self.assertNotIn("count", self.ok("tags/slug/news/")["tags"][0])
        self.assertEqual(self.ok("tags/", filter="slug:[news,unused]", fields="slug")["tags"], [{"slug": "news"}])
        self.error("tags/slug/unused/", 404)

    def test_authors_are_those_with_published_stories(self):
        body = self.ok("authors/", include="count.posts")
        self.assertEqual([a["slug"] for a in body["authors"]], ["olena", "petro"])
        self.assertEqual([a["count"]["posts"] for a in body["authors"]], [1, 2])
        petro = self.ok(f"authors/{ghost_id('author', self.petro.pk)}/")["authors"][0]
        self.assertEqual(list(petro), AUTHOR_KEYS)
        self.assertRegex(petro["profile_image"], r"^http://testserver/media/images/.+\.webp$")
        self.assertEqual(petro["url"], "http://testserver/author/petro/")
        error = self.error("authors/slug/nobody/", 404)
        self.assertEqual(error["message"], "Resource not found error, cannot read author.")

    def test_settings(self):
        body = self.ok("settings/")
        self.assertEqual(list(body), ["settings", "meta"])
        self.assertEqual(body["meta"], {})
        settings = body["settings"]
        self.assertEqual((settings["title"], settings["url"]), ("Test Newsroom", "http://testserver/"))
        self.assertEqual(list(settings)[:5], ["title", "description", "logo", "icon", "accent_color"])
        self.assertEqual(list(settings)[-2:], ["url", "version"])
        self.assertIsInstance(settings["navigation"], list)

    # HTTP

    def test_headers_cors_and_preflight(self):
        response = self.get("posts/")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        self.assertEqual(response["Cache-Control"], "public, max-age=0")
        self.assertRegex(response["Content-Version"], r"^v\d+\.\d+$")
        self.assertIn("Accept-Version", response["Vary"])
        again = self.client.get(f"{BASE}/posts/", {"key": self.key}, headers={"If-None-Match": response["ETag"]})
        self.assertEqual(again.status_code, 304)
        preflight = self.client.options(
            f"{BASE}/posts/",
            headers={"Origin": "https://app.example", "Access-Control-Request-Headers": "accept-version"},
        )
        self.assertEqual((preflight.status_code, preflight.content), (204, b""))
        self.assertEqual(preflight["Access-Control-Allow-Origin"], "*")
        self.assertEqual(preflight["Access-Control-Allow-Headers"], "accept-version")
        self.assertEqual(preflight["Access-Control-Max-Age"], "86400")

    def test_unknown_addresses_and_methods(self):
        response = self.client.get(f"{BASE}/nothing/here/")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["errors"][0]["message"], "Resource not found")
        newer = self.client.get(f"{BASE}/nothing/", headers={"Accept-Version": "v6.0"})
        self.assertEqual(newer.status_code, 406)
        self.assertEqual(newer.json()["errors"][0]["code"], "UPDATE_GHOST")
        slashless = self.client.get(f"{BASE}/posts", {"key": self.key})
        self.assertEqual((slashless.status_code, slashless["Location"]), (301, f"{BASE}/posts/?key={self.key}"))
        strict = Client(enforce_csrf_checks=True)  # as a program calls: no CSRF cookie, and JSON back
        for method in ("post", "put", "patch", "delete", "trace"):
            response = getattr(strict, method)(f"{BASE}/posts/?key={self.key}")
            self.assertEqual((response.status_code, response.json()["errors"][0]["type"]), (404, "NotFoundError"))
            response = getattr(strict, method)(f"{BASE}/elsewhere/")
            self.assertEqual(response.status_code, 404)

    def test_a_page_of_posts_costs_the_same_queries_whatever_its_length(self):
        counts = []
        for limit in (1, 3):
            for _ in range(2):  # the stories' HTML and the site's settings are kept after a first reading
                self.ok("posts/", include="tags,authors", limit=limit)
            with CaptureQueriesContext(connection) as queries:
                self.ok("posts/", include="tags,authors", limit=limit)
            counts.append(len(queries))
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[0], 6)  # the key, the count, the ids, the stories, their tags, their bylines

    @override_settings(MASTHEAD_FRAGMENT_CACHE=True)
    def test_kept_rows_follow_a_published_change(self):
        before = self.ok("posts/slug/bridge/", include="tags")["posts"][0]
        self.assertEqual(self.ok("posts/slug/bridge/", include="tags")["posts"][0], before)  # from the cache
        self.bridge.title = "Bridge opens to traffic"
        publish(self.bridge)
        self.assertEqual(self.ok("posts/slug/bridge/", include="tags")["posts"][0]["title"], "Bridge opens to traffic")
        self.assertEqual(self.ok("posts/", fields="title", limit=1, filter="slug:bridge")["posts"][0]["title"],
                         "Bridge opens to traffic")  # fmt: skip
        self.assertEqual(self.ok("posts/")["meta"]["pagination"]["total"], 3)  # the count too is kept
        published_article(title="Another story", slug="another")
        self.assertEqual(self.ok("posts/")["meta"]["pagination"]["total"], 4)

    def test_the_openapi_description(self):
        response = self.client.get(f"{BASE}/openapi.json")
        self.assertEqual(response.status_code, 200)
        description = response.json()
        self.assertEqual(description["openapi"], "3.0.3")
        self.assertEqual(description["servers"], [{"url": "http://testserver/ghost/api/content"}])
        self.assertIn("/posts/slug/{slug}/", description["paths"])
