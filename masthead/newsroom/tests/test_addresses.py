"""One address namespace: every page that answers at /<slug>/, recurring and Cyrillic headlines, autosave."""

import pytest
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from masthead.newsroom.models import (
    ArticlePage,
    JobIndexPage,
    NewsFeedPage,
    OpinionFormPage,
    SectionPage,
    StandardPage,
    TeamPage,
)
from masthead.newsroom.services import archive_year_ensure
from masthead.newsroom.slugs import slug_from, transliterate
from masthead.newsroom.tests.factories import AuthorFactory, published_article
from masthead.newsroom.tests.test_editors_desk import article_form

HOME_CHILDREN = [StandardPage, NewsFeedPage, TeamPage, JobIndexPage, OpinionFormPage, SectionPage]


@pytest.fixture
def editor(client, home, make_user):
    user = make_user("editor", "Editors")
    client.force_login(user)
    return user


def add_form(client, parent, model, *, title, slug):
    url = reverse("wagtailadmin_pages:add", args=[model._meta.app_label, model._meta.model_name, parent.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form").copy()
    data["title"], data["slug"] = title, slug
    return url, data


def edit_form(client, page):
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    return url, querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form").copy()


@pytest.mark.parametrize("model", HOME_CHILDREN, ids=lambda m: m.__name__)
def test_a_new_page_never_takes_a_live_articles_address(client, home, editor, model):
    published_article(title="Kharkiv under fire", slug="kharkiv-under-fire")
    url, data = add_form(client, home, model, title="Kharkiv under fire", slug="kharkiv-under-fire")
    data["action-publish"] = "1"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    page = model.objects.get(title="Kharkiv under fire")
    assert page.slug == "kharkiv-under-fire-2"
    assert "Kharkiv under fire" in client.get("/kharkiv-under-fire/").content.decode()
    assert ArticlePage.objects.get().slug == "kharkiv-under-fire"


@pytest.mark.parametrize("model", HOME_CHILDREN, ids=lambda m: m.__name__)
def test_a_published_page_cannot_be_renamed_onto_an_article(client, home, editor, model):
    published_article(title="Kharkiv under fire", slug="kharkiv-under-fire")
    url, data = add_form(client, home, model, title="About us", slug="about-us")
    data["action-publish"] = "1"
    client.post(url, data)
    page = model.objects.get(slug="about-us")
    url, data = edit_form(client, page)
    data["slug"], data["action-publish"] = "kharkiv-under-fire", "1"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "The address /kharkiv-under-fire/ is already taken by another page." in response.content.decode()
    page.refresh_from_db()
    assert page.slug == "about-us"


def test_an_article_never_takes_a_home_pages_childs_address(client, home, editor):
    url, data = add_form(client, home, StandardPage, title="Contacts", slug="contacts")
    data["action-publish"] = "1"
    client.post(url, data)
    folder = archive_year_ensure(year=2026)
    url, data = article_form(client, folder, title="Contacts", slug="contacts", author=AuthorFactory())
    data["action-publish"] = "1"
    assert client.post(url, data).status_code == 302
    assert ArticlePage.objects.get().slug == "contacts-2"


@pytest.mark.parametrize("slug", ["tag", "author", "admin", "search", "newsletters"])
def test_reserved_addresses_are_skipped(client, home, editor, slug):
    url, data = add_form(client, home, StandardPage, title=slug.title(), slug=slug)
    data["action-publish"] = "1"
    client.post(url, data)
    assert StandardPage.objects.get().slug == f"{slug}-2"


def test_a_recurring_headline_gets_the_next_free_address(client, home, editor):
    headline = "Russian attacks kill 3 in Kharkiv"
    published_article(title=headline, slug="russian-attacks-kill-3-in-kharkiv")
    author = AuthorFactory()
    for year, expected in [
        (2026, "russian-attacks-kill-3-in-kharkiv-2"),
        (2025, "russian-attacks-kill-3-in-kharkiv-3"),
    ]:
        url, data = article_form(
            client, archive_year_ensure(year=year), title=headline, slug=slug_from(headline), author=author
        )
        data["action-publish"] = "1"
        assert client.post(url, data).status_code == 302
        assert ArticlePage.objects.filter(slug=expected).exists()
    assert client.get("/russian-attacks-kill-3-in-kharkiv-3/").status_code == 200


def test_a_cyrillic_headline_gets_a_romanised_address(client, home, editor):
    headline = "Російські атаки вбили трьох людей у Харкові"
    folder = archive_year_ensure(year=2026)
    # The admin's script fills the slug from the headline as typed, Cyrillic and all.
    url, data = article_form(
        client, folder, title=headline, slug="російські-атаки-вбили-трьох-людей-у-харкові", author=AuthorFactory()
    )
    data["action-publish"] = "1"
    assert client.post(url, data).status_code == 302
    article = ArticlePage.objects.get()
    assert article.slug == "rosiiski-ataky-vbyly-trokh-liudei-u-kharkovi"
    assert client.get("/rosiiski-ataky-vbyly-trokh-liudei-u-kharkovi/").status_code == 200


@pytest.mark.parametrize(
    ("ukrainian", "roman"),
    # The examples of the 2010 resolution itself.
    [
        ("Згорани", "zghorany"),
        ("Розгон", "rozghon"),
        ("Юрій", "yurii"),
        ("Корюківка", "koriukivka"),
        ("Їжакевич", "yizhakevych"),
        ("Кадиївка", "kadyivka"),
        ("Яготин", "yahotyn"),
        ("Костянтин", "kostiantyn"),
        ("Єнакієве", "yenakiieve"),
        ("Гаєвич", "haievych"),
        ("Знамʼянка", "znamianka"),
        ("Щербухи", "shcherbukhy"),
        ("Гоща", "hoshcha"),
        ("Жданович", "zhdanovych"),
        ("Ґалаґан", "galagan"),
        ("Йосипівка", "yosypivka"),
    ],
)
def test_romanisation_follows_the_official_table(ukrainian, roman):
    assert transliterate(ukrainian).lower() == roman


def test_addresses_are_cut_at_a_word(home):
    slug = slug_from("word " * 60)
    assert len(slug) <= 100 and not slug.endswith("-") and slug.endswith("word")


def autosave(client, url, data):
    return client.post(url, data, HTTP_ACCEPT="application/json")


def test_an_abandoned_autosave_holds_no_address(client, home, editor):
    headline = "Air raid alert over Kyiv"
    folder = archive_year_ensure(year=2026)
    url, data = article_form(client, folder, title=headline, slug="air-raid-alert-over-kyiv", author=AuthorFactory())
    data.pop("authors-TOTAL_FORMS")  # mid-typing: the byline not filled in yet
    response = autosave(client, url, {**data.dict(), "authors-TOTAL_FORMS": "0"})
    assert response.status_code == 200, response.content[:2000]
    assert response.json()["success"] is True  # saved quietly, no validation error while typing
    abandoned = ArticlePage.objects.get()
    assert abandoned.slug == "air-raid-alert-over-kyiv"

    # The editor leaves it; later "New article" with the same headline, published.
    url, data = article_form(client, folder, title=headline, slug="air-raid-alert-over-kyiv", author=AuthorFactory())
    data["action-publish"] = "1"
    assert client.post(url, data).status_code == 302
    published = ArticlePage.objects.live().get()
    assert published.slug == "air-raid-alert-over-kyiv"
    abandoned.refresh_from_db()
    assert abandoned.slug == "air-raid-alert-over-kyiv-2" and not abandoned.live


def test_an_autosave_that_clashes_is_given_a_free_address_and_the_browser_told(client, home, editor):
    published_article(title="Budget passes", slug="budget-passes")
    folder = archive_year_ensure(year=2026)
    url, data = article_form(client, folder, title="Budget passes", slug="budget-passes", author=AuthorFactory())
    response = autosave(client, url, data)
    assert response.json()["success"] is True
    assert response.json()["field_updates"]["slug"] == "budget-passes-2"
