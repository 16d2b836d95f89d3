"""The reads the feeds, sitemaps and search page need."""

from django.db.models import Prefetch

from masthead.newsroom.models import ArticleAuthor, ArticleListing, ArticlePage
from masthead.newsroom.selectors import article_published, listing
from masthead.newsroom.serving import pages_version

LISTING_KINDS = {
    "": ArticleListing.Kind.ALL,
    "section": ArticleListing.Kind.SECTION,
    "tag": ArticleListing.Kind.TAG,
    "author": ArticleListing.Kind.AUTHOR,
}


def feed_stories(*, kind: str, key: int, request, limit: int, full: bool) -> list[dict]:
    """The newest `limit` live stories of the site, or of a section (with the sections under it), a tag or an
    author, as what a feed item says. `html` is the rendered body (kept per published version, as the article
    page keeps it) when the feed carries whole stories, else None."""
    from masthead.discovery.sharing import image_share

    ids = list(listing(LISTING_KINDS[kind], key)[:limit])
    articles = ArticlePage.objects.live().filter(pk__in=ids).select_related("section", "featured_image")
    articles = articles.prefetch_related(
        Prefetch("authors", queryset=ArticleAuthor.objects.select_related("author").order_by("sort_order")),
        "tags",
    )
    if not full:
        articles = articles.defer_streamfields()
    by_id = {article.pk: article for article in articles}
    version = pages_version(request)
    stories = []
    for article in (by_id[pk] for pk in ids if pk in by_id):
        html = article_published(article=article, request=request, version=version)["html"] if full else None
        section = article.section.title if article.section_id and article.section.live else ""
        stories.append(
            {
                "title": article.title,
                "path": f"/{article.slug}/",
                "standfirst": article.standfirst,
                "uuid": str(article.translation_key),
                "published": article.published_at,
                "modified": max(filter(None, [article.updated_at, article.last_published_at, article.published_at])),
                "authors": [byline.author.name for byline in article.authors.all()],
                "categories": [*([section] if section else []), *(tag.name for tag in article.tags.all())],
                "picture": image_share(article.featured_image, article.image_alt),
                "html": html,
            }
        )
    return stories


def story_listing_paths(*, article_id: int, sections: list[str], tags: list[str], authors: list[str]) -> set[str]:
    """The feeds and sitemap files a story shows in (purged when it changes): the site's feeds, its sections',
    tags' and authors' feeds, the sitemap index, its own stories file, the tags' and authors' files (their
    `lastmod` is their newest story's) and the News sitemap. No query: the caller knows the slugs."""
    from django.urls import reverse

    from masthead.discovery import sitemaps

    paths = {reverse("discovery:feed_rss"), reverse("discovery:feed_atom"), reverse("discovery:ghost_rss")}
    for kind, slugs in (("section", sections), ("tag", tags), ("author", authors)):
        for slug in slugs:
            paths |= {reverse(f"discovery:{kind}_rss", args=[slug]), reverse(f"discovery:{kind}_atom", args=[slug])}
            if kind != "section":
                paths.add(reverse(f"discovery:ghost_{kind}_rss", args=[slug]))
    paths |= {
        reverse("discovery:sitemap"),
        reverse("discovery:sitemap_news"),
        reverse("discovery:sitemap_articles", args=[sitemaps.articles_file(article_id)]),
        reverse("discovery:sitemap_tags", args=[1]),
        reverse("discovery:sitemap_authors", args=[1]),
    }
    return paths


def search_options(*, version: int) -> dict[str, list[tuple[str, str]]]:
    """The sections and the authors with a story, for the search page's filters (kept until a page changes)."""
    from masthead.newsroom.models import Author, SectionPage
    from masthead.newsroom.serving import versioned_cache

    def read():
        sections = [
            (slug, title) for slug, title in SectionPage.objects.live().order_by("path").values_list("slug", "title")
        ]
        bylined = ArticleListing.objects.filter(kind=ArticleListing.Kind.AUTHOR).values("key")
        authors = list(Author.objects.filter(pk__in=bylined).order_by("name").values_list("slug", "name"))
        return {"sections": sections, "authors": authors}

    return versioned_cache.get_or_set(f"search-options:{version}", read, 24 * 3600)
