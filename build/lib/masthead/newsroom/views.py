"""Tag and author pages: plain Django views, at Ghost's addresses /tag/<slug>/ and /author/<slug>/."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe
from taggit.models import Tag

from masthead.newsroom import selectors
from masthead.newsroom.models import Author


@require_safe
def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    articles = selectors.paginate(selectors.tag_articles(tag_slug=tag.slug), request=request, per_page=20)
    return render(request, "newsroom/tag.html", {"tag": tag, "articles": articles})


@require_safe
def author(request, slug):
    author = get_object_or_404(Author.objects.select_related("photo"), slug=slug)
    articles = selectors.paginate(selectors.author_articles(author=author), request=request, per_page=20)
    return render(request, "newsroom/author.html", {"author": author, "articles": articles})
