"""Sitemaps: an index at /sitemap.xml naming the files below, each at most `URLS_PER_FILE` addresses (the
sitemaps protocol allows 50,000), with each file's and each address's last change; the stories' files name
their pictures (Google's image extension); and a Google News sitemap of the stories of the last 48 hours.

The stories are filed by id (`articles_file`), so a new story lands in the last file and the others stay the
same (their `lastmod` moves only when one of their stories changes). Every file is a public
page: cached, and purged when a story is published (newsroom.selectors.page_addresses).
"""

from datetime import UTC, datetime, timedelta

from django.db import connection
from django.db.models import Max
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe
from taggit.models import Tag

from masthead.discovery import sharing
from masthead.discovery.models import DiscoverySettings
from masthead.newsroom.models import ArticleListing, ArticlePage, Author, NewsroomImage

URLS_PER_FILE = 5000
NEWS_HOURS = 48
NEWS_MAX_URLS = 1000  # Google News reads at most 1,000 per file
XML = "application/xml; charset=utf-8"

ALL = ArticleListing.Kind.ALL


def articles_file(article_id: int) -> int:
    """The stories file that lists a story: the stories are filed by id, `URLS_PER_FILE` ids a file, so a story
    never moves from one file to another (a new one lands in the last) and a file never holds more."""
    return (article_id - 1) // URLS_PER_FILE + 1


def _article_files() -> list[tuple[int, object]]:
    """(number, last change) of each stories file that lists a story, from one query."""
    page, article = ArticlePage._meta.get_field("page_ptr").related_model._meta.db_table, ArticlePage._meta.db_table
    sql = f"""
        SELECT (p.id - 1) / %s AS chunk, MAX(p.last_published_at), MAX(a.updated_at)
        FROM {page} p JOIN {article} a ON a.page_ptr_id = p.id
        WHERE p.live = %s GROUP BY chunk ORDER BY chunk
    """  # noqa: S608 (table names from the models, values as parameters)
    with connection.cursor() as cursor:
        cursor.execute(sql, [URLS_PER_FILE, True])
        rows = cursor.fetchall()
    return [(int(chunk) + 1, max(filter(None, map(_moment, times)), default=None)) for chunk, *times in rows]


def _moment(value) -> datetime | None:
    """A time from a raw query: SQLite gives text in UTC, PostgreSQL a datetime."""
    if isinstance(value, str):
        value = parse_datetime(value)
        return timezone.make_aware(value, UTC) if value is not None and timezone.is_naive(value) else value
    return value


