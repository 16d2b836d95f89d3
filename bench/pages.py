"""The public pages served for real, against nginx serving the same article as a file and the framework's floor.

    python -m bench.pages [--articles 1000] [--reference 1000] [--duration 5] [--connections 16]

Grows a synthetic newsroom of `--articles` stories with `masthead corpus` (kept under --corpus-dir and reused by
later runs: 100,000 take about two minutes to build), starts `masthead serve` on it twice (page cache off, and
on), Varnish with deploy/varnish/masthead.vcl and nginx with deploy/nginx/masthead.conf in front of the second,
and a plain nginx serving a saved copy of the article's HTML. Then `wrk` (same connections and duration for
each) measures the article, home and section pages:

  (a) cold render: the page cache off (the shared pieces docs/deploy.md lists still cached); also the
      section's page 500 (or its last), and the same pages on a `--reference`-story newsroom, alternated
      three times with the big one (medians): the cost of scale
  (b) the app's page cache
  (c) through each front cache in deploy/ (Varnish; nginx proxy_cache)
  (d) nginx serving the saved article as a file (the article only)
  (e) the framework's floor: a view with a constant answer through the same server and middleware

and prints requests/s, p50/p99 and the serving processes' CPU ms per request for each, the ratios c/d (the
article as a file and through each front cache, alternated three times, medians), b/e, cold render at
`--articles` over `--reference`, the deep section page over the first, each page's query count and the
article's compressed HTML+CSS+JS weight. The last line is one JSON object.

Both newsrooms start with the same demo stories (the corpus adds older ones), so the article, the home page
and the section's first page are the same pages at both sizes. Needs wrk, varnishd and nginx with
libnginx-mod-http-cache-purge (Debian packages).
"""

import argparse
import fcntl
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("article", "home", "section")
DEEP_PAGE = 500


