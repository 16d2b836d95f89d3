"""Content API keys: what a program shows to read the newsroom's stories through /ghost/api/content/.

As Ghost's, a key is public by design (it sits in a theme's or an app's code) and only reads what the site
shows anyway; it lets the newsroom see who reads through the API and shut one program out without the others.
"""

import secrets

from django.db import models


def key_secret() -> str:
    """26 lowercase hex characters, as Ghost's Content API keys."""
    return secrets.token_hex(13)


class ContentApiKey(models.Model):
    name = models.CharField(max_length=120, help_text="Who uses it, e.g. 'Mobile app' or 'Partner site'.")
    secret = models.CharField("key", max_length=26, unique=True, default=key_secret, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "Content API key"

    def __str__(self):
        return self.name
