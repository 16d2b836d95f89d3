"""Editors moderate: the queue of held and reported comments, hide, restore, approve, delete, dismiss, ban
(with a reason and an optional end, and hiding every earlier comment in one action), every act logged with
who and when; and the emails comments cause: reports to the editors, replies to members, comments to the
article's authors, each sent once and never to someone who turned them off."""

from datetime import timedelta

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from masthead.comments.models import Ban, Comment, Discussion, ModerationAction, Notice
from masthead.comments.services import comment_post, comment_report
from masthead.comments.tests.factories import article_by, comment, discussion_cast, member, staff
from masthead.newsroom.services import site_structure_ensure
from masthead.newsroom.tests.factories import SectionPageFactory


class ModerationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
        cls.editor = staff("Marta", "Editors")
        cls.article = article_by(title="Families under pressure", slug="families")
        cls.olena = member("Olena")
        cls.petro = member("Petro")

    def setUp(self):
        self.client.force_login(self.editor)

    def act(self, target, action, **extra):
        return self.client.post(f"/admin/comments/c/{target.pk}/", {"action": action, **extra})

    def test_queue_lists_held_and_reported(self):
        held = comment(self.article, self.olena, "Held words", status="held", held_reason="more links than allowed")
        reported = comment(self.article, self.petro, "Reported words")
        comment_report(member=self.olena, comment=reported, reason="abuse")
        comment(self.article, self.petro, "Fine words")
        page = self.client.get("/admin/comments/").content.decode()
        self.assertIn("Held words", page)
        self.assertIn("more links than allowed", page)
        self.assertNotIn("Reported words", page)
        self.assertIn("Held for approval (1)", page)
        page = self.client.get("/admin/comments/?show=reported").content.decode()
        self.assertIn("Reported words", page)
        self.assertIn("Abusive or hateful", page)
        self.assertNotIn("Fine words", page)
        self.assertEqual(self.client.get("/admin/comments/?show=<script>&p=99999999999").status_code, 200)
        dashboard = self.client.get("/admin/").content.decode()
        self.assertIn("1 held for approval", dashboard)
        self.assertIn("1 reported", dashboard)
        self.client.force_login(staff("Iryna", "Reporters"))
        self.assertNotIn("held for approval", self.client.get("/admin/").content.decode())
        self.assertTrue(Comment.objects.filter(pk=held.pk, status="held").exists())

    def test_every_action_changes_the_comment_and_is_logged(self):
        target = comment(self.article, self.olena, "Held", status="held")
        self.act(target, "approve")
        target.refresh_from_db()
        self.assertEqual(target.status, "published")
        self.assertEqual(Discussion.objects.get(page=self.article).comment_count, 1)
        self.act(target, "hide", reason="Insults")
        target.refresh_from_db()
        self.assertEqual(target.status, "hidden")
        self.assertNotContains(self.client.get(f"/comments/{self.article.pk}/"), "Held")
        self.act(target, "restore")
        target.refresh_from_db()
        comment_report(member=self.petro, comment=target, reason="spam")
        self.act(target, "dismiss")
        target.refresh_from_db()
        self.assertEqual((target.status, target.open_reports), ("published", 0))
        self.act(target, "delete")
        self.assertFalse(Comment.objects.filter(pk=target.pk).exists())
        log = list(ModerationAction.objects.order_by("created_at", "pk").values_list("kind", "actor", "reason"))
        self.assertEqual(
            log,
            [
                ("approve", self.editor.pk, ""),
                ("hide", self.editor.pk, "Insults"),
                ("restore", self.editor.pk, ""),
                ("dismiss", self.editor.pk, ""),
                ("delete", self.editor.pk, ""),
            ],
        )
        self.assertTrue(all(a.created_at for a in ModerationAction.objects.all()))
        page = self.client.get("/admin/comments/log/").content.decode()
        self.assertIn("hid", page)
        self.assertIn("Insults", page)

    def test_unknown_or_impossible_actions_change_nothing(self):
        target = comment(self.article, self.olena, "Shown")
        for action in ("approve", "restore", "explode", "<script>", ""):
            self.act(target, action)
        target.refresh_from_db()
        self.assertEqual(target.status, "published")
        self.assertFalse(ModerationAction.objects.exists())
        self.assertEqual(self.client.post("/admin/comments/c/99999/", {"action": "hide"}).status_code, 404)

    def test_hostile_addresses_and_values_answer_4xx(self):
        huge = 2**70
        for url in (
            f"/admin/comments/c/{huge}/",
            f"/admin/comments/member/{huge}/",
            f"/admin/comments/member/{huge}/lift/",
            f"/admin/comments/member/{huge}/hide-all/",
            f"/admin/comments/page/{huge}/",
        ):
            self.assertEqual(self.client.post(url, {"action": "hide", "reason": "x"}).status_code, 404, url)
        for query in ("?show=' OR 1=1 --", "?p=-1", "?p=" + "9" * 40, "?show=held&p=abc"):
            self.assertEqual(self.client.get("/admin/comments/" + query).status_code, 200, query)
            self.assertEqual(self.client.get("/admin/comments/log/" + query).status_code, 200, query)
        target = comment(self.article, self.olena, "Shown")
        self.assertEqual(self.act(target, "hide", reason="<script>alert(1)</script>" * 50).status_code, 302)
        self.assertNotIn("<script>alert(1)", self.client.get("/admin/comments/log/").content.decode())
        self.assertEqual(len(ModerationAction.objects.get().reason), 500)

    def test_ban_with_end_and_hide_all_in_one_action(self):
        earlier = [comment(self.article, self.olena, f"Earlier {n}") for n in range(3)]
        until = timezone.localtime() + timedelta(days=7)
        response = self.client.post(
            f"/admin/comments/member/{self.olena.pk}/",
            {"reason": "Repeated insults", "until": until.strftime("%Y-%m-%dT%H:%M"), "hide_all": "on"},
        )
        self.assertEqual(response.status_code, 302)
        ban = Ban.objects.get(member=self.olena)
        self.assertEqual(ban.reason, "Repeated insults")
        self.assertAlmostEqual(ban.until.timestamp(), until.replace(second=0, microsecond=0).timestamp(), delta=1)
        self.assertEqual({c.status for c in Comment.objects.filter(pk__in=[c.pk for c in earlier])}, {"hidden"})
        hide_all = ModerationAction.objects.get(kind="hide_all")
        self.assertEqual((hide_all.count, hide_all.member, hide_all.actor), (3, self.olena, self.editor))

        self.client.force_login(self.olena)
        response = self.client.post(f"/comments/{self.article.pk}/post/", {"body": "Let me back"})
        self.assertContains(response, "Repeated insults", status_code=403)
        self.assertContains(self.client.get(f"/comments/{self.article.pk}/"), "You can't comment until")

        Ban.objects.filter(pk=ban.pk).update(until=timezone.now() - timedelta(seconds=1))  # the ban ran out
        self.assertEqual(self.client.post(f"/comments/{self.article.pk}/post/", {"body": "Back"}).status_code, 303)

    def test_lift_and_refusals(self):
        self.client.post(f"/admin/comments/member/{self.olena.pk}/", {"reason": "Spam"})
        self.client.post(f"/admin/comments/member/{self.olena.pk}/lift/")
        self.assertFalse(Ban.objects.filter(Ban.in_force_q(), member=self.olena).exists())
        self.assertEqual(ModerationAction.objects.filter(kind="lift").count(), 1)
        past = (timezone.localtime() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        for data in (
            {"reason": ""},
            {"reason": "x", "until": past},
            {"reason": "x", "until": "not a date"},
            {"reason": "x" * 501},
        ):
            response = self.client.post(f"/admin/comments/member/{self.olena.pk}/", data)
            self.assertEqual(response.status_code, 400, data)
        response = self.client.post(f"/admin/comments/member/{self.editor.pk}/", {"reason": "Editors fight"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Ban.objects.filter(lifted_at__isnull=True).count(), 0)

    def test_closing_an_article_and_a_section_from_the_page_button(self):
        section = SectionPageFactory(parent=self.home, title="Opinion", slug="opinion")
        edit = self.client.get(f"/admin/pages/{self.article.pk}/edit/").content.decode()
        self.assertIn(f"/admin/comments/page/{self.article.pk}/", edit)
        self.client.post(f"/admin/comments/page/{self.article.pk}/", {"closed": "1"})
        self.assertTrue(Discussion.objects.get(page=self.article).closed)
        self.assertContains(self.client.get(f"/comments/{self.article.pk}/"), "Comments on this article are closed.")
        self.client.post(f"/admin/comments/page/{self.article.pk}/", {"closed": "0"})
        self.client.post(f"/admin/comments/page/{section.pk}/", {"closed": "1"})
        self.assertEqual(
            list(ModerationAction.objects.values_list("kind", flat=True).order_by("pk")), ["close", "open", "close"]
        )
        self.assertEqual(self.client.get(f"/admin/comments/page/{self.home.pk}/").status_code, 404)

    def test_an_administrator_deleting_a_member_keeps_the_counts_right(self):
        from masthead.comments.services import comment_like

        admin = staff("Ada", "Administrators")
        admin.is_superuser = True
        admin.save()
        theirs = comment(self.article, self.petro, "Liked")
        comment_like(member=self.olena, comment=theirs)
        mine = comment(self.article, self.olena, "Mine")
        self.client.force_login(admin)
        response = self.client.post(f"/admin/users/delete/{self.olena.pk}/")
        self.assertEqual(response.status_code, 302)
        theirs.refresh_from_db()
        mine.refresh_from_db()
        self.assertEqual((theirs.like_count, mine.member), (0, None))
        comment_like(member=self.petro, comment=theirs)  # and in bulk, from the users listing
        response = self.client.post(f"/admin/bulk/members/user/delete/?id={self.petro.pk}", {})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(type(self.petro).objects.filter(pk=self.petro.pk).exists())
        self.assertEqual(Comment.objects.get(pk=theirs.pk).like_count, 0)

    def test_reporters_and_members_cannot_moderate(self):
        target = comment(self.article, self.olena, "Shown")
        for user in (staff("Iryna", "Reporters"), self.petro):
            self.client.force_login(user)
            self.act(target, "hide")
            self.assertIn(self.client.get("/admin/comments/").status_code, {302, 403})
            self.assertIn(
                self.client.post(f"/admin/comments/member/{self.olena.pk}/", {"reason": "x"}).status_code, {302, 403}
            )
        target.refresh_from_db()
        self.assertEqual(target.status, "published")
        self.assertFalse(Ban.objects.exists())


class NoticeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        discussion_cast(cls)

    def test_reply_and_author_emails_sent_once(self):
        with self.captureOnCommitCallbacks(execute=True):
            top = comment_post(member=self.olena, article=self.article, body="First!")
        self.assertEqual([m.to for m in mail.outbox], [[self.writer.email]])
        self.assertIn("Families under pressure", mail.outbox[0].subject)
        self.assertIn(f"/comments/{self.article.pk}/#comment-{top.pk}", mail.outbox[0].body)
        mail.outbox.clear()
        with self.captureOnCommitCallbacks(execute=True):
            comment_post(member=self.petro, article=self.article, body="A reply", parent_id=top.pk)
        self.assertEqual(sorted(m.to[0] for m in mail.outbox), sorted([self.olena.email, self.writer.email]))
        reply = next(m for m in mail.outbox if m.to == [self.olena.email])
        self.assertEqual(reply.subject, "Petro replied to your comment")
        self.assertIn("/account/", reply.body)  # where to turn them off
        from masthead.comments.services import notice_send

        mail.outbox.clear()
        for notice in Notice.objects.all():
            self.assertEqual(notice_send(notice_id=notice.pk), "sent")  # a rerun sends nothing more
        self.assertEqual(mail.outbox, [])

    def test_no_email_to_those_who_turned_them_off_or_to_oneself(self):
        type(self.olena).objects.filter(pk=self.olena.pk).update(notify_replies=False)
        type(self.writer).objects.filter(pk=self.writer.pk).update(notify_comments=False)
        with self.captureOnCommitCallbacks(execute=True):
            top = comment_post(member=self.olena, article=self.article, body="First!")
            comment_post(member=self.petro, article=self.article, body="Reply", parent_id=top.pk)
            comment_post(member=self.petro, article=self.article, body="Self reply", parent_id=top.pk)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(set(Notice.objects.values_list("status", flat=True)), {"skipped"})

    def test_held_comment_emails_only_once_approved(self):
        from masthead.comments.services import comment_moderate

        with self.captureOnCommitCallbacks(execute=True):
            held = comment_post(
                member=self.olena, article=self.article, body="http://a.example http://b.example http://c.example"
            )
        self.assertEqual(mail.outbox, [])
        with self.captureOnCommitCallbacks(execute=True):
            comment_moderate(actor=staff("Marta", "Editors"), comment=held, action="approve")
        self.assertEqual([m.to for m in mail.outbox], [[self.writer.email]])

    def test_report_emails_the_editors(self):
        target = comment(self.article, self.olena, "Buy cheap pills")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.force_login(self.petro)
            self.client.post(f"/comments/c/{target.pk}/report/", {"reason": "spam"})
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["editors@localhost"])
        self.assertIn("Spam or advertising", mail.outbox[0].body)
        self.assertIn("Buy cheap pills", mail.outbox[0].body)
        response = self.client.post(f"/comments/c/{target.pk}/report/", {"reason": "spam"})
        self.assertContains(response, "reported this comment already", status_code=409)
        response = self.client.post(f"/comments/c/{target.pk}/report/", {"reason": "<b>"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(len(mail.outbox), 1)
