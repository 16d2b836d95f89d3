"""An article's narration: its spoken text's hash, where the audio is made, and the MP3 once it is.

Words: the *spoken text* is what the voice reads (headline, standfirst, body text; not captions, credits or
embeds), after `speech.speakable`; its *hash* decides whether a publication needs new audio. A narration is
*queued* when its article is published with a new spoken text, *generating* while a worker makes it, *ready*
with its MP3, or *failed* (with the reason; retried). Unpublishing or deleting the article removes it.
"""

from django.db import models


class Narration(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        GENERATING = "generating", "Generating"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    article = models.OneToOneField("newsroom.ArticlePage", on_delete=models.CASCADE, related_name="narration")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    text_hash = models.CharField(max_length=64, help_text="Of the spoken text, voice and engine.")
    audio = models.FileField(upload_to="narration/", blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    engine = models.CharField(max_length=100, blank=True)
    voice = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    generated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="narration_by_status")]

    def __str__(self):
        return f"Narration of {self.article_id} ({self.status})"

    @property
    def minutes(self) -> int:
        return max(1, round((self.duration_s or 0) / 60))
