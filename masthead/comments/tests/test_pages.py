"""The article page stays cacheable and the same for everyone; the discussion is cacheable for readers
without a session and private for members; nothing a member types becomes markup; the pages are valid HTML."""

from html.parser import HTMLParser

from django.core.cache import caches
from django.test import TestCase, override_settings

from masthead.comments.models import Comment
from masthead.comments.tests.factories import article_by, comment, discussion_cast, member, staff
from masthead.newsroom.services import site_structure_ensure
from masthead.tests.helpers import html_errors

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(2)">',
    "<svg/onload=alert(3)>",
    '"><script>alert(4)</script>',
    "javascript:alert(5)",
    '<a href="javascript:alert(6)">click</a>',
    "[click](javascript:alert(7))",
    "<iframe src=//evil.example>",
    "<b onmouseover=alert(8)>bold",
    "</textarea><script>alert(9)</script>",
    "<!--<script>alert(10)//-->",
    "<style>body{display:none}</style>",
    'http://example.com/"onmouseover="alert(11)',
    "www.example.com/<script>alert(12)</script>",
    "\u202egnp.exe",
    "＜script＞alert(13)＜/script＞",
    "&lt;script&gt;alert(14)&lt;/script&gt;",
    "<a href='http://ok.example' style='position:fixed'>x</a>",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxNSk8L3NjcmlwdD4=",
    "%3Cscript%3Ealert(16)%3C/script%3E",
]


