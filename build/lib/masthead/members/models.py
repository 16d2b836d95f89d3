"""The site's one user model: staff who sign in to the admin, and (to come) readers who become members.

Set as AUTH_USER_MODEL from the first migration, because Django cannot switch user models once a site has
data. Staff are users with `is_staff` or an editorial group; members are users without staff rights.
"""

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    class Meta(AbstractUser.Meta):
        verbose_name = "user"
        verbose_name_plural = "users"
