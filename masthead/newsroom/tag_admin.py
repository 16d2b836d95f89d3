"""Tags in the admin: rename (the old address redirects), describe and illustrate, and merge."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.db.models import Count
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from taggit.models import Tag
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import HeaderButton
from wagtail.images.widgets import AdminImageChooser
from wagtail.snippets.views.snippets import IndexView, SnippetViewSet

from masthead.newsroom import services
from masthead.newsroom.models import NewsroomImage, TagDetail
from masthead.newsroom.slugs import slug_from


class TagForm(WagtailAdminModelForm):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=2000)
    image = forms.ModelChoiceField(queryset=NewsroomImage.objects.all(), required=False, widget=AdminImageChooser)

    class Meta:
        model = Tag
        fields = ["name", "description", "image"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.old_name = self.instance.name
        detail = TagDetail.objects.filter(tag_id=self.instance.pk).first() if self.instance.pk else None
        if detail:
            self.initial.setdefault("description", detail.description)
            self.initial.setdefault("image", detail.image_id)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if problem := services.tag_name_problem(name=name, tag=self.instance):
            raise forms.ValidationError(problem)
        return name

    def save(self, commit=True):
        name = self.cleaned_data["name"]
        tag = self.instance
        if tag.pk is None:
            tag.slug = slug_from(name) or name
            tag.save()
        elif name != self.old_name:
            services.tag_rename(tag=tag, name=name)
        detail, created = TagDetail.objects.get_or_create(tag=tag)
        wanted = (self.cleaned_data["description"], self.cleaned_data["image"])
        if (detail.description, detail.image) != wanted:
            detail.description, detail.image = wanted
            detail.save()
            services.pages_changed()  # what is kept per pages version says it too (the Content API's tags)
        services.pages_purge(paths={reverse("tag", kwargs={"slug": tag.slug})})
        return tag


class TagIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(article_count=Count("newsroom_articletag_items"))

    @property
    def header_buttons(self):
        return [
            *super().header_buttons,
            HeaderButton("Merge tags", url=reverse("newsroom_tags_merge"), icon_name="resubmit"),
        ]


class TagViewSet(SnippetViewSet):
    model = Tag
    icon = "tag"
    menu_label = "Tags"
    menu_order = 65
    add_to_admin_menu = True
    index_view_class = TagIndexView
    list_display = ["name", "slug", Column("article_count", label="Articles", sort_key="article_count")]
    search_fields = ["name"]
    search_backend_name = None  # in the database: taggit's Tag is not in Wagtail's search index
    ordering = ["name"]
    edit_handler = ObjectList([FieldPanel("name"), FieldPanel("description"), FieldPanel("image")],
                              base_form_class=TagForm)  # fmt: skip


class TagMergeForm(forms.Form):
    sources = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.order_by("name"),
        label="Merge these tags",
        widget=forms.SelectMultiple(attrs={"size": 12}),
        help_text="Hold Ctrl (⌘ on a Mac) to choose several.",
    )
    target = forms.ModelChoiceField(queryset=Tag.objects.order_by("name"), label="Into this tag")

    def clean(self):
        cleaned_data = super().clean()
        sources, target = cleaned_data.get("sources"), cleaned_data.get("target")
        if sources is not None and target is not None and not [tag for tag in sources if tag.pk != target.pk]:
            raise forms.ValidationError("Choose at least one tag other than the one you merge into.")
        return cleaned_data


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("taggit.delete_tag", raise_exception=True)
def tags_merge(request):
    form = TagMergeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = form.cleaned_data["target"]
        sources = list(form.cleaned_data["sources"])
        names = ", ".join(tag.name for tag in sources if tag.pk != target.pk)
        count = services.tags_merge(sources=sources, target=target)
        messages.success(
            request, f"Merged {names} into {target.name}: {count} articles changed; the old addresses redirect."
        )
        return redirect("wagtailsnippets_taggit_tag:list")
    context = {"form": form, "page_title": "Merge tags", "header_icon": "tag"}
    return TemplateResponse(request, "newsroom/admin/tags_merge.html", context)
