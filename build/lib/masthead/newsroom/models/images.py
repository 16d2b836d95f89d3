"""The newsroom's image model: every photo carries a caption and a credit."""

from django.db import models
from wagtail.images.models import AbstractImage, AbstractRendition
from wagtail.images.models import Image as WagtailImage

# Renditions the templates ask for; prefetched so a listing costs no query per image.
# The order inside a spec is the template's: `{% picture img format-{webp,jpeg} fill-{…} %}`.
CARD_RENDITIONS = tuple(f"format-{fmt}|fill-{size}" for fmt in ("webp", "jpeg") for size in ("400x250", "800x500"))
FIGURE_RENDITIONS = tuple(f"format-{fmt}|width-{w}" for fmt in ("webp", "jpeg") for w in (480, 800, 1200, 1600))
PORTRAIT_RENDITIONS = ("fill-96x96|format-webp",)


class NewsroomImage(AbstractImage):
    caption = models.TextField(blank=True, help_text="What the photo shows, as printed under it.")
    credit = models.CharField(max_length=255, blank=True, help_text="Photographer / agency.")

    admin_form_fields = WagtailImage.admin_form_fields + ("caption", "credit")

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
