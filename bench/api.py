"""The Content API served for real, against Ghost's own Content API on the same machine in the same run.

    python -m bench.api [--articles 1000] [--duration 5] [--rounds 3] [--ghost-url http://127.0.0.1:2368]

Serves a newsroom of `--articles` stories (`masthead corpus`, kept under --corpus-dir as bench.pages keeps it)
with `masthead serve` in production mode, makes it a key, and measures with `wrk` the requests a program written
for Ghost makes most: a page of posts with their tags and authors, one post by slug, the tags with their counts.
When Ghost answers at --ghost-url (the anchor in ../shared/anchors/ghost: setup.sh, start.sh BASE production,
seed-posts.js), the same requests go to Ghost, alternated A B A B for --rounds (medians), and each one's CPU per
request is compared; without it the reference is the framework's floor (`/_floor/`, a constant answer through
the same server). Ghost's content key is read from its database (--ghost-db). It also compares the fields of
both answers, and prints what differs. The last line is one JSON object.
"""

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

from bench.pages import _corpus, _free_port, _start, _stop, _wait, _warm, _wrk, bench_environment

REQUESTS = {
    "posts": "posts/?limit=15&include=tags,authors",
    "post": "posts/slug/{slug}/",
    "tags": "tags/?include=count.posts&limit=15",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--corpus-dir", type=Path, default=Path("/var/tmp/masthead-bench"))
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ghost-url", default="http://127.0.0.1:2368")
    parser.add_argument(
        "--ghost-db", type=Path, default=Path("/var/tmp/masthead-ghost-anchor/site/content/data/ghost-local.db")
    )
    parser.add_argument("--ghost-pid", type=Path, default=Path("/var/tmp/masthead-ghost-anchor/ghost.pid"))
    args = parser.parse_args()

    var = Path(tempfile.mkdtemp(prefix="masthead-bench-api-"))
    env = bench_environment(DJANGO_SETTINGS_MODULE="bench.settings")
    env.pop("DATABASE_URL", None)
    masthead = str(Path(sys.executable).parent / "masthead")
    env["MASTHEAD_VAR_DIR"] = str(_corpus(masthead, args.articles, args.corpus_dir, env))
    key = _masthead_key(masthead, env)
    ghost = _ghost(args)

    port = _free_port()
    server = _start([masthead, "serve"], {**env, "MASTHEAD_PORT": str(port)}, log=var / "serve.log")
    try:
        _wait(f"http://127.0.0.1:{port}/_health/")
        base = f"http://127.0.0.1:{port}/ghost/api/content/"
        slug = _json(f"{base}posts/?key={key}&limit=1&fields=slug")["posts"][0]["slug"]
        targets = {"masthead": (base, key, slug, server.pid)}
        if ghost:
            ghost_base = f"{args.ghost_url}/ghost/api/content/"
            ghost_slug = _json(f"{ghost_base}posts/?key={ghost['key']}&limit=1&fields=slug")["posts"][0]["slug"]
            targets["ghost"] = (ghost_base, ghost["key"], ghost_slug, ghost["pid"])
        urls = {
            (who, name): base_url + request.format(slug=post_slug) + ("&" if "?" in request else "?") + f"key={k}"
            for who, (base_url, k, post_slug, _) in targets.items()
            for name, request in REQUESTS.items()
        }
        if not ghost:
            urls[("floor", "floor")] = f"http://127.0.0.1:{port}/_floor/"
        differences = _compare_fields(urls) if ghost else {}
        for url in urls.values():
            _warm(url)
        rounds: dict[tuple, list] = {target: [] for target in urls}
        for _ in range(args.rounds):
            for (who, name), url in urls.items():
                pid = targets[who][3] if who in targets else server.pid
                rounds[(who, name)].append(_wrk(url, [pid], args))
    finally:
        _stop(server)

    results = {f"{who}:{name}": sorted(m, key=lambda f: f["rps"])[len(m) // 2] for (who, name), m in rounds.items()}
    print(f"{'measurement':<20}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}")
    for name, figures in results.items():
        flag = "  (errors)" if figures["errors"] else ""
        print(
            f"{name:<20}{figures['rps']:>10.1f}{figures['p50_ms']:>9.2f}{figures['p99_ms']:>9.2f}"
            f"{figures['cpu_ms']:>12.3f}{flag}"
        )
    summary = {"benchmark": "api", "articles": args.articles, "reference": "ghost" if ghost else "floor"}
    for name in REQUESTS:
        mine = results[f"masthead:{name}"]
        summary[f"{name}_rps"] = mine["rps"]
        summary[f"{name}_cpu_ms"] = mine["cpu_ms"]
        if ghost:
            theirs = results[f"ghost:{name}"]
            summary[f"ghost_{name}_rps"] = theirs["rps"]
            summary[f"ghost_{name}_cpu_ms"] = theirs["cpu_ms"]
            # Ghost's CPU per request over Masthead's: above 1, Masthead is cheaper.
            summary[f"{name}_cpu_advantage"] = round(theirs["cpu_ms"] / mine["cpu_ms"], 2)
    if ghost:
        print(
            f"Ghost {ghost['version']} ({ghost['posts']} posts) over Masthead ({args.articles:,} stories), CPU per "
            "request: " + ", ".join(f"{name} {summary[f'{name}_cpu_advantage']}" for name in REQUESTS)
        )
        for name, diff in differences.items():
            print(
                f"fields of {name}: only Ghost's {diff['ghost_only'] or 'none'}; "
                f"only ours {diff['ours_only'] or 'none'}"
            )
        summary["field_differences"] = differences
    else:
        print(
            f"Ghost did not answer at {args.ghost_url}: the reference is the floor, "
            f"{results['floor:floor']['rps']} req/s"
        )
        summary["floor_rps"] = results["floor:floor"]["rps"]
    summary["results"] = results
    print(json.dumps(summary))


def _masthead_key(masthead: str, env: dict) -> str:
    made = subprocess.run(  # noqa: S603
        [masthead, "apikey", "create", "bench.api"], env=env, check=True, capture_output=True, text=True
    )
    return made.stdout.split()[0]


def _ghost(args) -> dict | None:
    """Ghost's content key, server pid, version and post count, if it answers."""
    try:
        with urllib.request.urlopen(f"{args.ghost_url}/ghost/api/content/settings/", timeout=5):  # noqa: S310
            pass
    except urllib.error.HTTPError:
        pass  # 403 without a key: it is up
    except OSError:
        return None
    with sqlite3.connect(f"file:{args.ghost_db}?mode=ro", uri=True) as db:
        key = db.execute("SELECT secret FROM api_keys WHERE type = 'content' LIMIT 1").fetchone()[0]
        posts = db.execute("SELECT count(*) FROM posts WHERE type = 'post' AND status = 'published'").fetchone()[0]
    settings = _json(f"{args.ghost_url}/ghost/api/content/settings/?key={key}")["settings"]
    return {"key": key, "pid": int(args.ghost_pid.read_text()), "version": settings["version"], "posts": posts}


def _compare_fields(urls: dict) -> dict:
    """Which fields each answer has that the other lacks, request by request (the first row of each)."""
    differences = {}
    for name in REQUESTS:
        ours, theirs = _json(urls[("masthead", name)]), _json(urls[("ghost", name)])
        resource = next(iter(ours))
        mine, ghosts = set(ours[resource][0]), set(theirs[resource][0])
        differences[name] = {"ghost_only": sorted(ghosts - mine), "ours_only": sorted(mine - ghosts)}
        if ours.get("meta") and theirs.get("meta"):
            differences[name]["meta_same_keys"] = list(ours["meta"]["pagination"]) == list(theirs["meta"]["pagination"])
    return differences


def _json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (local servers)
        return json.loads(response.read())


if __name__ == "__main__":
    main()
