"""Every editing screen of the desk opens: the add and edit forms of each page type, snippets, settings."""

from django.test import TestCase
from django.urls import reverse
from wagtail.models import Page

from masthead.newsroom.demo import load_demo
from masthead.newsroom.models import Author


class AdminScreensTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_demo(articles=4)
        from django.contrib.auth import get_user_model

        cls.admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw")

    def setUp(self):
        self.client.force_login(self.admin)

    def test_edit_form_of_every_page_type(self):
        seen = set()
        for page in Page.objects.filter(depth__gt=1).specific():
            kind = type(page).__name__
            if kind in seen:
                continue
            seen.add(kind)
            with self.subTest(kind=kind):
                response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
                self.assertEqual(response.status_code, 200)
        self.assertEqual(len(seen), 11)

    def test_add_form_under_each_parent(self):
        for parent in Page.objects.filter(depth__gt=1).specific():
            for child_type in parent.specific_class.creatable_subpage_models():
                if not child_type.can_create_at(parent):  # one-per-site pages that exist already
                    continue
                with self.subTest(parent=type(parent).__name__, child=child_type.__name__):
                    url = reverse(
                        "wagtailadmin_pages:add",
                        args=[child_type._meta.app_label, child_type._meta.model_name, parent.pk],
                    )
                    self.assertEqual(self.client.get(url).status_code, 200)

    def test_preview_of_an_article(self):
        article = Page.objects.type(Page).filter(slug__contains="riverton").first().specific
        response = self.client.get(reverse("wagtailadmin_pages:view_draft", args=[article.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertIn(article.title, response.content.decode())

    def test_authors_settings_and_forms(self):
        author = Author.objects.first()
        for url in [
            reverse("wagtailsnippets_newsroom_author:list"),
            reverse("wagtailsnippets_newsroom_author:add"),
            reverse("wagtailsnippets_newsroom_author:edit", args=[author.pk]),
            reverse("wagtailsettings:edit", args=["newsroom", "newsroomsettings"]),
            reverse("wagtailforms:index"),
            reverse("wagtailimages:index"),
            reverse("wagtailadmin_workflows:index"),
        ]:
            with self.subTest(url=url):
                self.assertIn(self.client.get(url).status_code, (200, 302))
