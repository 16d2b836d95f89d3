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
