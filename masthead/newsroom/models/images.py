"""The newsroom's image model: every photo carries a caption and a credit, and the renditions the pages show,
made by the worker (services.image_renditions_make), never inside a reader's request."""

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.images.models import Image as WagtailImage

# The renditions each place on the pages shows: per format, its sizes (the largest is the fallback's src).
RENDITION_SETS = {
    "card": {fmt: [f"fill-{size}|format-{fmt}" for size in ("400x250", "800x500")] for fmt in ("webp", "jpeg")},
    "figure": {fmt: [f"width-{w}|format-{fmt}" for w in (480, 800, 1200, 1600)] for fmt in ("webp", "jpeg")},
    "portrait": {"webp": ["fill-96x96|format-webp", "fill-192x192|format-webp"]},
    "portrait-large": {"webp": ["fill-160x160|format-webp", "fill-320x320|format-webp"]},
    # Link previews on social networks and messengers (Open Graph, Twitter cards) and structured data.
    "social": {"jpeg": ["fill-1200x630|format-jpeg"]},
    # The site icon (settings): browser tab, phones' home screens, the web app manifest.
    "icon": {"png": [f"fill-{size}x{size}|format-png" for size in (32, 180, 192, 512)]},
}


class NewsroomImage(AbstractImage):
    caption = models.TextField(blank=True, help_text="What the photo shows, as printed under it.")
    credit = models.CharField(max_length=255, blank=True, help_text="Photographer / agency.")

    # {"source": what they were made from, "<set>": {"<format>": [[url, width, height], …]}}; empty until the
    # worker has made them.
    renditions_made = models.JSONField(default=dict, blank=True, editable=False)

    admin_form_fields = WagtailImage.admin_form_fields + ("caption", "credit")

    def renditions_source(self) -> str:
        """What the renditions depend on: the file and the focal point (crops follow it)."""
        focal = (self.focal_point_x, self.focal_point_y, self.focal_point_width, self.focal_point_height)
        return f"{self.file.name}|{focal}"

    @property
    def renditions_ready(self) -> bool:
        """Made from this file and focal point (pages may show them; a set added later may still be missing)."""
        return self.renditions_made.get("source") == self.renditions_source()

    def renditions_of(self, rendition_set: str) -> dict:
        """{format: [[url, width, height], …]} of one set, or {} while it is not made."""
        return self.renditions_made.get(rendition_set) or {} if self.renditions_ready else {}

    @property
    def renditions_complete(self) -> bool:
        """Ready, and made in every set of RENDITION_SETS."""
        return self.renditions_ready and all(name in self.renditions_made for name in RENDITION_SETS)

    @property
    def default_alt(self) -> str:
        """Alt text when the page gives none: the caption, else the title."""
        return self.caption or self.title

    class Meta(AbstractImage.Meta):
        verbose_name = "image"
        verbose_name_plural = "images"


class NewsroomRendition(AbstractRendition):
    image = models.ForeignKey(NewsroomImage, on_delete=models.CASCADE, related_name="renditions")

    class Meta:
        unique_together = (("image", "filter_spec", "focal_point_key"),)
