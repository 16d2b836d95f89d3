"""The search page's search at 100,000 stories, on SQLite and on PostgreSQL.

    python -m bench.search [--articles 100000] [--rounds 5] [--postgres postgres://postgres@127.0.0.1:5432/]

Uses the synthetic newsrooms of bench.pages and bench.desk (`masthead corpus`, kept under --corpus-dir, and the
PostgreSQL database `masthead_desk_<articles>` on the server given, made when missing and reused; PostgreSQL is
skipped when the server does not answer). Their search index is built the first time (`masthead
search_index`, with a progress bar) and kept.

For each database a process runs a fixed set of searches (`QUERIES`: a rare word, words in most stories, a word
in every story, two words, each alone and with the page's filters, and deep pages) through the search page's
own function, `discovery.search.stories_search`, `--rounds` times after one warm-up, and reports p50 and p95 of
all those times. The reference, measured in the same process on the same queries: the naive search a site
without a search index does (`title LIKE '%word%'` over the live stories, newest first, and its count).
Target: p95 under 50 ms on both databases. The last line is one JSON object.
"""

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.desk import _database_env
from bench.pages import _corpus, bench_environment

TARGET_P95_MS = 50

# (text, filters, page). Words from the corpus generator (masthead/newsroom/corpus.py): a town's name is in about
# one story in 300, "hospitals" in one in 36, "council" and "officials" in most, "synthetic" in every one.
TEXTS = ["Ashbrook", "hospitals", "council", "synthetic", "council budget", "Ashbrook heating", "officials mayor"]
FILTERS = ["", "section", "author", "last year", "news", "all four"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--corpus-dir", type=Path, default=Path("/var/tmp/masthead-bench"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/", help="'' for SQLite only")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.rounds)))
        return

    env = bench_environment(DJANGO_SETTINGS_MODULE="bench.settings")
    env.pop("DATABASE_URL", None)
    masthead = str(Path(sys.executable).parent / "masthead")
    databases = {"sqlite": (env, args.corpus_dir)}
    if args.postgres and _reachable(args.postgres):
        databases["postgres"] = (_database_env(env, args.articles, args), args.corpus_dir / "postgres")
    result = {"benchmark": "search", "articles": args.articles, "target_p95_ms": TARGET_P95_MS}
    for database, (database_env, base) in databases.items():
        where = _corpus(masthead, args.articles, base, database_env)
        run_env = {**database_env, "MASTHEAD_VAR_DIR": str(where)}
        subprocess.run([masthead, "search_index", "--if-incomplete"], env=run_env, check=True, stdout=sys.stderr)  # noqa: S603
        command = [sys.executable, "-m", "bench.search", "--measure", "--rounds", str(args.rounds)]
        out = subprocess.run(command, env=run_env, check=True, capture_output=True, text=True).stdout  # noqa: S603
        figures = json.loads(out.strip().splitlines()[-1])
        _report(database, figures)
        for name in ("p50_ms", "p95_ms", "max_ms", "reference_p50_ms", "reference_p95_ms"):
            result[f"{database}_{name}"] = figures[name]
        result[f"{database}_searches"] = figures["searches"]
    for database in ("sqlite", "postgres"):
        result.setdefault(f"{database}_p50_ms", None)
        result.setdefault(f"{database}_p95_ms", None)
    measured = [result[f"{db}_p95_ms"] for db in databases]
    result["target_met"] = all(p95 < TARGET_P95_MS for p95 in measured)
    print(f"target: p95 under {TARGET_P95_MS} ms on each database: {'met' if result['target_met'] else 'NOT met'}")
    print(json.dumps(result))


def _reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{url.rstrip('/')}/postgres", connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 (no server: SQLite only)
        return False


def _report(database: str, figures: dict) -> None:
    print(
        f"\n{database}: {figures['searches']} searches × {figures['rounds']} rounds at {figures['articles']:,} stories"
    )
    print(f"{'search':<44}{'results':>9}{'p50 ms':>9}{'max ms':>9}")
    for row in figures["rows"]:
        print(f"{row['name']:<44}{row['total']:>9,}{row['p50']:>9.1f}{row['max']:>9.1f}")
    print(
        f"all searches: p50 {figures['p50_ms']} ms, p95 {figures['p95_ms']} ms (max {figures['max_ms']} ms); "
        f"reference, title LIKE scan: p50 {figures['reference_p50_ms']} ms, p95 {figures['reference_p95_ms']} ms"
    )


def _measure(rounds: int) -> dict:
    """In a process on one newsroom: every search's times, and the reference's."""
    import django

    django.setup()
    from django.db.models import Count
    from django.utils import timezone

    from masthead.discovery import search
    from masthead.newsroom.models import ArticlePage, Author, SectionPage

    section = SectionPage.objects.live().filter(depth=3).annotate(n=Count("articles")).order_by("-n").first()
    author = Author.objects.annotate(n=Count("bylines")).order_by("-n").first()
    year_ago = timezone.localdate() - timezone.timedelta(days=365)
    filters = {
        "": {},
        "section": {"section": section.slug},
        "author": {"author": author.slug},
        "last year": {"since": year_ago},
        "news": {"kind": "news"},
        "all four": {"section": section.slug, "author": author.slug, "since": year_ago, "kind": "story"},
    }
    cases = [(text, name, 1) for text in TEXTS for name in FILTERS]
    cases += [("council", "", 50), ("Ashbrook", "", 2), ("", "section", 1), ("", "author", 30)]
    rows, times = [], []
    for text, name, number in cases:
        criteria = search.criteria(text=text, **filters[name])
        found = search.stories_search(criteria=criteria, number=number)  # warm-up
        spent = []
        for _ in range(rounds):
            start = time.perf_counter()
            search.stories_search(criteria=criteria, number=number)
            spent.append((time.perf_counter() - start) * 1000)
        times += spent
        label = f"{text or '(no words)'}{' + ' + name if name else ''}{f', page {number}' if number > 1 else ''}"
        rows.append({"name": label, "total": found.total, "p50": statistics.median(spent), "max": max(spent)})

    reference = []
    for text in TEXTS:
        word = text.split()[0]
        for _ in range(rounds):
            start = time.perf_counter()
            naive = ArticlePage.objects.live().filter(title__icontains=word).order_by("-first_published_at")
            list(naive.values_list("pk", flat=True)[:20])
            naive.count()
            reference.append((time.perf_counter() - start) * 1000)

    def p95(values):
        return round(statistics.quantiles(values, n=20)[-1], 1)

    return {
        "articles": ArticlePage.objects.live().count(),
        "searches": len(cases),
        "rounds": rounds,
        "rows": rows,
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": p95(times),
        "max_ms": round(max(times), 1),
        "reference_p50_ms": round(statistics.median(reference), 1),
        "reference_p95_ms": p95(reference),
    }


if __name__ == "__main__":
    main()
