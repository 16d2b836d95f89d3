"""An article's narration: its spoken text's hash, where the audio is made, and the MP3 once it is.

Words: the *spoken text* is what the voice reads (headline, standfirst, body text; not captions, credits or
embeds), after `speech.speakable`; its *hash* decides whether a publication needs new audio. A narration is
*queued* when its article is published with a new spoken text, *generating* while a worker makes it, *ready*
with its MP3, or *failed* (with the reason; retried). Unpublishing or deleting the article removes it.
"""

from django.db import models
from wagtail.admin.panels import FieldPanel


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


class Pronunciation(models.Model):
    """How the voice should say a word or name it gets wrong: as a respelling it reads right ("Zah-LOOZH-nee"),
    or as phonemes (IPA, for Piper and espeak-ng). Applied to every spoken text; a change queues new audio for
    the live articles that contain the word."""

    class Kind(models.TextChoices):
        RESPELLING = "respelling", "Respelling (plain letters)"
        PHONEMES = "phonemes", "Phonemes (IPA)"

    word = models.CharField(
        max_length=100, unique=True, help_text="As it is written in articles; matched as a whole word, any case."
    )
    say_as = models.CharField("say it as", max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.RESPELLING)
    note = models.CharField(max_length=200, blank=True, help_text="For editors: who or what it is.")
    updated_at = models.DateTimeField(auto_now=True)

    panels = [FieldPanel("word"), FieldPanel("say_as"), FieldPanel("kind"), FieldPanel("note")]

    class Meta:
        ordering = ["word"]

    def __str__(self):
        return f"{self.word} → {self.say_as}"

    def clean(self):
        from django.core.exceptions import ValidationError

        self.word = " ".join(self.word.split())
        self.say_as = " ".join(self.say_as.split())
        if not self.word or not self.say_as:
            raise ValidationError("Give the word and how to say it.")
        if "[[" in self.say_as or "]]" in self.say_as:
            raise ValidationError({"say_as": "Write the phonemes without [[ ]]: Masthead adds them."})
