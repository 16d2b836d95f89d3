"""What a tag's page says about it beyond its name: a description and a picture (taggit's Tag holds the name)."""

from django.db import models


class TagDetail(models.Model):
    tag = models.OneToOneField("taggit.Tag", on_delete=models.CASCADE, primary_key=True, related_name="detail")
    description = models.TextField(blank=True, help_text="A sentence or two at the top of the tag's page.")
    image = models.ForeignKey(
        "newsroom.NewsroomImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "tag detail"

    def __str__(self):
        return f"{self.tag}: {self.description[:40]}"
