"""The site's one user model: staff who sign in to the admin, and members (readers with an account).

Set as AUTH_USER_MODEL from the first migration, because Django cannot switch user models once a site has
data. Staff are users with `is_staff` or an editorial group; members are users without staff rights, who sign
in with an emailed code (django-allauth) and never have a usable password.
"""

from django.contrib.auth.models import AbstractUser
from django.db import models

DISPLAY_NAME_MAX = 50


class User(AbstractUser):
    display_name = models.CharField(
        "name shown on comments",
        max_length=DISPLAY_NAME_MAX,
        blank=True,
        help_text="Readers see this name beside your comments.",
    )
    notify_replies = models.BooleanField("email me when someone replies to my comment", default=True)
    notify_comments = models.BooleanField("email me about comments on articles I wrote", default=True)

    class Meta(AbstractUser.Meta):
        verbose_name = "user"
        verbose_name_plural = "users"

    @property
    def is_newsroom_staff(self) -> bool:
        """Staff of the newsroom: whoever may enter the admin (by a group's permission or as an administrator)."""
        return self.is_staff or self.is_superuser or self.has_perm("wagtailadmin.access_admin")

    @property
    def public_name(self) -> str:
        """The name readers see on this user's comments."""
        return self.display_name or self.get_full_name() or "Reader"


class OutgoingEmail(models.Model):
    """A sign-in or confirmation email waiting for the worker: kept only until its one try, so that the task
    queue's rows (kept after they run) hold an id, not the address or the code."""

    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=300)
    text = models.TextField()
    html = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Email {self.pk}"
