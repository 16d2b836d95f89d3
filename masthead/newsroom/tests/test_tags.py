"""Tags are one per word, whatever its case: "kyiv" typed on one article is the "Kyiv" of another, with one page."""

from bs4 import BeautifulSoup
from taggit.models import Tag

from masthead.newsroom.tests.factories import publish, published_article


def test_a_tag_typed_in_another_case_is_the_same_tag(home, client):
    first = published_article(title="First story")
    first.tags.add("Kyiv")
    publish(first)
    second = published_article(title="Second story")
    second.tags.set(["kyiv", "METRO"])
    publish(second)
    third = published_article(title="Third story")
    third.tags.set(["Metro"])
    publish(third)
    assert sorted(Tag.objects.values_list("slug", flat=True)) == ["kyiv", "metro"]
    page = BeautifulSoup(client.get("/tag/kyiv/").content, "html.parser")
    assert {"First story", "Second story"} <= {link.get_text(strip=True) for link in page.select("main a")}
    assert client.get("/tag/kyiv_1/").status_code == 404


import pytest  # noqa: E402
from django.urls import reverse  # noqa: E402
from wagtail.test.utils.form_data import querydict_from_html  # noqa: E402

from masthead.newsroom.models import ArticlePage, TagDetail  # noqa: E402
from masthead.newsroom.tests.factories import ImageFactory  # noqa: E402


def tagged(title: str, *names: str) -> ArticlePage:
    article = published_article(title=title)
    article.tags.set(list(names))
    return publish(article)


@pytest.fixture
def editor(client, home, make_user):
    user = make_user("editor", "Editors")
    client.force_login(user)
    return user


def tag_edit(client, tag, **changes):
    url = reverse("wagtailsnippets_taggit_tag:edit", args=[tag.pk])
    data = querydict_from_html(client.get(url).content.decode(), form_id="w-editor-form").copy()
    data.update(changes)
    return client.post(url, data)


def test_a_renamed_tag_keeps_its_articles_and_its_old_address_redirects(client, editor):
    story = tagged("Night raid", "Kyiv")
    tag = Tag.objects.get(name="Kyiv")
    assert tag_edit(client, tag, name="Kyiv city").status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.slug) == ("Kyiv city", "kyiv-city")
    assert list(ArticlePage.objects.get(pk=story.pk).tags.names()) == ["Kyiv city"]
    response = client.get("/tag/kyiv/")
    assert response.status_code == 301 and response["Location"] == "/tag/kyiv-city/"
    assert "Night raid" in client.get("/tag/kyiv-city/").content.decode()


def test_renaming_onto_another_tag_says_merge_instead(client, editor):
    tagged("One", "Kyiv", "Lviv")
    response = tag_edit(client, Tag.objects.get(name="Lviv"), name="kyiv")
    assert response.status_code == 200
    assert "A tag named “kyiv” exists already: merge the two instead." in response.content.decode()
    assert Tag.objects.filter(name="Lviv").exists()


def test_merging_tags_keeps_one_tag_per_article_and_redirects(client, editor):
    a = tagged("Story A", "Kharkiv")
    b = tagged("Story B", "Kharkiv Oblast")
    c = tagged("Story C", "Kharkiv", "Kharkiv Oblast", "Energy")
    kharkiv, oblast = Tag.objects.get(name="Kharkiv"), Tag.objects.get(name="Kharkiv Oblast")
    response = client.post(reverse("newsroom_tags_merge"), {"sources": [oblast.pk], "target": kharkiv.pk})
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=oblast.pk).exists()
    for story in (a, b, c):
        assert "Kharkiv" in list(ArticlePage.objects.get(pk=story.pk).tags.names())
    assert sorted(ArticlePage.objects.get(pk=c.pk).tags.names()) == ["Energy", "Kharkiv"]
    response = client.get("/tag/kharkiv-oblast/")
    assert response.status_code == 301 and response["Location"] == "/tag/kharkiv/"
    page = client.get("/tag/kharkiv/").content.decode()
    assert all(title in page for title in ("Story A", "Story B", "Story C"))

    # An older revision published again names the merged tag, not the one that went.
    ArticlePage.objects.get(pk=b.pk).get_latest_revision().publish()
    assert not Tag.objects.filter(name="Kharkiv Oblast").exists()
    assert list(ArticlePage.objects.get(pk=b.pk).tags.names()) == ["Kharkiv"]


