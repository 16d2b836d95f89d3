"""The newsletters in the admin: a snippet list editors order, describe and archive."""

from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from masthead.newsletters.models import Newsletter


class NewsletterViewSet(SnippetViewSet):
    model = Newsletter
    icon = "mail"
    menu_label = "Newsletters"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["name", "cadence", "is_public", "archived", "sort_order"]
    list_filter = ["cadence", "is_public", "archived"]
    ordering = ["sort_order", "name"]


register_snippet(NewsletterViewSet)
