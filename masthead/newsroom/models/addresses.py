"""Where each published page shows, remembered so that its next change purges the old places too."""

from django.db import models


class PublicAddresses(models.Model):
    """The paths that showed a page when it was last published (its own, the home page, its section, tags,
    authors, the News Feed…). A change purges these and the new ones: a new slug, a tag taken off or a moved
    section leave no stale copy behind in any cache."""

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, primary_key=True, related_name="+")
    paths = models.JSONField(default=list)

    class Meta:
        verbose_name = "public addresses"
        verbose_name_plural = "public addresses"

    def __str__(self):
        return f"page {self.page_id}: {len(self.paths)} addresses"
