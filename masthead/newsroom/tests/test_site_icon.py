"""The site icon from the settings: the browser tab, phones' home screens and the web app manifest."""

from bs4 import BeautifulSoup
from wagtail.models import Site

from masthead.newsroom.models import NewsroomSettings
from masthead.newsroom.tests.factories import ImageFactory


def head_links(client) -> dict[str, str]:
    soup = BeautifulSoup(client.get("/").content, "html.parser")
    return {" ".join(link["rel"]): link["href"] for link in soup.select("head link")}


def test_without_an_icon_the_default_one(client, home):
    links = head_links(client)
    assert links["icon"].endswith(".svg")
    assert "apple-touch-icon" not in links and "manifest" not in links
    assert client.get("/manifest.webmanifest").json()["icons"] == []


def test_the_settings_icon_in_every_size(client, home):
    newsroom_settings = NewsroomSettings.for_site(Site.objects.get(is_default_site=True))
    newsroom_settings.icon = ImageFactory(file__width=600, file__height=600)
    newsroom_settings.save()
    links = head_links(client)
    assert links["icon"].endswith(".png") and "32x32" in links["icon"]
    assert links["apple-touch-icon"].endswith(".png") and "180x180" in links["apple-touch-icon"]
    manifest = client.get(links["manifest"])
    assert manifest["Content-Type"] == "application/manifest+json"
    assert [icon["sizes"] for icon in manifest.json()["icons"]] == ["192x192", "512x512"]
    assert manifest.json()["name"]


def test_an_icon_not_yet_made_leaves_the_default(client, home):
    newsroom_settings = NewsroomSettings.for_site(Site.objects.get(is_default_site=True))
    newsroom_settings.icon = ImageFactory(renditions=False)
    newsroom_settings.save()
    assert head_links(client)["icon"].endswith(".svg")


def test_an_image_made_before_the_icon_sizes_existed_gets_them_and_keeps_its_pictures(
    home, django_capture_on_commit_callbacks
):
    from masthead.newsroom import services
    from masthead.newsroom.models import NewsroomImage

    image = ImageFactory()
    before = dict(image.renditions_made)
    older = {name: value for name, value in before.items() if name != "icon"}
    NewsroomImage.objects.filter(pk=image.pk).update(renditions_made=older)
    image.refresh_from_db()
    assert image.renditions_ready and not image.renditions_complete  # pages still show it
    with django_capture_on_commit_callbacks(execute=True):
        assert services.images_renditions_resume() >= 1  # the worker, starting, makes what is missing
    image.refresh_from_db()
    assert image.renditions_complete
    assert image.renditions_made["card"] == before["card"]  # the same files, not made again
