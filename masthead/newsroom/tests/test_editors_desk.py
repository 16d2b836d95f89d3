"""The editors' desk: who may write, review, publish and preview, and the Editorial review workflow."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, querydict_from_html, rich_text, streamfield

from masthead.newsroom.models import ArticlePage, ArticleYearPage, HomePage, SectionPage
from masthead.newsroom.services import archive_year_ensure
from masthead.newsroom.tests.factories import (
    ArticlePageFactory,
    AuthorFactory,
    ImageFactory,
    SectionPageFactory,
    published_article,
)


def test_groups_are_created_by_the_migration(db):
    assert set(Group.objects.values_list("name", flat=True)) >= {"Reporters", "Editors", "Administrators"}
    assert not Group.objects.filter(name="Moderators").exists()


@pytest.fixture
def people(home, make_user):
    return {
        "reporter": make_user("reporter", "Reporters"),
        "editor": make_user("editor", "Editors"),
        "admin": make_user("administrator", "Administrators"),
        "reader": make_user("reader"),
    }


def article_form(client, folder, *, title, slug, author):
    url = reverse("wagtailadmin_pages:add", args=["newsroom", "articlepage", folder.pk])
    response = client.get(url)
    assert response.status_code == 200
    data = querydict_from_html(response.content.decode(), form_id="page-edit-form").copy()
    data["title"], data["slug"], data["standfirst"] = title, slug, "Standfirst."
    # What the checks before publishing ask for: a section and a described featured image.
    section = SectionPage.objects.first() or SectionPageFactory(parent=HomePage.objects.get(), title="News")
    data["section"] = str(section.pk)
    data["featured_image"] = str(ImageFactory(renditions=False).pk)
    data["featured_image_alt"] = "Firefighters at a damaged building"
    data["authors-TOTAL_FORMS"] = "1"
    data["authors-0-author"] = str(author.pk)
    data["authors-0-ORDER"] = "1"
    data["authors-0-DELETE"] = ""
    data["authors-0-id"] = ""
    data.update(nested_form_data({"body": streamfield([("paragraph", rich_text("<p>Text.</p>"))])}))
    return url, data


def edit_form(client, page):
    """The edit form as the admin renders it, with the body the browser's JavaScript would send."""
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form").copy()
    data.update(nested_form_data({"body": streamfield([("paragraph", rich_text("<p>Text.</p>"))])}))
    return url, data


def test_reporter_writes_and_submits_editor_approves_and_publishes(client, home, people):
    author = AuthorFactory()
    folder = archive_year_ensure(year=2026)
    client.force_login(people["reporter"])
    url, data = article_form(client, folder, title="Reporter's story", slug="reporters-story", author=author)
    data["action-publish"] = "action-publish"  # a reporter's publish button does not exist; forcing it changes nothing
    client.post(url, data)
    article = ArticlePage.objects.get(slug="reporters-story")
    assert not article.live

    edit_url, data = edit_form(client, article)
    data["action-submit"] = "action-submit"
    response = client.post(edit_url, data)
    assert response.status_code == 302
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(article.pk))
    assert state.workflow.name == "Editorial review"
    assert state.status == "in_progress"
    article.refresh_from_db()
    assert not article.live

    client.force_login(people["editor"])
    task_state = state.current_task_state
    approve = reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "approve", task_state.pk])
    response = client.post(approve, {"comment": "Good to go"})
    assert response.status_code in (200, 302)
    article.refresh_from_db()
    assert article.live
    assert client.get("/reporters-story/").status_code == 200


def test_reporter_cannot_approve(client, home, people):
    article = ArticlePageFactory(live=False, title="Pending", slug="pending")
    article.save_revision(user=people["reporter"])
    from wagtail.models import Workflow

    workflow = Workflow.objects.get(name="Editorial review")
    workflow.start(article, people["reporter"])
    state = WorkflowState.objects.get(object_id=str(article.pk))
    client.force_login(people["reporter"])
    approve = reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "approve", state.current_task_state.pk])
    client.post(approve, {"comment": ""})
    article.refresh_from_db()
    assert not article.live


def test_new_article_menu_files_into_this_years_folder(client, home, people):
    folder = archive_year_ensure(year=timezone.localdate().year)
    client.force_login(people["reporter"])
    response = client.get(reverse("newsroom_new_article"))
    assert response.status_code == 302
    assert response["Location"] == reverse("wagtailadmin_pages:add", args=["newsroom", "articlepage", folder.pk])


