"""Keeping the search index (models.StoryIndex) in step with what is live: a story published is (re)indexed, a
story unpublished or deleted leaves it; `search_index_rebuild` makes it whole (the `masthead search_index`
command, after an import or a restore)."""

from collections import defaultdict

from django.db import connection, transaction

from masthead.discovery.models import StoryIndex

KEY_SHIFT = 24  # the page id takes the low 24 bits of the key, the time of first publication the rest
BATCH = 500


def story_key(*, published, page_id: int) -> int:
    """The story's place in newest-first order, unique: seconds since 1970, then the page id."""
    return (int(published.timestamp()) << KEY_SHIFT) | (page_id & ((1 << KEY_SHIFT) - 1))


def _rows(articles) -> list[StoryIndex]:
    """Index rows of these live articles (with their bylines read in one query)."""
    from masthead.newsroom.models import ArticleAuthor

    articles = list(articles)
    bylines = defaultdict(list)
    for article_id, author_id in ArticleAuthor.objects.filter(article_id__in=[a.pk for a in articles]).values_list(
        "article_id", "author_id"
    ):
        bylines[article_id].append(author_id)
    rows = []
    for article in articles:
        published = article.first_published_at or article.last_published_at
        facets = [f"s{article.section_id}"] if article.section_id else []
        facets += [f"a{author_id}" for author_id in bylines[article.pk]]
        facets.append("knews" if article.news_feed else "kstory")
        rows.append(
            StoryIndex(
                page_id=article.pk,
                key=story_key(published=published, page_id=article.pk),
                published=published,
                title=article.title,
                standfirst=article.standfirst,
                body=article.body_text,
                facets=" ".join(facets),
            )
        )
    return rows


def story_index_update(*, page_id: int) -> None:
    """Index the story as it is live now; out of the index if it is not live."""
    from masthead.newsroom.models import ArticlePage

    article = ArticlePage.objects.live().filter(pk=page_id).first()
    with transaction.atomic():
        StoryIndex.objects.filter(page_id=page_id).delete()
        if article is not None and (article.first_published_at or article.last_published_at):
            StoryIndex.objects.bulk_create(_rows([article]))


def story_index_remove(*, page_id: int) -> None:
    StoryIndex.objects.filter(page_id=page_id).delete()


def search_index_rebuild(*, out=None) -> int:
    """Index every live story afresh, a batch at a time (a progress bar on `out`); returns how many."""
    from masthead.newsroom.demo import progress
    from masthead.newsroom.models import ArticlePage

    ids = list(ArticlePage.objects.live().order_by("pk").values_list("pk", flat=True))
    StoryIndex.objects.exclude(page_id__in=ArticlePage.objects.live().values("pk")).delete()
    done = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        articles = ArticlePage.objects.filter(pk__in=chunk).only(
            "pk", "title", "standfirst", "body", "section_id", "news_feed", "first_published_at", "last_published_at"
        )
        with transaction.atomic():
            StoryIndex.objects.filter(page_id__in=chunk).delete()
            StoryIndex.objects.bulk_create(_rows(articles), batch_size=BATCH)
        done += len(chunk)
        progress(done, len(ids), f"{done} stories indexed", out)
    _tidy()
    return done


def _tidy() -> None:
    """After many rows: SQLite merges the full-text index's segments into one; both gather the statistics their
    planners need (PostgreSQL's tells a rare word, looked up in the index, from a common one, walked newest
    first)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("INSERT INTO discovery_storyfts(discovery_storyfts) VALUES ('optimize')")
        # Statistics gathered while the table was small (the corpus ends with ANALYZE) made SQLite read all
        # 100,000 rows for 20 of them by key instead of using its index: 150 ms a search.
        cursor.execute("ANALYZE discovery_storyindex")


def search_index_missing() -> int:
    """How many live stories the index lacks (0 when it is whole)."""
    from masthead.newsroom.models import ArticlePage

    return ArticlePage.objects.live().exclude(pk__in=StoryIndex.objects.values("page_id")).count()
