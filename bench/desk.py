"""The article desk (admin → Article desk) at 100,000 articles, against the same desk at 1,000.

    python -m bench.desk [--articles 100000] [--reference 1000] [--rounds 7] [--postgres URL]

Uses the synthetic newsrooms of bench.pages (`masthead corpus`, kept under --corpus-dir and reused). For each
size, a process signed in as an editor asks for the desk's first page, each filter (status, section, author,
tag, a date range, "mine"), another ordering and the deepest page it offers, `--rounds` times each after one
warm-up, and reports the median time of the whole admin request (Django's test client: view, queries and
template, no network) and its query count. The two sizes run alternately, twice (medians of both). The last
line is one JSON object.

With `--postgres postgres://user@host:port/` the newsrooms are PostgreSQL databases on that server
(`masthead_desk_<articles>`, made when missing and reused; their pictures and cache under --corpus-dir).
"""

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from bench.pages import _corpus, bench_environment

# Scale must not show: each view at 100,000 articles within this factor of the same view at 1,000, with the
# same number of queries. (What is left at both sizes is Wagtail's admin drawing 50 rows with their buttons.)
TARGET_RATIO = 1.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--reference", type=int, default=1000)
    parser.add_argument("--corpus-dir", type=Path, default=Path("/var/tmp/masthead-bench"))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server's URL: the newsrooms live there")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(_measure(args.rounds)))
        return

    env = bench_environment(DJANGO_SETTINGS_MODULE="bench.settings")
    env.pop("DATABASE_URL", None)
    masthead = str(Path(sys.executable).parent / "masthead")
    envs = {size: _database_env(env, size, args) for size in (args.articles, args.reference)}
    base = args.corpus_dir / "postgres" if args.postgres else args.corpus_dir
    sizes = {size: _corpus(masthead, size, base, size_env) for size, size_env in envs.items()}

    runs: dict[int, list[dict]] = {size: [] for size in sizes}
    for _ in range(2):
        for size, where in sizes.items():
            command = [sys.executable, "-m", "bench.desk", "--measure", "--rounds", str(args.rounds)]
            size_env = {**envs[size], "MASTHEAD_VAR_DIR": str(where)}
            out = subprocess.run(command, env=size_env, check=True, capture_output=True, text=True).stdout  # noqa: S603
            runs[size].append(json.loads(out.strip().splitlines()[-1]))

    big, small = args.articles, args.reference
    database = "postgresql" if args.postgres else "sqlite"
    result = {"articles": big, "reference": small, "database": database, "target_ratio": TARGET_RATIO, "views": {}}
    print(f"the article desk on {database}")
    print(f"{'view':<22}{f'ms at {big:,}':>14}{f'ms at {small:,}':>14}{'ratio':>8}{'queries':>10}{'rows':>8}")
    for view in runs[big][0]:
        ms = {size: statistics.median(run[view]["ms"] for run in runs[size]) for size in sizes}
        queries = {size: runs[size][0][view]["queries"] for size in sizes}
        rows = runs[big][0][view]["rows"]
        ratio = ms[big] / ms[small]
        print(
            f"{view:<22}{ms[big]:>14.1f}{ms[small]:>14.1f}{ratio:>8.2f}{queries[big]:>6} / {queries[small]:<3}{rows:>6}"
        )
        result["views"][view] = {
            "ms": round(ms[big], 1),
            "ms_reference": round(ms[small], 1),
            "queries": queries[big],
            "queries_reference": queries[small],
            "rows": rows,
        }
    views = result["views"].values()
    result["slowest_ms"] = max(view["ms"] for view in views)
    result["worst_ratio"] = round(max(view["ms"] / view["ms_reference"] for view in views), 2)
    result["same_queries"] = all(view["queries"] == view["queries_reference"] for view in views)
    result["target_met"] = result["worst_ratio"] <= TARGET_RATIO and result["same_queries"]
    print(
        f"slowest view at {big:,} articles: {result['slowest_ms']:.1f} ms; worst ratio to {small:,}: "
        f"{result['worst_ratio']} (target {TARGET_RATIO}); same query counts: {result['same_queries']}"
    )
    print(json.dumps(result))


def _database_env(env: dict, size: int, args) -> dict:
    """The environment of one newsroom: SQLite under its corpus folder, or its own PostgreSQL database."""
    if not args.postgres:
        return env
    import psycopg

    name = f"masthead_desk_{size}"
    server = args.postgres.rstrip("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return {**env, "DATABASE_URL": f"{server}/{name}"}


def _measure(rounds: int) -> dict:
    """In a process on one newsroom: each desk view's times (ms) and query count, signed in as an editor."""
    import time

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone
    from taggit.models import Tag

    from masthead.newsroom.models import ArticleAuthor, Author, SectionPage

    editor, _ = get_user_model().objects.get_or_create(username="bench-desk-editor")
    editor.groups.add(Group.objects.get(name="Editors"))
    busiest = ArticleAuthor.objects.values("author").order_by("author").first()["author"]
    author = Author.objects.get(pk=busiest)
    author.user = editor
    author.save(update_fields=["user"])
    section = SectionPage.objects.live().filter(depth=3).order_by("path").first()
    tag = Tag.objects.order_by("pk").first()
    month_ago = (timezone.localdate() - timezone.timedelta(days=30)).isoformat()
    views = {
        "first page": {},
        "status live": {"status": "live"},
        "status draft": {"status": "draft"},
        "section": {"section": section.pk},
        "author": {"author": author.pk},
        "tag": {"tag": tag.pk},
        "published 30 days": {"published_from": month_ago},
        "mine": {"mine": "on"},
        "by headline": {"ordering": "title"},
        "by published": {"ordering": "-first_published_at"},
        "deepest page": {"p": "200"},
    }
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(editor)
    url = reverse("article_desk:index")
    figures = {}
    for name, params in views.items():
        client.get(url, params)
        times, executed = [], []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        for round_ in range(rounds):
            start = time.perf_counter()
            if round_ == 0:
                with connection.execute_wrapper(count):
                    response = client.get(url, params)
            else:
                response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        figures[name] = {
            "ms": statistics.median(times),
            "queries": len(executed),
            "rows": response.content.decode().count("data-bulk-action-checkbox"),  # one box a row
        }
    return figures


if __name__ == "__main__":
    main()
