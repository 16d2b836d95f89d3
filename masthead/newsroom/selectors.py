"""The reads the newsroom's pages need, each one a bounded number of queries."""

from collections import defaultdict
from collections.abc import Iterable

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q, QuerySet
from wagtail.models import Page, Site

from masthead.newsroom.models import (
    ArticleAuthor,
    ArticlePage,
    Author,
    HomeEditorsPick,
    HomePage,
    NewsroomImage,
    SectionPage,
)

# Addresses the site's own URLs or Wagtail use; no page may take them.
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "author",
        "tag",
        "static",
        "media",
        "documents",
        "search",
        "feeds",
        "api",
        "accounts",
        "django-admin",
        "sitemap.xml",
        "robots.txt",
        "favicon.ico",
    }
)

# Renditions the templates ask for; prefetched so a listing costs no query per image.
# The order inside a spec is the template's: `{% picture img format-{webp,jpeg} fill-{…} %}`.
CARD_RENDITIONS = tuple(f"format-{fmt}|fill-{size}" for fmt in ("webp", "jpeg") for size in ("400x250", "800x500"))
FIGURE_RENDITIONS = tuple(f"format-{fmt}|width-{w}" for fmt in ("webp", "jpeg") for w in (480, 800, 1200, 1600))
PORTRAIT_RENDITIONS = ("fill-96x96|format-webp",)


def flat_slug_taken(*, slug: str, exclude_page_id: int | None = None, parent: Page | None = None) -> bool:
    """Whether /<slug>/ already belongs to a section, an article or a top-level page."""
    if slug in RESERVED_SLUGS:
        return True
    home_depth = 3  # the root is depth 1, a site's home page depth 2, its children depth 3
    same = Page.objects.filter(slug=slug).filter(Q(depth=home_depth) | Page.objects.type_q(ArticlePage, SectionPage))
    if exclude_page_id:
        same = same.exclude(pk=exclude_page_id)
    return same.exists()


def flat_page_for_slug(*, slug: str) -> Page | None:
    """The live article, or else the live section, answering at /<slug>/."""
    article = (
        ArticlePage.objects.live()
        .filter(slug=slug)
        .select_related("section")
        .prefetch_related(Prefetch("featured_image", NewsroomImage.objects.prefetch_renditions(*FIGURE_RENDITIONS)))
        .first()
    )
    if article is not None:
        return article
    return SectionPage.objects.live().filter(slug=slug).first()


def with_card_data(articles: QuerySet) -> QuerySet:
    """What a story card shows: authors, section, featured image with its renditions."""
    return articles.select_related("section").prefetch_related(
        Prefetch("authors", queryset=ArticleAuthor.objects.select_related("author")),
        Prefetch("featured_image", queryset=NewsroomImage.objects.prefetch_renditions(*CARD_RENDITIONS)),
    )


def published_articles() -> QuerySet:
    return ArticlePage.objects.live().order_by("-first_published_at", "-pk")


def latest_articles(*, limit: int, exclude: Iterable[int] = ()) -> list[ArticlePage]:
    return list(with_card_data(published_articles().exclude(pk__in=list(exclude)))[:limit])


def news_feed_articles() -> QuerySet:
    return with_card_data(published_articles().filter(news_feed=True))


def section_articles(*, section: SectionPage) -> QuerySet:
    sections = SectionPage.objects.descendant_of(section, inclusive=True).values("pk")
    return with_card_data(published_articles().filter(section__in=sections))


def subsections(*, section: SectionPage) -> QuerySet:
    return SectionPage.objects.child_of(section).live().order_by("path")


def tag_articles(*, tag_slug: str) -> QuerySet:
    return with_card_data(published_articles().filter(tags__slug=tag_slug))


def author_articles(*, author: Author) -> QuerySet:
    return with_card_data(published_articles().filter(authors__author=author))


def more_from_section(*, article: ArticlePage, limit: int = 4) -> list[ArticlePage]:
    if article.section_id is None:
        return latest_articles(limit=limit, exclude=[article.pk])
    articles = published_articles().filter(section_id=article.section_id).exclude(pk=article.pk)
    return list(with_card_data(articles)[:limit])


def articles_most_popular(*, limit: int = 5, exclude: Iterable[int] = ()) -> list[ArticlePage]:
    """Most read stories. Until page-view analytics land, the newest stories stand in."""
    return latest_articles(limit=limit, exclude=exclude)


def home_page_for_request(request) -> HomePage | None:
    site = Site.find_for_request(request)
    if site is None:
        return None
    return HomePage.objects.filter(pk=site.root_page_id).first()


def editors_picks(*, home: HomePage | None, limit: int = 6) -> list[ArticlePage]:
    if home is None:
        return []
    picks = HomeEditorsPick.objects.filter(home=home, article__live=True).order_by("sort_order")
    ids = list(picks.values_list("article_id", flat=True)[:limit])
    by_id = {article.pk: article for article in with_card_data(ArticlePage.objects.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


def home_page_blocks(*, home: HomePage) -> dict:
    """Everything the front page shows; the latest stories fill whatever editors left empty."""
    top_ids = list(
        home.top_stories.filter(article__live=True).order_by("sort_order").values_list("article_id", flat=True)
    )
    lead_id = home.lead_story_id if home.lead_story_id and home.lead_story.live else None
    chosen_ids = ([lead_id] if lead_id else []) + [pk for pk in top_ids if pk != lead_id]
    chosen = {a.pk: a for a in with_card_data(ArticlePage.objects.filter(pk__in=chosen_ids))}
    stories = [chosen[pk] for pk in chosen_ids if pk in chosen]
    if len(stories) < 5:
        stories += latest_articles(limit=5 - len(stories), exclude=[a.pk for a in stories])
    lead, top = (stories[0], stories[1:]) if stories else (None, [])
    shown = [a.pk for a in stories]

    section_blocks = []
    for block in home.section_blocks.select_related("section").order_by("sort_order"):
        if block.section.live:
            section_blocks.append((block.section, list(section_articles(section=block.section)[:4])))
    return {
        "lead": lead,
        "top_stories": top,
        "news_feed": list(news_feed_articles()[:8]),
        "section_blocks": section_blocks,
        "editors_picks": editors_picks(home=home),
        "most_popular": articles_most_popular(limit=5, exclude=shown),
    }


def article_page_blocks(*, article: ArticlePage, request) -> dict:
    """The article's bylines, tags, corrections and the rails around it."""
    return {
        "bylines": [
            byline.author
            for byline in article.authors.prefetch_related(
                Prefetch("author__photo", NewsroomImage.objects.prefetch_renditions(*PORTRAIT_RENDITIONS))
            )
        ],
        "tag_list": list(article.tags.all()),
        "corrections": list(article.corrections.all()),
        "more_stories": more_from_section(article=article),
        "news_feed": list(news_feed_articles().exclude(pk=article.pk)[:6]),
        "editors_picks": editors_picks(home=home_page_for_request(request)),
    }


def team_by_role() -> list[tuple[str, list[Author]]]:
    roles: dict[str, list[Author]] = defaultdict(list)
    for author in Author.objects.filter(is_staff_member=True).select_related("photo").order_by("team_order", "name"):
        roles[author.role or "Contributors"].append(author)
    return list(roles.items())


def paginate(queryset, *, request, per_page: int) -> PaginatorPage:
    """The page ?page=N asks for; nonsense or out-of-range numbers give the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