def test_a_merge_into_a_tag_that_was_merged_before_follows_the_redirects(client, editor):
    tagged("Story", "Odesa", "Odessa", "Odesa region")
    odesa, odessa, region = (Tag.objects.get(name=n) for n in ("Odesa", "Odessa", "Odesa region"))
    client.post(reverse("newsroom_tags_merge"), {"sources": [odessa.pk], "target": region.pk})
    client.post(reverse("newsroom_tags_merge"), {"sources": [region.pk], "target": odesa.pk})
    assert client.get("/tag/odessa/")["Location"] == "/tag/odesa/"
    assert client.get("/tag/odesa-region/")["Location"] == "/tag/odesa/"


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"sources": ["999999"], "target": "1"},
        {"sources": ["x'; DROP TABLE taggit_tag;--"], "target": "<b>"},
        {"sources": [], "target": ""},
        "same",
    ],
)
def test_a_bad_merge_changes_nothing(client, editor, data):
    tagged("Story", "Kyiv", "Lviv")
    kyiv = Tag.objects.get(name="Kyiv")
    if data == "same":
        data = {"sources": [kyiv.pk], "target": kyiv.pk}
    response = client.post(reverse("newsroom_tags_merge"), data)
    assert response.status_code == 200
    assert Tag.objects.count() == 2


def test_reporters_cannot_rename_or_merge(client, home, make_user):
    tagged("Story", "Kyiv", "Lviv")
    kyiv, lviv = Tag.objects.get(name="Kyiv"), Tag.objects.get(name="Lviv")
    client.force_login(make_user("reporter", "Reporters"))
    response = client.post(reverse("newsroom_tags_merge"), {"sources": [lviv.pk], "target": kyiv.pk})
    assert response.status_code in (302, 403)
    assert client.get(reverse("wagtailsnippets_taggit_tag:edit", args=[kyiv.pk])).status_code in (302, 403)
    assert Tag.objects.count() == 2


def test_a_tag_page_shows_its_description_and_picture(client, editor):
    tagged("Story", "Kyiv")
    tag = Tag.objects.get(name="Kyiv")
    image = ImageFactory()
    assert tag_edit(client, tag, description="The capital, day by day.", image=str(image.pk)).status_code == 302
    assert TagDetail.objects.get(tag=tag).image_id == image.pk
    html = client.get("/tag/kyiv/").content.decode()
    assert "The capital, day by day." in html
    assert 'content="The capital, day by day."' in html  # the meta description
    assert "<picture" in html


def test_the_tag_admin_lists_tags_with_their_article_counts(client, editor):
    tagged("One", "Kyiv")
    tagged("Two", "Kyiv", "<script>alert(1)</script>")
    html = client.get(reverse("wagtailsnippets_taggit_tag:list")).content.decode()
    assert "Kyiv" in html and "Merge tags" in html
    assert "<script>alert(1)</script>" not in html


def test_a_new_description_reaches_what_is_kept_per_pages_version(client, editor, settings):
    """The Content API keeps each tag's row until the pages' version moves on: a new description moves it."""
    from masthead.api.models import ContentApiKey

    settings.MASTHEAD_FRAGMENT_CACHE = True
    tagged("Story", "Kyiv")
    tag = Tag.objects.get(name="Kyiv")
    key = ContentApiKey.objects.create(name="test").secret

    def description():
        return client.get("/ghost/api/content/tags/slug/kyiv/", {"key": key}).json()["tags"][0]["description"]

    assert description() is None
    assert tag_edit(client, tag, description="The capital, day by day.").status_code == 302
    assert description() == "The capital, day by day."
