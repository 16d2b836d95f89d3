"""Authors: the people in a byline, on the team page and at /author/<slug>/."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index


class Author(index.Indexed, models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    role = models.CharField(max_length=120, blank=True, help_text="As shown on the team page, e.g. 'Reporter'.")
    is_staff_member = models.BooleanField(
        "on the team page", default=True, help_text="Contributors from outside stay off the team page."
    )
    team_order = models.PositiveSmallIntegerField(default=100, help_text="Lower comes first within a role.")
    bio = models.TextField(blank=True)
    photo = models.ForeignKey(
        "newsroom.NewsroomImage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.EmailField(blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author",
        verbose_name="staff account",
        help_text="The person's sign-in to the admin: they may edit this profile, and a new article they start "
        "carries their byline.",
    )
    website = models.URLField(blank=True)
    x_url = models.URLField("X (Twitter)", blank=True)
    bluesky_url = models.URLField("Bluesky", blank=True)
    linkedin_url = models.URLField("LinkedIn", blank=True)

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        MultiFieldPanel([FieldPanel("role"), FieldPanel("is_staff_member"), FieldPanel("team_order")], "Team"),
        FieldPanel("bio"),
        FieldPanel("photo"),
        FieldPanel("user", permission="newsroom.change_author"),
        MultiFieldPanel(
            [
                FieldPanel("email"),
                FieldPanel("website"),
                FieldPanel("x_url"),
                FieldPanel("bluesky_url"),
                FieldPanel("linkedin_url"),
            ],
            "Links",
        ),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("slug")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("author", kwargs={"slug": self.slug})

    @property
    def social_links(self) -> list[tuple[str, str]]:
        links = [
            ("Website", self.website),
            ("X", self.x_url),
            ("Bluesky", self.bluesky_url),
            ("LinkedIn", self.linkedin_url),
        ]
        return [(label, url) for label, url in links if url]