def test_new_article_starts_a_years_folder_only_by_post(client, home, people):
    year = timezone.localdate().year
    ArticleYearPage.objects.filter(slug=str(year)).delete()
    client.force_login(people["reporter"])
    response = client.get(reverse("newsroom_new_article"))
    assert response.status_code == 200
    assert f"Start {year} and write an article" in response.content.decode()
    assert not ArticleYearPage.objects.filter(slug=str(year)).exists()  # a GET (a prefetch, a crawler) changes nothing

    response = client.post(reverse("newsroom_new_article"))
    folder = ArticleYearPage.objects.get(slug=str(year))
    assert response["Location"] == reverse("wagtailadmin_pages:add", args=["newsroom", "articlepage", folder.pk])
    assert client.put(reverse("newsroom_new_article")).status_code == 405


@pytest.mark.parametrize("who", [None, "reader"])
def test_outsiders_cannot_preview_drafts_or_open_the_admin(client, home, people, who):
    draft = ArticlePageFactory(live=False, title="Secret draft", slug="secret-draft")
    draft.save_revision()
    if who:
        client.force_login(people[who])
    assert client.get("/secret-draft/").status_code == 404
    for url in [
        reverse("wagtailadmin_pages:view_draft", args=[draft.pk]),
        reverse("wagtailadmin_pages:edit", args=[draft.pk]),
        reverse("newsroom_new_article"),
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Secret draft" not in response.content


def test_staff_preview_a_draft(client, home, people):
    draft = ArticlePageFactory(live=False, title="Draft to check", slug="draft-to-check")
    draft.save_revision()
    client.force_login(people["reporter"])
    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[draft.pk]))
    assert response.status_code == 200
    assert b"Draft to check" in response.content


def test_editor_cannot_manage_users_but_administrator_can(client, home, people):
    client.force_login(people["editor"])
    assert client.get(reverse("wagtailusers_users:index")).status_code in (302, 403)
    client.force_login(people["admin"])
    assert client.get(reverse("wagtailusers_users:index")).status_code == 200


def test_site_settings_are_for_editors_not_reporters(client, home, people):
    url = reverse("wagtailsettings:edit", args=["newsroom", "newsroomsettings"])
    client.force_login(people["reporter"])
    response = client.get(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("wagtailadmin_home")  # turned away to the dashboard
    assert "Sorry, you do not have permission to access this area." in response.content.decode()
    assert "Promo bar" not in response.content.decode()

    client.force_login(people["editor"])
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0].startswith(url)  # the settings of the site
    html = response.content.decode()
    assert "Promo bar" in html and 'name="promo_text"' in html


def test_home_is_the_site_root_and_the_structure_is_idempotent(home):
    from masthead.newsroom.services import site_structure_ensure

    again = site_structure_ensure(site_name="Test Newsroom")
    assert again.pk == home.pk
    assert Page.objects.filter(depth=2).count() == 1


@pytest.mark.parametrize(
    ("title", "slug", "message"),
    [
        ("Bad slug", "no spaces allowed", "Enter a valid “slug”"),
        ("", "empty-title", "This field is required."),
        ("x" * 300, "too-long-title", "Ensure this value has at most 255 characters (it has 300)."),
    ],
)
def test_admin_refuses_bad_articles_and_changes_nothing(client, home, people, title, slug, message):
    from masthead.newsroom.tests.factories import SectionPageFactory

    SectionPageFactory(parent=home, title="War", slug="war")
    folder = archive_year_ensure(year=2026)
    client.force_login(people["editor"])
    url, data = article_form(client, folder, title=title, slug=slug, author=AuthorFactory())
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with its errors
    html = response.content.decode()
    assert "The page could not be created due to validation errors" in html
    assert message in html
    assert not ArticlePage.objects.exists()


def test_markup_in_a_headline_is_shown_as_text(client, home):
    published_article(title='<script>alert("x")</script> & “quotes”', slug="markup")
    html = client.get("/markup/").content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; “quotes”" in html


def test_reporters_choose_authors_editors_manage_them(client, home, people):
    author = AuthorFactory(name="Chosen One")
    chooser = reverse("wagtailsnippetchoosers_newsroom_author:choose")
    client.force_login(people["reporter"])
    response = client.get(chooser)
    assert response.status_code == 200
    assert "Chosen One" in response.content.decode()
    assert client.get(reverse("wagtailsnippets_newsroom_author:edit", args=[author.pk])).status_code in (302, 403)
    client.force_login(people["editor"])
    assert client.get(reverse("wagtailsnippets_newsroom_author:edit", args=[author.pk])).status_code == 200


def test_the_article_form_speaks_as_a_newsroom(client, home, people):
    folder = archive_year_ensure(year=2026)
    client.force_login(people["editor"])
    html = client.get(reverse("wagtailadmin_pages:add", args=["newsroom", "articlepage", folder.pk])).content.decode()
    assert "domain.com/blog" not in html and "[my-slug]" not in html
    assert "The headline, as readers see it" in html
    assert "Authors 1" not in html
