"""Members write, reply, like, edit, delete and sort comments; the rules that hold them back (closed
discussions, length, links, repeats, rates, first comments) answer with a clear message and change nothing."""

from datetime import timedelta

from django.core.cache import cache
from django.test import TestCase
from django.utils import timezone

from masthead.comments.models import Comment, CommentSettings, Discussion, Like
from masthead.comments.selectors import comment_count
from masthead.comments.tests.factories import article_by, comment, member
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import SectionPageFactory

FETCH = {"HTTP_X_REQUESTED_WITH": "fetch"}


class CommentingTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.section = SectionPageFactory(parent=cls.home, title="War", slug="war")
        cls.article = article_by(title="Families under pressure", slug="families", section=cls.section)
        cls.olena = member("Olena")
        cls.petro = member("Petro")

    def setUp(self):
        cache.clear()
        self.client.force_login(self.olena)

    def post(self, body, parent=None, **extra):
        data = {"body": body} | ({"parent": parent} if parent else {})
        return self.client.post(f"/comments/{self.article.pk}/post/", data, **extra)

    def test_a_comment_is_published_and_counted(self):
        response = self.post("Thank you for this reporting.")
        self.assertEqual(response.status_code, 303)
        made = Comment.objects.get()
        self.assertEqual(
            (made.member, made.status, made.body), (self.olena, "published", "Thank you for this reporting.")
        )
        self.assertTrue(response["Location"].endswith(f"#comment-{made.pk}"))
        self.assertEqual(Discussion.objects.get(page=self.article).comment_count, 1)
        page = self.client.get(f"/comments/{self.article.pk}/")
        self.assertContains(page, "Thank you for this reporting.")
        self.assertContains(page, "Your comment is published.")  # the message after the redirect
        self.assertContains(self.client.get(f"/comments/{self.article.pk}/?fragment=items"), 'data-count="1"')

    def test_the_page_script_gets_the_fragment_back(self):
        response = self.post("From the script.", **FETCH)
        self.assertEqual(response.status_code, 201)
        self.assertContains(response, "From the script.", status_code=201)
        self.assertContains(response, 'data-count="1"', status_code=201)
        self.assertNotContains(response, "<html", status_code=201)
        self.assertEqual(response["Cache-Control"], "private, no-store")

    def test_replies_are_one_level_deep(self):
        top = comment(self.article, self.petro, "Top")
        reply = comment(self.article, self.petro, "Reply", parent=top)
        self.post("A reply to the reply", parent=reply.pk)
        made = Comment.objects.get(body="A reply to the reply")
        self.assertEqual(made.parent, top)
        page = self.client.get(f"/comments/{self.article.pk}/").content.decode()
        self.assertLess(page.index("Top"), page.index("Reply"))
        self.assertLess(page.index("Reply"), page.index("A reply to the reply"))

    def test_a_reply_to_another_articles_comment_is_refused(self):
        other = article_by(title="Other", slug="other")
        elsewhere = comment(other, self.petro, "Elsewhere")
        response = self.post("Sneaky", parent=elsewhere.pk)
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "no longer there", status_code=404)
        self.assertFalse(Comment.objects.filter(body="Sneaky").exists())

    def test_likes_toggle_and_count_once_per_member(self):
        theirs = comment(self.article, self.petro, "Like me")
        for _ in range(2):
            self.client.post(f"/comments/c/{theirs.pk}/like/")
        theirs.refresh_from_db()
        self.assertEqual((theirs.like_count, Like.objects.count()), (0, 0))
        self.client.post(f"/comments/c/{theirs.pk}/like/")
        self.client.force_login(self.petro)
        self.client.post(f"/comments/c/{theirs.pk}/like/")
        theirs.refresh_from_db()
        self.assertEqual(theirs.like_count, 2)
        page = self.client.get(f"/comments/{self.article.pk}/")
        self.assertContains(page, 'aria-pressed="true"')

    def test_edit_within_the_window_and_not_after(self):
        mine = comment(self.article, self.olena, "Typo here")
        response = self.client.post(f"/comments/c/{mine.pk}/edit/", {"body": "No typo here"})
        self.assertEqual(response.status_code, 303)
        mine.refresh_from_db()
        self.assertEqual(mine.body, "No typo here")
        self.assertIsNotNone(mine.edited_at)
        self.assertContains(self.client.get(f"/comments/{self.article.pk}/"), "(edited)")
        Comment.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(minutes=16))
        response = self.client.post(f"/comments/c/{mine.pk}/edit/", {"body": "Too late"})
        self.assertContains(response, "can be edited for 15 minutes", status_code=403)
        mine.refresh_from_db()
        self.assertEqual(mine.body, "No typo here")

    def test_delete_own_keeps_the_thread_and_drops_the_text(self):
        mine = comment(self.article, self.olena, "I regret this")
        comment(self.article, self.petro, "An answer", parent=mine)
        self.client.post(f"/comments/c/{mine.pk}/delete/")
        mine.refresh_from_db()
        self.assertEqual((mine.status, mine.body), ("deleted", ""))
        page = self.client.get(f"/comments/{self.article.pk}/")
        self.assertContains(page, "This comment was deleted by its writer.")
        self.assertContains(page, "An answer")
        self.assertNotContains(page, "I regret this")
        self.assertEqual(Discussion.objects.get(page=self.article).comment_count, 1)

    def test_sorting_newest_oldest_most_liked(self):
        now = timezone.now()
        old = comment(self.article, self.petro, "Oldest words", created_at=now - timedelta(hours=3))
        comment(self.article, self.petro, "Middle words", created_at=now - timedelta(hours=2), like_count=5)
        comment(self.article, self.petro, "Newest words", created_at=now - timedelta(hours=1), like_count=5)
        Comment.objects.filter(pk=old.pk).update(like_count=1)

        def order(sort):
            page = self.client.get(f"/comments/{self.article.pk}/?sort={sort}").content.decode()
            return sorted(["Oldest", "Middle", "Newest"], key=lambda word: page.index(f"{word} words"))

        self.assertEqual(order("newest"), ["Newest", "Middle", "Oldest"])
        self.assertEqual(order("oldest"), ["Oldest", "Middle", "Newest"])
        self.assertEqual(order("liked"), ["Newest", "Middle", "Oldest"])  # ties: the newer first
        self.assertEqual(order("'; DROP TABLE comments_comment; --"), ["Newest", "Middle", "Oldest"])

    def test_long_discussions_come_in_pages_of_fifty_threads(self):
        now = timezone.now()
        Comment.objects.bulk_create(
            Comment(
                article=self.article,
                member=self.petro,
                body=f"Thread {n:02d} words",
                created_at=now - timedelta(minutes=n),
            )
            for n in range(51)
        )
        first = self.client.get(f"/comments/{self.article.pk}/").content.decode()
        self.assertEqual(first.count('class="comments__thread"'), 50)
        self.assertIn("Thread 00 words", first)
        self.assertNotIn("Thread 50 words", first)
        self.assertIn("?page=2", first)
        second = self.client.get(f"/comments/{self.article.pk}/?page=2").content.decode()
        self.assertEqual(second.count('class="comments__thread"'), 1)
        self.assertIn("Thread 50 words", second)
        self.assertIn("Previous comments", second)
        oldest_first = self.client.get(f"/comments/{self.article.pk}/?sort=oldest&page=2").content.decode()
        self.assertIn("Thread 00 words", oldest_first)
        for page in ("0", "-1", "abc", "9" * 30):
            self.assertIn(
                "Thread 00 words", self.client.get(f"/comments/{self.article.pk}/?page={page}").content.decode()
            )
        self.assertIn(
            "No more comments.", self.client.get(f"/comments/{self.article.pk}/?page=999999").content.decode()
        )

    def test_closed_per_article_and_per_section(self):
        for page in (self.article, self.section):
            Discussion.objects.update_or_create(page_id=page.pk, defaults={"closed": True})
            response = self.post(f"Closed by {page.title}")
            self.assertContains(response, "Comments on this article are closed.", status_code=403)
            Discussion.objects.filter(page_id=page.pk).update(closed=False)
        self.assertFalse(Comment.objects.exists())
        self.assertEqual(self.post("Open again").status_code, 303)

    def test_comments_switched_off_site_wide(self):
        CommentSettings.objects.update_or_create(site=self.home.get_site(), defaults={"enabled": False})
        self.assertContains(self.post("Anyone?"), "closed", status_code=403)

    def test_length_limit_says_the_numbers(self):
        response = self.post("x" * 3001)
        self.assertContains(response, "at most 3,000 characters; this one has 3,001", status_code=400)
        self.assertEqual(self.post("x" * 3000).status_code, 303)
        self.assertEqual(self.post("   \n\t ").status_code, 400)
        self.assertEqual(self.post("y" * 100_000).status_code, 400)
        self.assertEqual(Comment.objects.count(), 1)

    def test_many_links_are_held_and_repeats_refused(self):
        self.post("See http://a.example http://b.example http://c.example")
        held = Comment.objects.get()
        self.assertEqual((held.status, held.held_reason), ("held", "more links than allowed"))
        self.assertEqual(comment_count(article_id=self.article.pk), 0)
        page = self.client.get(f"/comments/{self.article.pk}/")
        self.assertContains(page, "Waiting for an editor")  # its writer sees it…
        self.client.force_login(self.petro)
        self.assertNotContains(self.client.get(f"/comments/{self.article.pk}/"), "a.example")  # …no one else
        self.client.force_login(self.olena)
        self.post("Same words")
        response = self.post("Same words")
        self.assertContains(response, "posted this comment already", status_code=409)
        self.assertEqual(Comment.objects.filter(body="Same words").count(), 1)

    def test_first_comment_held_when_the_setting_says(self):
        CommentSettings.objects.update_or_create(site=self.home.get_site(), defaults={"hold_first_comments": True})
        self.post("My first")
        self.assertEqual(Comment.objects.get(body="My first").status, "held")
        Comment.objects.filter(body="My first").update(status="published")
        self.post("My second")
        self.assertEqual(Comment.objects.get(body="My second").status, "published")

    def test_rate_limit_per_member_answers_429_with_retry_after(self):
        for n in range(3):
            self.assertEqual(self.post(f"Comment {n}").status_code, 303)
        response = self.post("One too many")
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertContains(response, "You can post 3 comments in a minute", status_code=429)
        self.assertFalse(Comment.objects.filter(body="One too many").exists())
        self.client.force_login(self.petro)  # another member is not held back
        self.assertEqual(self.post("Petro's first").status_code, 303)

    def test_hostile_values_get_4xx_and_change_nothing(self):
        cases = [
            {"body": "ok", "parent": "x"},
            {"body": "ok", "parent": "-1"},
            {"body": "ok", "parent": str(2**80)},
            {"body": "ok", "parent": "1 OR 1=1"},
            {"body": "\x00\x01"},
            {},
        ]
        for data in cases:
            response = self.client.post(f"/comments/{self.article.pk}/post/", data)
            self.assertIn(response.status_code, {400, 404}, data)
        for url in (
            f"/comments/{2**70}/",
            f"/comments/{2**70}/post/",
            f"/comments/c/{2**70}/like/",
            "/comments/c/999/edit/",
        ):
            self.assertEqual(
                self.client.post(url, {"body": "x"}).status_code, 404 if "post" in url or "/c/" in url else 405
            )
        self.assertEqual(self.client.get(f"/comments/{2**70}/").status_code, 404)
        self.assertEqual(self.client.get(f"/comments/{self.section.pk}/").status_code, 404)  # not an article
        self.assertFalse(Comment.objects.exists())

    def test_unicode_tricks_are_cleaned(self):
        self.post("Admin\u202e reversed\u200b hidden\r\nline two")
        self.assertEqual(Comment.objects.get().body, "Admin reversed hidden\nline two")
        self.post("Ціна: 100 грн 🙂")
        self.assertTrue(Comment.objects.filter(body="Ціна: 100 грн 🙂").exists())