def bench_environment(**settings: str) -> dict:
    """The environment a benchmark runs Masthead in: production mode without HTTPS, a throw-away secret, quiet
    logs, this checkout importable; plus `settings`."""
    return {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "x" * 50,
        "MASTHEAD_HTTPS": "0",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        **settings,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--reference", type=int, default=1000, help="the smaller newsroom to compare (0: none)")
    parser.add_argument("--corpus-dir", type=Path, default=Path("/var/tmp/masthead-bench"))
    parser.add_argument("--pictures", type=int, default=24, help="drawn pictures the grown stories share")
    parser.add_argument("--duration", type=int, default=5, help="seconds of wrk per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="alternations of the compared measurements (medians)")
    args = parser.parse_args()
    for tool in ("wrk", "varnishd", "nginx"):
        if not shutil.which(tool):
            sys.exit(
                f"bench.pages needs {tool} (apt-get install wrk varnish nginx-light libnginx-mod-http-cache-purge)"
            )

    var = Path(tempfile.mkdtemp(prefix="masthead-bench-pages-"))
    var.chmod(0o755)  # nginx's workers (another user when it starts as root) read the saved page below it
    env = bench_environment(DJANGO_SETTINGS_MODULE="bench.settings")
    env.pop("DATABASE_URL", None)
    masthead = str(Path(sys.executable).parent / "masthead")
    compare = args.reference and args.reference < args.articles
    # The smaller newsroom first: the larger starts as a copy of it (migrated, with the demo) the first time.
    reference_dir = _corpus(masthead, args.reference, args.corpus_dir, env, pictures=args.pictures) if compare else None
    newsroom = _corpus(masthead, args.articles, args.corpus_dir, env, start_from=reference_dir, pictures=args.pictures)
    env["MASTHEAD_VAR_DIR"] = str(newsroom)

    os.environ.update({**env, "MASTHEAD_PAGE_CACHE": "0"})
    paths, queries = _paths_and_queries()
    processes: list[subprocess.Popen] = []
    try:
        cold, cached = _free_port(), _free_port()
        for port, page_cache in ((cold, "0"), (cached, "1")):
            server_env = {**env, "MASTHEAD_PORT": str(port), "MASTHEAD_PAGE_CACHE": page_cache}
            processes.append(_start([masthead, "serve"], server_env, log=var / f"serve-{port}.log"))
        if reference_dir:  # the same server on the smaller newsroom, for the cost of scale
            small = _free_port()
            small_env = {**env, "MASTHEAD_VAR_DIR": str(reference_dir), "MASTHEAD_PORT": str(small)}
            reference_server = _start(
                [masthead, "serve"], {**small_env, "MASTHEAD_PAGE_CACHE": "0"}, log=var / "ref.log"
            )
        for port in (cold, cached, *([small] if reference_dir else [])):
            _wait(f"http://127.0.0.1:{port}/_health/")
        varnish = _start_varnish(var, backend=cached, processes=processes)
        nginx_cache, nginx_static = _start_nginx(var, backend=cached, article=paths["article"], processes=processes)
        servers = {
            "a_cold": (cold, processes[0].pid),
            "b_page_cache": (cached, processes[1].pid),
            "c_varnish": (varnish, processes[2].pid),
            "c_nginx": (nginx_cache, processes[3].pid),
        }
        weight = _weight(cached, paths["article"])
        results: dict[str, dict] = {}
        for mode, (port, pid) in servers.items():
            extra = [] if mode.startswith(("a_", "b_")) else [processes[1].pid]  # the app answers their misses
            for page in PAGES:
                url = f"http://127.0.0.1:{port}{paths[page]}"
                _warm(url)
                results[f"{mode}:{page}"] = _wrk(url, [pid, *extra], args)
        deep = f"http://127.0.0.1:{cold}{paths['section_deep']}"
        _warm(deep)
        results["a_cold:section_deep"] = _wrk(deep, [processes[0].pid], args)
        results["e_floor"] = _wrk(f"http://127.0.0.1:{cached}/_floor/", [processes[1].pid], args)
        # The ratios compare servers measured seconds apart on a shared machine: the article as a file and
        # through each front cache, and each page's cold render at both sizes, alternated three times, medians
        # (as farm-bench does).
        alternated = {
            "d_static:article": (nginx_static, [processes[3].pid]),
            "c_nginx:article": (nginx_cache, [processes[3].pid, processes[1].pid]),
            "c_varnish:article": (varnish, [processes[2].pid, processes[1].pid]),
        }
        if reference_dir:
            for page in PAGES:
                url = f"http://127.0.0.1:{small}{paths[page]}"
                _warm(url)
                alternated[f"a_cold:{page}"] = (cold, [processes[0].pid])
                alternated[f"a_reference:{page}"] = (small, [reference_server.pid])
        rounds = {name: [] for name in alternated}
        for _ in range(args.rounds):
            for name, (port, pids) in alternated.items():
                page = name.split(":")[1]
                rounds[name].append(_wrk(f"http://127.0.0.1:{port}{paths[page]}", pids, args))
        for name, measured in rounds.items():
            results[name] = sorted(measured, key=lambda figures: figures["rps"])[len(measured) // 2]
    finally:
        for process in reversed(processes + ([reference_server] if reference_dir else [])):
            _stop(process)

    print(f"{'measurement':<24}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}")
    for name, figures in results.items():
        print(
            f"{name:<24}{figures['rps']:>10.1f}{figures['p50_ms']:>9.2f}{figures['p99_ms']:>9.2f}{figures['cpu_ms']:>12.3f}"
        )
    static = results["d_static:article"]["rps"]
    floor = results["e_floor"]["rps"]
    ratios = {
        "varnish_vs_static": round(results["c_varnish:article"]["rps"] / static, 2),
        "nginx_cache_vs_static": round(results["c_nginx:article"]["rps"] / static, 2),
        "cache_vs_floor": round(results["b_page_cache:article"]["rps"] / floor, 2),
        "section_deep_vs_first": round(results["a_cold:section_deep"]["rps"] / results["a_cold:section"]["rps"], 2),
    }
    scale = {
        page: round(results[f"a_cold:{page}"]["rps"] / results[f"a_reference:{page}"]["rps"], 2)
        for page in PAGES
        if reference_dir
    }
    scale_cpu = {  # the steadier figure on a shared machine: CPU per request, big over small (1.0: no cost)
        page: round(results[f"a_cold:{page}"]["cpu_ms"] / results[f"a_reference:{page}"]["cpu_ms"], 2)
        for page in PAGES
        if reference_dir
    }
    print(
        f"article: Varnish/static {ratios['varnish_vs_static']}, nginx proxy_cache/static "
        f"{ratios['nginx_cache_vs_static']} (c/d); page cache/floor {ratios['cache_vs_floor']} (b/e)"
    )
    print(f"section {paths['section_deep']} over its first page (cold render): {ratios['section_deep_vs_first']}")
    if scale:
        print(
            f"cold render at {args.articles:,} stories over {args.reference:,} (alternated, medians): "
            + ", ".join(f"{page} {ratio}" for page, ratio in scale.items())
            + "; CPU per request, the same way round: "
            + ", ".join(f"{page} {ratio}" for page, ratio in scale_cpu.items())
        )
    print("queries per page (cold render): " + ", ".join(f"{page} {count}" for page, count in queries.items()))
    print(f"article weight, brotli: HTML+CSS+JS {weight['total_kb']} KB ({weight})")
    print(
        json.dumps(
            {
                "benchmark": "pages",
                "articles": args.articles,
                "reference_articles": args.reference if reference_dir else None,
                "cold_vs_reference": scale,
                "cold_cpu_vs_reference": scale_cpu,
                "section_deep_vs_first": ratios["section_deep_vs_first"],
                "front_cache_vs_static": ratios["nginx_cache_vs_static"],  # the front cache docs/deploy.md recommends
                "varnish_vs_static": ratios["varnish_vs_static"],
                "cache_vs_floor": ratios["cache_vs_floor"],
                "article_cold_rps": results["a_cold:article"]["rps"],
                "article_cold_cpu_ms": results["a_cold:article"]["cpu_ms"],
                "article_queries": queries["article"],
                "article_weight_kb": weight["total_kb"],
                "results": results,
                "queries": queries,
            }
        )
    )


def _paths_and_queries() -> tuple[dict[str, str], dict[str, int]]:
    """The pages' addresses, and each one's query count on a cold render (in this process, page cache off)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from masthead.newsroom.models import ArticleListing, ArticlePage, SectionPage

    article = ArticlePage.objects.live().order_by("-first_published_at").first()
    section = SectionPage.objects.live().filter(depth=3).order_by("path").first()
    last = max(1, -(-ArticleListing.objects.filter(kind=ArticleListing.Kind.SECTION, key=section.pk).count() // 20))
    paths = {"article": article.url, "home": "/", "section": section.url}
    paths["section_deep"] = f"{section.url}?page={min(DEEP_PAGE, last)}"
    client, counts = Client(SERVER_NAME="127.0.0.1"), {}
    for page, path in paths.items():
        client.get(path)
        executed: list[str] = []

        def count(execute, sql, params, many, context, executed=executed):
            executed.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            assert client.get(path).status_code == 200, path
        counts[page] = len(executed)
    connection.close()
    return paths, counts


def _corpus(
    masthead: str, articles: int, base: Path, env: dict, start_from: Path | None = None, pictures: int = 24
) -> Path:
    """A newsroom of `articles` stories under `base`, grown by `masthead corpus` on the first run and reused; a new
    one starts as a copy of `start_from`'s database and media when given (it saves migrating and the demo)."""
    where = base / f"articles-{articles}"
    where.mkdir(parents=True, exist_ok=True)
    where.chmod(0o755)
    database = where / "masthead.sqlite3"
    with open(base / f"articles-{articles}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # benchmarks run side by side (the test suite's) grow it once
        if start_from is not None and not database.exists():
            with sqlite3.connect(start_from / "masthead.sqlite3") as source, sqlite3.connect(database) as copy:
                source.backup(copy)
            if (start_from / "media").exists():
                shutil.copytree(start_from / "media", where / "media", dirs_exist_ok=True)
        new_database(database)
        corpus_env = {**env, "MASTHEAD_VAR_DIR": str(where)}
        subprocess.run([masthead, "setup"], env=corpus_env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        grow = [masthead, "corpus", "--articles", str(articles), "--pictures", str(pictures)]
        subprocess.run(grow, env=corpus_env, check=True, stdout=sys.stderr)  # noqa: S603 (its progress bar, not our figures)
    return where


def new_database(database: Path) -> None:
    """A new SQLite database at `database` starts as a copy of $MASTHEAD_BENCH_MIGRATED when that is set: an
    already migrated database (the test suite makes one, masthead/tests/migrated.py), which saves each brief run
    some 20 s of migrating. `masthead setup` does the rest either way."""
    template = os.environ.get("MASTHEAD_BENCH_MIGRATED")
    if template and not Path(database).exists():
        shutil.copyfile(template, database)


def _start_varnish(var: Path, *, backend: int, processes: list) -> int:
    vcl = (ROOT / "deploy" / "varnish" / "masthead.vcl").read_text().replace('.port = "8000";', f'.port = "{backend}";')
    (var / "masthead.vcl").write_text(vcl)
    port = _free_port()
    command = ["varnishd", "-F", "-j", "none", "-n", str(var / "varnish"), "-a", f"127.0.0.1:{port}"]
    command += ["-f", str(var / "masthead.vcl"), "-s", "malloc,128m"]
    processes.append(_start(command, os.environ.copy(), log=var / "varnish.log"))
    _wait(f"http://127.0.0.1:{port}/_health/")
    return port


def _start_nginx(var: Path, *, backend: int, article: str, processes: list) -> tuple[int, int]:
    """nginx with deploy/'s proxy cache in front of the app, and a plain server of the saved article file."""
    cache_port, purge_port, static_port = _free_port(), _free_port(), _free_port()
    site = (ROOT / "deploy" / "nginx" / "masthead.conf").read_text()
    site = site.replace("/var/cache/nginx/masthead", str(var / "nginx-cache"))
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{cache_port};")
    site = site.replace("127.0.0.1:8000", f"127.0.0.1:{backend}").replace("127.0.0.1:8080", f"127.0.0.1:{purge_port}")
    copy = var / "static-copy" / article.strip("/")
    copy.mkdir(parents=True)
    (copy / "index.html").write_bytes(_get(f"http://127.0.0.1:{backend}{article}"))
    for folder in (var / "static-copy", copy):
        folder.chmod(0o755)
    (copy / "index.html").chmod(0o644)
    (var / "nginx-cache").mkdir()
    (var / "nginx-cache").chmod(0o777)
    module = Path("/usr/lib/nginx/modules/ngx_http_cache_purge_module.so")
    (var / "nginx.conf").write_text(
        (f"load_module {module};\n" if module.exists() else "")
        + f"pid {var}/nginx.pid;\nerror_log {var}/nginx-error.log;\nevents {{ worker_connections 1024; }}\n"
        + "http {\n  access_log off;\n  include /etc/nginx/mime.types;\n"
        + f"  server {{ listen 127.0.0.1:{static_port}; root {var}/static-copy; index index.html; }}\n"
        + f"  include {var}/site.conf;\n}}\n"
    )
    (var / "site.conf").write_text(site)
    processes.append(
        _start(
            ["nginx", "-c", str(var / "nginx.conf"), "-p", str(var), "-g", "daemon off;"],
            os.environ.copy(),
            log=var / "nginx.log",
        )
    )
    _wait(f"http://127.0.0.1:{static_port}{article}")
    return cache_port, static_port


def _weight(port: int, article: str) -> dict:
    """What a reader's browser downloads for the article page from this host, brotli-compressed: HTML, CSS, JS."""
    html = _get(f"http://127.0.0.1:{port}{article}").decode()
    assets = re.findall(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"', html)
    sizes = {"html": len(_get(f"http://127.0.0.1:{port}{article}", br=True))}
    for asset in assets:
        sizes[asset.rsplit("/", 1)[1]] = len(_get(f"http://127.0.0.1:{port}{asset}", br=True))
    return {"total_kb": round(sum(sizes.values()) / 1024, 1), **sizes}


def _wrk(url: str, pids: list[int], args) -> dict:
    before = sum(_tree_cpu(pid) for pid in pids)
    out = subprocess.run(  # noqa: S603
        ["wrk", "-t1", f"-c{args.connections}", f"-d{args.duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    used = sum(_tree_cpu(pid) for pid in pids) - before
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _latency(out, "50%"),
        "p99_ms": _latency(out, "99%"),
        "cpu_ms": round(used * 1000 / max(requests, 1), 3),
        "errors": "Non-2xx" in out or "Socket errors" in out,
    }


def _warm(url: str) -> None:
    """Fill the caches with wrk's own request (a front cache keeps one copy per Accept-Encoding, and wrk sends
    none), so the measurement starts on hits."""
    subprocess.run(["wrk", "-t1", "-c1", "-d1s", url], capture_output=True, check=True)  # noqa: S603, S607


def _latency(out: str, percentile: str) -> float:
    value, unit = re.search(rf"{percentile}\s+([\d.]+)(us|ms|s)", out).groups()
    return round(float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = fields
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo, ticks = 0, [pid], os.sysconf("SC_CLK_TCK")
    while todo:
        current = todo.pop()
        if current in stats:
            total += int(stats[current][11]) + int(stats[current][12])
        todo.extend(children.get(current, []))
    return total / ticks


def _get(url: str, *, br: bool = False) -> bytes:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br"} if br else {})  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local servers)
        return response.read()


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"bench.pages: {url} did not answer within {timeout:.0f} s")


def _start(command: list[str], env: dict, *, log: Path) -> subprocess.Popen:
    return subprocess.Popen(command, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603


def _stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()