def _count_files(count: int) -> int:
    return max(1, -(-count // URLS_PER_FILE))


@require_safe
def index(request):
    root = sharing.site_root(request)
    files = []
    pages_changed = _other_pages().aggregate(Max("last_published_at"))["last_published_at__max"]
    files.append({"loc": f"{root}/sitemap-pages.xml", "lastmod": pages_changed})
    files += [{"loc": f"{root}/sitemap-articles-{n}.xml", "lastmod": lastmod} for n, lastmod in _article_files()]
    newest = ArticleListing.objects.filter(kind=ALL, key=0).aggregate(Max("published_at"))["published_at__max"]
    for kind, count in (("tags", _tags().count()), ("authors", _authors().count())):
        files += [
            {"loc": f"{root}/sitemap-{kind}-{n}.xml", "lastmod": newest} for n in range(1, _count_files(count) + 1)
        ]
    files.append({"loc": f"{root}/sitemap-news.xml", "lastmod": newest})
    files = [{**file, "lastmod": sharing.iso(file["lastmod"])} for file in files]
    return TemplateResponse(request, "discovery/sitemap_index.xml", {"files": files}, content_type=XML)


def _other_pages():
    """Every live public page but the stories (and the folders, which have no page)."""
    from wagtail.models import Page

    return Page.objects.live().public().not_type(ArticlePage).filter(depth__gt=1)


@require_safe
def pages(request):
    urls = []
    for page in _other_pages().specific().iterator(chunk_size=500):
        for entry in page.get_sitemap_urls(request):
            urls.append({"loc": entry["location"], "lastmod": entry.get("lastmod")})
    return _urlset(request, urls)


MAX_FILES = 100_000  # a number past this names no file (and would overflow a database integer)


def _file_number(number: int) -> int:
    if not 1 <= number <= MAX_FILES:
        raise Http404("No such sitemap")
    return number


@require_safe
def articles(request, number: int):
    first = (_file_number(number) - 1) * URLS_PER_FILE + 1
    rows = list(
        ArticlePage.objects.live()
        .filter(pk__gte=first, pk__lt=first + URLS_PER_FILE)
        .order_by("pk")
        .values_list("slug", "last_published_at", "updated_at", "featured_image_id")
    )
    if not rows:
        raise Http404("No such sitemap")
    pictures = _pictures({image_id for *_, image_id in rows if image_id})
    root = sharing.site_root(request)
    urls = []
    for slug, published, updated, image_id in rows:
        entry = {"loc": f"{root}/{slug}/", "lastmod": max(filter(None, [published, updated]), default=None)}
        if image_id in pictures:
            entry["images"] = [sharing.absolute(request, pictures[image_id])]
        urls.append(entry)
    return _urlset(request, urls)


def _pictures(image_ids: set[int]) -> dict[int, str]:
    """The address of each picture's largest JPEG, for the images it has made."""
    found = {}
    for image in NewsroomImage.objects.filter(pk__in=image_ids).only(
        "file", "focal_point_x", "focal_point_y", "focal_point_width", "focal_point_height", "renditions_made"
    ):
        if made := image.renditions_of("figure").get("jpeg"):
            found[image.pk] = made[-1][0]
    return found


def _tags():
    return Tag.objects.filter(pk__in=ArticleListing.objects.filter(kind=ArticleListing.Kind.TAG).values("key"))


def _authors():
    return Author.objects.filter(pk__in=ArticleListing.objects.filter(kind=ArticleListing.Kind.AUTHOR).values("key"))


def _listed(request, kind: int, model_rows, path, number: int):
    """A file of tag or author pages, each with the time of its newest story."""
    start = (_file_number(number) - 1) * URLS_PER_FILE
    rows = list(model_rows.order_by("pk").values_list("pk", "slug")[start : start + URLS_PER_FILE])
    if not rows and number > 1:
        raise Http404("No such sitemap")
    newest = dict(
        ArticleListing.objects.filter(kind=kind, key__in=[pk for pk, _ in rows])
        .values("key")
        .annotate(newest=Max("published_at"))
        .values_list("key", "newest")
    )
    root = sharing.site_root(request)
    return _urlset(request, [{"loc": root + path(slug), "lastmod": newest.get(pk)} for pk, slug in rows])


@require_safe
def tags(request, number: int):
    from django.urls import reverse

    return _listed(request, ArticleListing.Kind.TAG, _tags(), lambda s: reverse("tag", args=[s]), number)


@require_safe
def authors(request, number: int):
    from django.urls import reverse

    return _listed(request, ArticleListing.Kind.AUTHOR, _authors(), lambda s: reverse("author", args=[s]), number)


def _urlset(request, urls):
    urls = [{**url, "lastmod": sharing.iso(url["lastmod"])} for url in urls]
    return TemplateResponse(request, "discovery/sitemap.xml", {"urls": urls}, content_type=XML)


@require_safe
def news(request):
    """Google News: the stories first published in the last 48 hours, newest first."""
    since = timezone.now() - timedelta(hours=NEWS_HOURS)
    recent = (
        ArticlePage.objects.live()
        .filter(first_published_at__gte=since)
        .order_by("-first_published_at", "-pk")
        .values_list("slug", "title", "first_published_at")[:NEWS_MAX_URLS]
    )
    settings = DiscoverySettings.for_request(request)
    facts = sharing.site_facts(request)
    context = {
        "name": settings.publication_name or facts["name"],
        "language": settings.language,
        "stories": [
            {"loc": f"{facts['root']}/{slug}/", "title": title, "published": sharing.iso(at)}
            for slug, title, at in recent
        ],
    }
    return TemplateResponse(request, "discovery/sitemap_news.xml", context, content_type=XML)


@require_safe
def robots(request):
    root = sharing.site_root(request)
    return TemplateResponse(request, "discovery/robots.txt", {"root": root}, content_type="text/plain; charset=utf-8")
