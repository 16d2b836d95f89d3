"""How fast the public pages render, next to the cheapest page with the same layout.

    python -m bench.page_render [--requests 200] [--articles 44]

Builds the demo newsroom in a throw-away SQLite database, then times each page through Django's full
request cycle (middleware, routing, templates; no network, no front cache). The reference is the About
page: a standard Wagtail page in the same layout, measured in the same run, so the ratio shows what the
newsroom's own work (bylines, rails, renditions) costs on top of the layout. Also counts SQL queries.
The last line is one JSON object.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench.pages import new_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--articles", type=int, default=44, help="demo articles (fewer for a quick check)")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="masthead-bench-")
    os.environ.update(
        DEBUG="0",
        SECRET_KEY="bench-" + "x" * 50,
        MASTHEAD_VAR_DIR=var,
        MASTHEAD_HTTPS="0",
        MASTHEAD_PAGE_CACHE="0",  # this measures rendering
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="masthead.settings",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from masthead.newsroom.demo import load_demo
    from masthead.newsroom.models import ArticlePage

    new_database(Path(var) / "masthead.sqlite3")
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    load_demo(articles=args.articles, out=sys.stderr)
    article = ArticlePage.objects.live().order_by("-first_published_at").first()
    pages = {
        "reference: about": "/about/",
        "article": article.url,
        "home": "/",
        "section": "/war/",
        "news feed": "/news/",
        "tag": "/tag/demo/",
    }
    client = Client(SERVER_NAME="127.0.0.1")  # an allowed host of the default settings
    results = {}
    for name, url in pages.items():
        for _ in range(5):  # warm up: renditions, template caches
            assert client.get(url).status_code == 200, url
        queries: list[str] = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            client.get(url)
        timings = []
        for _ in range(args.requests):
            start = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - start) * 1000)
        timings.sort()
        results[name] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
            "queries": len(queries),
        }
    reference = results["reference: about"]["p50_ms"]
    print(f"{'page':<18}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'× about':>9}")
    for name, figures in results.items():
        ratio = figures["p50_ms"] / reference
        figures["vs_reference"] = round(ratio, 2)
        print(f"{name:<18}{figures['p50_ms']:>9}{figures['p95_ms']:>9}{figures['queries']:>9}{ratio:>9.2f}")
    print(json.dumps({"benchmark": "page_render", "requests": args.requests, "database": "sqlite", "pages": results}))


if __name__ == "__main__":
    main()
