"""Body blocks: embeds only from the providers the newsroom allows; menu links point somewhere."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StructBlockValidationError
from wagtail.embeds.blocks import EmbedValue

from masthead.newsroom.blocks import AllowedEmbedBlock, LinkBlock, embed_provider_allowed


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example.com/video",
        "https://youtube.com.evil.example/x",
        "javascript:alert(1)",
        "https://notyoutube.com/watch",
        "ftp://vimeo.com.example.net/1",
        "https://xn--yutube-wqf.com/",
    ],
)
def test_embeds_from_other_sites_are_refused(url):
    assert not embed_provider_allowed(url)
    with pytest.raises(ValidationError, match="not allowed"):
        AllowedEmbedBlock().clean(EmbedValue(url))


@pytest.mark.parametrize("url", ["https://www.youtube.com/watch?v=x", "https://youtu.be/x", "https://vimeo.com/1"])
def test_allowed_providers(url):
    assert embed_provider_allowed(url)


def test_a_menu_link_needs_a_page_or_an_address_but_not_both():
    block = LinkBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"label": "Nowhere", "page": None, "url": ""}))
    assert block.clean(block.to_python({"label": "Store", "page": None, "url": "https://example.org/"}))
