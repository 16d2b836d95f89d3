"""Narration in the admin, under one "Narration" menu: every article's narration (status, length, the reason it
failed, a player to listen, Regenerate) and the pronunciation lexicon editors keep."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST
from wagtail import hooks
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from masthead.narration import services
from masthead.narration.models import Narration, Pronunciation


def _player(narration: Narration) -> str:
    if narration.status != Narration.Status.READY or not narration.audio:
        return narration.error[:200] if narration.status == Narration.Status.FAILED else "—"
    return format_html('<audio controls preload="none" src="{}"></audio>', narration.audio.url)


class NarrationViewSet(SnippetViewSet):
    model = Narration
    icon = "media"
    menu_label = "Articles read aloud"
    list_display = [
        Column("article", label="Article"),
        Column("get_status_display", label="Status"),
        Column("minutes", label="Minutes"),
        Column(_player, label="Listen, or why it failed"),
        DateColumn("generated_at", label="Made"),
    ]
    list_filter = ["status"]
    ordering = ["-requested_at"]
    add_view_enabled = False
    copy_view_enabled = False
    inspect_view_enabled = False
    edit_view_enabled = False

    def get_queryset(self, request):
        return Narration.objects.select_related("article").order_by("-requested_at")


class PronunciationViewSet(SnippetViewSet):
    model = Pronunciation
    icon = "openquote"
    menu_label = "Pronunciations"
    list_display = ["word", "say_as", "kind", "note"]
    list_filter = ["kind"]
    search_fields = ["word", "say_as", "note"]
    copy_view_enabled = False


class NarrationGroup(SnippetViewSetGroup):
    items = (NarrationViewSet, PronunciationViewSet)
    menu_icon = "media"
    menu_label = "Narration"
    menu_order = 260


register_snippet(NarrationGroup)


@require_POST
@permission_required("narration.change_narration")
def regenerate(request, pk):
    narration = get_object_or_404(Narration.objects.select_related("article"), pk=pk)
    outcome = services.narration_regenerate(article_id=narration.article_id)
    if outcome == "queued":
        messages.success(request, f"New audio for “{narration.article.title}” is being made.")
    else:
        messages.error(request, "This article is not live or not read aloud: no audio is made for it.")
    return redirect("wagtailsnippets_narration_narration:list")


@hooks.register("register_admin_urls")
def narration_urls():
    return [path("narration/<int:pk>/regenerate/", regenerate, name="narration_regenerate")]


@hooks.register("register_snippet_listing_buttons")
def narration_buttons(snippet, user, next_url=None):
    if isinstance(snippet, Narration) and user.has_perm("narration.change_narration"):
        yield Button(
            "Regenerate",
            reverse("narration_regenerate", args=[snippet.pk]),
            icon_name="rotate",
            priority=5,
            attrs={
                "data-controller": "w-action",
                "data-w-action-url-value": reverse("narration_regenerate", args=[snippet.pk]),
            },
        )