class Elements(HTMLParser):
    """Every tag and attribute inside the comment bodies of a page."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.found.append((tag, attrs))
            if tag not in ("br",):
                self.depth += 1
        elif "comment__body" in (attrs.get("class") or ""):
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1


class PagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        discussion_cast(cls)

    def test_nothing_a_member_types_becomes_markup(self):
        for text in XSS:
            comment(self.article, self.olena, f"{text} see http://news.example/a?b=1&c=2")
        for viewer in (None, self.petro):
            if viewer:
                self.client.force_login(viewer)
            page = self.client.get(f"/comments/{self.article.pk}/").content.decode()
            parser = Elements()
            parser.feed(page)
            tags = {tag for tag, _ in parser.found}
            self.assertLessEqual(tags, {"p", "a", "br"}, parser.found)
            for tag, attrs in parser.found:
                if tag == "a":
                    self.assertTrue(attrs["href"].startswith(("http://", "https://", "mailto:")), attrs)
                    self.assertEqual(set(attrs), {"href", "rel"}, attrs)
                    self.assertEqual(attrs["rel"], "nofollow ugc noopener")
                else:
                    self.assertEqual(attrs, {}, (tag, attrs))
            self.assertNotIn("<script>alert", page)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)
            self.assertIn('href="http://news.example/a?b=1&amp;c=2"', page)
        self.assertEqual(html_errors({"discussion with hostile comments": page}), [])

    def test_the_article_page_is_the_same_for_every_visitor_and_cacheable(self):
        comment(self.article, self.olena, "Visible comment text")
        anonymous = self.client.get(self.article.url)
        self.assertIn("s-maxage", anonymous["Cache-Control"])
        self.assertNotIn("Cookie", anonymous.get("Vary", ""))
        self.client.force_login(self.olena)
        signed_in = self.client.get(self.article.url)
        self.assertEqual(anonymous.content, signed_in.content)
        body = anonymous.content.decode()
        self.assertNotIn("Visible comment text", body)  # comments come from their own address
        self.assertNotIn("csrfmiddlewaretoken", body)
        self.assertIn(f'data-comments="/comments/{self.article.pk}/"', body)
        self.assertIn(f'href="/comments/{self.article.pk}/"', body)  # without JavaScript: a link

    def test_discussion_cacheable_without_a_session_private_with_one(self):
        comment(self.article, self.olena, "Visible comment text")
        anonymous = self.client.get(f"/comments/{self.article.pk}/?fragment=items")
        self.assertIn("public", anonymous["Cache-Control"])
        self.assertNotIn("Cookie", anonymous.get("Vary", ""))
        self.assertNotIn("csrfmiddlewaretoken", anonymous.content.decode())
        self.assertIn("Sign in or create an account", anonymous.content.decode())
        self.client.force_login(self.petro)
        mine = self.client.get(f"/comments/{self.article.pk}/?fragment=items")
        self.assertIn("private", mine["Cache-Control"])
        self.assertIn("csrfmiddlewaretoken", mine.content.decode())
        self.assertIn("Your comment, as Petro", mine.content.decode())

    @override_settings(MASTHEAD_PAGE_CACHE=True)
    def test_a_new_comment_shows_at_once_to_readers_of_the_cached_discussion(self):
        url = f"/comments/{self.article.pk}/"
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get(url)["X-Page-Cache"], "hit")
        member_client = self.client_class()
        member_client.force_login(self.petro)
        with self.captureOnCommitCallbacks(execute=True):
            member_client.post(f"{url}post/", {"body": "Fresh comment"})
        fresh = self.client.get(url)
        self.assertEqual(fresh["X-Page-Cache"], "miss")
        self.assertIn("Fresh comment", fresh.content.decode())
        caches["pages"].clear()

    def test_counts_in_the_listings(self):
        from masthead.comments.services import discussion_recount
        from masthead.newsroom.tests.factories import SectionPageFactory

        section = SectionPageFactory(parent=self.article.get_parent().get_parent().get_parent(), slug="war")
        talked = article_by(title="Talked about", slug="talked", section=section)
        article_by(title="Quiet", slug="quiet", section=section)
        for n in range(2):
            comment(talked, self.olena, f"Comment {n}")
        comment(talked, self.olena, "Held", status="held")
        discussion_recount(article_id=talked.pk)
        page = self.client.get("/war/").content.decode()
        self.assertIn(f'<a href="/comments/{talked.pk}/">2 comments</a>', page)
        self.assertEqual(page.count("card__comments"), 1)  # none for the article without comments
        self.assertEqual(html_errors({"section with counts": page}), [])

    def test_pages_are_valid_html(self):
        top = comment(self.article, self.olena, "First line\n\nSecond paragraph with https://example.com/x")
        comment(self.article, self.petro, "A reply", parent=top)
        comment(self.article, self.olena, "Held one", status="held")
        gone = comment(self.article, self.petro, "", status="deleted")
        comment(self.article, self.olena, "Reply to a deleted comment", parent=gone)
        documents = {"discussion, anonymous": self.client.get(f"/comments/{self.article.pk}/").content.decode()}
        documents["article with comments section"] = self.client.get(self.article.url).content.decode()
        self.client.force_login(self.olena)
        documents["discussion, member"] = self.client.get(f"/comments/{self.article.pk}/").content.decode()
        documents["discussion, refused"] = self.client.post(
            f"/comments/{self.article.pk}/post/", {"body": "x" * 5000}
        ).content.decode()
        documents["fragment"] = self.client.get(f"/comments/{self.article.pk}/?fragment=items").content.decode()
        documents["account"] = self.client.get("/account/").content.decode()
        documents["account delete"] = self.client.get("/account/delete/").content.decode()
        documents["account email"] = self.client.get("/account/email/").content.decode()
        documents["account email refused"] = self.client.post(
            "/account/email/", {"email": "bad", "action_add": ""}
        ).content.decode()
        documents["account delete refused"] = self.client.post("/account/delete/", {}).content.decode()
        self.client.logout()
        for path in ("/account/signup/", "/account/login/code/", "/account/deleted/"):
            documents[path] = self.client.get(path).content.decode()
        documents["sign-up refused"] = self.client.post("/account/signup/", {"email": "bad"}).content.decode()
        fragment = documents.pop("fragment")
        self.assertEqual(html_errors(documents), [])
        wrapped = f"<!DOCTYPE html><html lang=en><head><title>t</title></head><body>{fragment}</body></html>"
        self.assertEqual(html_errors({"fragment": wrapped}), [])


ACTIONS = ["post", "reply", "like", "report", "edit own", "delete own", "moderate", "ban"]
#            post   reply  like   report edit   delete moderate ban
MATRIX = {
    "anonymous": [403, 403, 403, 403, 403, 403, "no", "no"],
    "member": [303, 303, 303, 303, 303, 303, "no", "no"],
    "banned member": [403, 403, 403, 303, 403, 303, "no", "no"],
    "author": [303, 303, 303, 303, 303, 303, "no", "no"],
    "editor": [303, 303, 303, 303, 303, 303, "yes", "yes"],
    "administrator": [303, 303, 303, 303, 303, 303, "yes", "yes"],
}


class PermissionMatrixTests(TestCase):
    """Each role against every comment action: what is answered, and whether anything changed."""

    @classmethod
    def setUpTestData(cls):
        site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        from masthead.comments.models import Ban

        cls.writer = staff("Iryna", "Reporters")
        cls.article = article_by(cls.writer, title="Families under pressure", slug="families")
        cls.other = member("Other")
        banned = member("Banned")
        Ban.objects.create(member=banned, reason="Spam")
        superuser = staff("Admin", "Administrators")
        superuser.is_superuser = True
        superuser.save()
        cls.users = {
            "anonymous": None,
            "member": member("Member"),
            "banned member": banned,
            "author": cls.writer,
            "editor": staff("Marta", "Editors"),
            "administrator": superuser,
        }

    def test_matrix(self):
        for role, expected in MATRIX.items():
            with self.subTest(role=role):
                self.client.logout()
                user = self.users[role]
                if user:
                    self.client.force_login(user)
                theirs = comment(self.article, self.other, f"Theirs for {role}")
                mine = comment(self.article, user or self.other, f"Mine for {role}")
                got = [
                    self.client.post(f"/comments/{self.article.pk}/post/", {"body": f"Post by {role}"}).status_code,
                    self.client.post(
                        f"/comments/{self.article.pk}/post/", {"body": f"Reply by {role}", "parent": theirs.pk}
                    ).status_code,
                    self.client.post(f"/comments/c/{theirs.pk}/like/").status_code,
                    self.client.post(f"/comments/c/{theirs.pk}/report/", {"reason": "spam"}).status_code,
                    self.client.post(f"/comments/c/{mine.pk}/edit/", {"body": "Edited"}).status_code,
                    self.client.post(f"/comments/c/{mine.pk}/delete/").status_code,
                ]
                self.client.post(f"/admin/comments/c/{theirs.pk}/", {"action": "hide"})
                theirs.refresh_from_db()
                got.append("yes" if theirs.status == "hidden" else "no")
                self.client.post(f"/admin/comments/member/{self.other.pk}/", {"reason": f"by {role}"})
                from masthead.comments.models import Ban

                got.append("yes" if Ban.objects.filter(member=self.other, reason=f"by {role}").exists() else "no")
                self.assertEqual(dict(zip(ACTIONS, got, strict=True)), dict(zip(ACTIONS, expected, strict=True)))
                posted = Comment.objects.filter(body__in=[f"Post by {role}", f"Reply by {role}"]).count()
                self.assertEqual(posted, 2 if expected[0] == 303 else 0)
                Ban.objects.filter(member=self.other).delete()
