"""Settings → Content API keys: editors make a key for each program that reads the API, and delete it to shut
that program out."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from masthead.api.models import ContentApiKey


class ContentApiKeyViewSet(ModelViewSet):
    model = ContentApiKey
    icon = "key"
    menu_label = "Content API keys"
    add_to_settings_menu = True
    form_fields = ["name"]
    list_display = ["name", "secret", "created_at", "last_used_on"]
    copy_view_enabled = False
    inspect_view_enabled = False
    search_fields = ["name"]


@hooks.register("register_admin_viewset")
def register_viewset():
    return ContentApiKeyViewSet("content_api_keys")
