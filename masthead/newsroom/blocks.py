"""StreamField blocks of an article body, and of the menus in site settings."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock

RICH_TEXT_FEATURES = [
    "bold",
    "italic",
    "link",
    "document-link",
    "ol",
    "ul",
    "superscript",
    "subscript",
    "strikethrough",
]


def embed_provider_allowed(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return any(host == domain or host.endswith("." + domain) for domain in settings.MASTHEAD_EMBED_PROVIDERS)


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=200)
    level = blocks.ChoiceBlock(choices=[("h2", "Heading"), ("h3", "Subheading")], default="h2")

    class Meta:
        icon = "title"
        template = "newsroom/blocks/heading.html"


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    caption = blocks.CharBlock(required=False, help_text="Leave empty to use the image's own caption.")
    credit = blocks.CharBlock(required=False, help_text="Leave empty to use the image's own credit.")
    alt = blocks.CharBlock(required=False, help_text="Describe the image for screen readers.")

    class Meta:
        icon = "image"
        template = "newsroom/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False)

    class Meta:
        icon = "openquote"
        template = "newsroom/blocks/quote.html"


class AllowedEmbedBlock(EmbedBlock):
    """An embed from a provider the newsroom trusts (MASTHEAD_EMBED_PROVIDERS)."""

    def clean(self, value):
        # Checked before Wagtail's own clean, which fetches the embed from the provider.
        if value and not embed_provider_allowed(value.url):
            raise ValidationError(
                "Embeds from this site are not allowed. Allowed: " + ", ".join(settings.MASTHEAD_EMBED_PROVIDERS)
            )
        return super().clean(value)


class FactBoxBlock(blocks.StructBlock):
    title = blocks.CharBlock(max_length=120)
    body = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "list-ul"
        template = "newsroom/blocks/fact_box.html"


class RelatedStoryBlock(blocks.StructBlock):
    article = blocks.PageChooserBlock(page_type="newsroom.ArticlePage")
    note = blocks.CharBlock(required=False, help_text="Optional line under the headline.")

    class Meta:
        icon = "link"
        template = "newsroom/blocks/related_story.html"


class ArticleBodyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(features=RICH_TEXT_FEATURES, template="newsroom/blocks/paragraph.html")
    heading = HeadingBlock()
    image = ImageBlock()
    quote = QuoteBlock()
    embed = AllowedEmbedBlock(template="newsroom/blocks/embed.html")
    fact_box = FactBoxBlock()
    related_story = RelatedStoryBlock()


class LinkBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(required=False)
    url = blocks.URLBlock(required=False, help_text="For a link outside the site.")

    def clean(self, value):
        value = super().clean(value)
        if bool(value.get("page")) == bool(value.get("url")):
            raise blocks.StructBlockValidationError({"url": ValidationError("Choose a page or give a URL, not both.")})
        return value

    class Meta:
        icon = "link"


class MenuGroupBlock(blocks.StructBlock):
    label = blocks.CharBlock(max_length=60)
    page = blocks.PageChooserBlock(
        required=False, help_text="Where the group's name leads, e.g. the War section (shown first in the group)."
    )
    links = blocks.ListBlock(LinkBlock())

    class Meta:
        icon = "folder-open-inverse"


class MenuBlock(blocks.StreamBlock):
    link = LinkBlock()
    group = MenuGroupBlock()


SOCIAL_NETWORKS = [
    ("x", "X"),
    ("facebook", "Facebook"),
    ("instagram", "Instagram"),
    ("youtube", "YouTube"),
    ("telegram", "Telegram"),
    ("bluesky", "Bluesky"),
    ("linkedin", "LinkedIn"),
    ("tiktok", "TikTok"),
    ("mastodon", "Mastodon"),
    ("rss", "RSS"),
]


class SocialLinkBlock(blocks.StructBlock):
    network = blocks.ChoiceBlock(choices=SOCIAL_NETWORKS)
    url = blocks.URLBlock()

    class Meta:
        icon = "site"
