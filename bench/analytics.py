"""Page-view counting under load, and the editors' dashboard over three months of a large newsroom's views.

    python -m bench.analytics [--articles 1000] [--duration 20] [--rounds 2] [--connections 16]
                              [--views 10000000] [--stories 100000] [--days 90] [--postgres URL]

1. Ingest. Serves a newsroom of `--articles` stories (`masthead corpus`, kept under --corpus-dir as bench.pages
   keeps it; the run works on a copy) with `masthead serve` in production mode, and sends view beacons from a
   second process (`wrk`, a Lua script: each beacon a new reader, by its X-Forwarded-For behind the proxy
   setting, one of a dozen browsers, a random story) for `--duration` seconds. The reference, alternated with
   it A B A B for `--rounds`, is the same server answering the same requests at an empty 204 endpoint
   (`/_empty/` in bench/urls.py). The last second of each measurement asks `/_floor/` instead, so that no beacon
   is in flight when wrk stops: every beacon sent has been answered and counted by the client. After each run
   the bench waits for the web processes' next write and reads the counters: the views counted must equal the
   beacons accepted (204s).
2. Dashboard. Seeds counters for `--views` views of `--stories` stories over `--days` days (a story's views
   mostly in its first days, a long tail after; hourly counts for the last week; sources and referrers per
   day) into a fresh database (SQLite, and PostgreSQL when `--postgres` answers), then times the dashboard's
   figures for the last 1, 7, 30 and 90 days, each query alone and all together. (The seeded stories are ids,
   not pages of that database: the top stories' titles are looked up and not found, 20 rows by key.)

Targets: beacons accepted at no less than 60% of the empty endpoint's rate, and the dashboard's p95 under a
second. The last line is one JSON object.
"""

import argparse
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pages import _corpus, _free_port, _start, _stop, _wait, bench_environment
from bench.search import _reachable

TARGET_RATIO = 0.6
TARGET_DASHBOARD_P95_MS = 1000
BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",  # noqa: E501
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",  # noqa: E501
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",  # noqa: E501
    "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",  # noqa: E501
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",  # noqa: E501
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 13; moto g) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36",  # noqa: E501
]
REFERRERS = [
    "",
    "",
    "",
    "https://www.google.com/",
    "https://t.co/x",
    "https://www.facebook.com/",
    "https://news.example/",
]

# The beacons, from wrk's Lua (LuaJIT: its FFI reads the monotonic clock, so a run's length is exact).
LUA = r"""
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
           int clock_gettime(int clock, bench_timespec *spec); ]]
local function now()
  local spec = ffi.new("bench_timespec")
  ffi.C.clock_gettime(1, spec)
  return tonumber(spec.tv_sec) + tonumber(spec.tv_nsec) / 1e9
end
local ids = {IDS}
local agents = {AGENTS}
local referrers = {REFERRERS}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end
function init(args)
  path = args[1]
  base = tonumber(args[2])
  ends = now() + tonumber(args[3])
  sent, accepted, first, last = 0, 0, 0, 0
  math.randomseed(base + tid)
end
function request()
  local t = now()
  if t >= ends then return wrk.format("GET", "/_floor/") end
  if first == 0 then first = t end
  sent = sent + 1
  local n = base + tid * 4194304 + sent
  local address = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  local body = string.format('{"c":"page:%d","r":"%s"}', ids[math.random(#ids)], referrers[math.random(#referrers)])
  return wrk.format("POST", path, {
    ["Content-Type"] = "text/plain;charset=UTF-8",
    ["Origin"] = "http://127.0.0.1:" .. wrk.port,
    ["User-Agent"] = agents[math.random(#agents)],
    ["X-Forwarded-For"] = address,
  }, body)
end
function response(status, headers, body)
  if status == 204 then
    accepted = accepted + 1
    last = now()
  end
end
function done(summary, latency, requests)
  local total, spent = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("accepted")
    spent = math.max(spent, thread:get("last") - thread:get("first"))
  end
  io.write(string.format("accepted %d in %.3f s\n", total, spent))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000, help="stories of the served newsroom")
    parser.add_argument("--corpus-dir", type=Path, default=Path("/var/tmp/masthead-bench"))
    parser.add_argument("--duration", type=int, default=20, help="seconds of beacons per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2, help="alternations of beacons and the reference")
    parser.add_argument("--views", type=int, default=10_000_000, help="views seeded for the dashboard")
    parser.add_argument("--stories", type=int, default=100_000, help="stories those views are of")
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--query-rounds", type=int, default=5, help="times each dashboard figure is timed")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/", help="'' for SQLite only")
    parser.add_argument("--measure-dashboard", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_dashboard:
        print(json.dumps(_dashboard(args)))
        return

    env = bench_environment(DJANGO_SETTINGS_MODULE="bench.settings", MASTHEAD_BEHIND_PROXY="1")
    env.pop("DATABASE_URL", None)
    masthead = str(Path(sys.executable).parent / "masthead")
    corpus = _corpus(masthead, args.articles, args.corpus_dir, env)
    var = Path(tempfile.mkdtemp(prefix="masthead-bench-analytics-"))
    with sqlite3.connect(corpus / "masthead.sqlite3") as source, sqlite3.connect(var / "masthead.sqlite3") as copy:
        source.backup(copy)  # the corpus stays as it was: the counters are written into this copy
    env.update(MASTHEAD_VAR_DIR=str(var), MASTHEAD_STATIC_ROOT=str(corpus / "static"))
    result = {"benchmark": "analytics", "articles": args.articles, **_ingest(masthead, env, var, args)}

    dashboards = {"sqlite": {**env}}
    if args.postgres and _reachable(args.postgres):
        dashboards["postgres"] = _postgres_env(env, args.postgres)
    for database, database_env in dashboards.items():
        if database == "postgres":
            subprocess.run([masthead, "migrate", "--no-input"], env=database_env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        command = [sys.executable, "-m", "bench.analytics", "--measure-dashboard", *_passed(args)]
        out = subprocess.run(command, env=database_env, check=True, capture_output=True, text=True).stdout  # noqa: S603
        figures = json.loads(out.strip().splitlines()[-1])
        _report_dashboard(database, figures)
        result[f"{database}_dashboard_p95_ms"] = figures["dashboard_p95_ms"]
        result[f"{database}_dashboard"] = figures
    result["dashboard_p95_ms"] = max(result[f"{db}_dashboard_p95_ms"] for db in dashboards)
    result["dashboard_target_met"] = result["dashboard_p95_ms"] < TARGET_DASHBOARD_P95_MS
    print(
        f"\ntargets: accepted at {result['accepted_vs_empty']:.0%} of the empty endpoint's rate (at least "
        f"{TARGET_RATIO:.0%}): {'met' if result['ingest_target_met'] else 'NOT met'}; dashboard p95 "
        f"{result['dashboard_p95_ms']} ms (under {TARGET_DASHBOARD_P95_MS}): "
        f"{'met' if result['dashboard_target_met'] else 'NOT met'}; counted {result['counted']:,} of "
        f"{result['accepted']:,} accepted"
    )
    print(json.dumps(result))


def _passed(args) -> list[str]:
    return [
        f"--views={args.views}",
        f"--stories={args.stories}",
        f"--days={args.days}",
        f"--query-rounds={args.query_rounds}",
    ]


def _ingest(masthead: str, env: dict, var: Path, args) -> dict:
    database = var / "masthead.sqlite3"
    with sqlite3.connect(database) as db:
        ids = [row[0] for row in db.execute("SELECT page_ptr_id FROM newsroom_articlepage")]
    script = var / "beacons.lua"
    script.write_text(
        LUA.replace("{IDS}", "{" + ",".join(map(str, ids)) + "}")
        .replace("{AGENTS}", "{" + ",".join(json.dumps(agent) for agent in BROWSERS) + "}")
        .replace("{REFERRERS}", "{" + ",".join(json.dumps(referrer) for referrer in REFERRERS) + "}")
    )
    port = _free_port()
    server = _start([masthead, "serve"], {**env, "MASTHEAD_PORT": str(port)}, log=var / "serve.log")
    runs: dict[str, list[dict]] = {"beacon": [], "empty": []}
    counted_before = 0
    try:
        _wait(f"http://127.0.0.1:{port}/_health/")
        base = 0
        _wrk_beacons(port, "/_view/", base, 2, script, args)  # warm-up: the page ids loaded, the salt made
        base += 4_000_000
        time.sleep(3)
        counted_before = _counted(database)
        for _ in range(args.rounds):
            for name, path in (("beacon", "/_view/"), ("empty", "/_empty/")):
                runs[name].append(_wrk_beacons(port, path, base, args.duration, script, args))
                base += 4_000_000  # readers never seen before: each beacon a new view
    finally:
        time.sleep(3)  # the web processes' next write (every 2 s)
        _stop(server)  # and what a process holds as it stops
    counted = _counted(database) - counted_before
    accepted = sum(run["accepted"] for run in runs["beacon"])
    rates = {name: statistics.median(run["rate"] for run in measured) for name, measured in runs.items()}
    ratio = rates["beacon"] / rates["empty"]
    print(f"{'measurement':<12}{'accepted':>10}{'seconds':>9}{'per s':>9}{'p50 ms':>8}{'p99 ms':>8}{'non-2xx':>9}")
    for name, measured in runs.items():
        for run in measured:
            print(
                f"{name:<12}{run['accepted']:>10,}{run['seconds']:>9.2f}{run['rate']:>9.0f}"
                f"{run['p50_ms']:>8.2f}{run['p99_ms']:>8.2f}{run['non_2xx']:>9}"
            )
    print(
        f"beacons accepted {rates['beacon']:.0f}/s against the empty endpoint's {rates['empty']:.0f}/s "
        f"({ratio:.0%}); counted after the writes: {counted:,} of {accepted:,} accepted"
    )
    return {
        "accepted_per_s": round(rates["beacon"], 1),
        "empty_endpoint_per_s": round(rates["empty"], 1),
        "accepted_vs_empty": round(ratio, 3),
        "ingest_target_met": ratio >= TARGET_RATIO and counted == accepted,
        "accepted": accepted,
        "counted": counted,
        "non_2xx": sum(run["non_2xx"] for measured in runs.values() for run in measured),
        "runs": runs,
    }


def _wrk_beacons(port: int, path: str, base: int, seconds: int, script: Path, args) -> dict:
    out = subprocess.run(  # noqa: S603
        [
            "wrk",
            "-t1",
            f"-c{args.connections}",
            f"-d{seconds + 1}s",  # the last second asks /_floor/: no beacon in flight at the end
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
            "--",
            path,
            str(base),
            str(seconds),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    accepted, spent = re.search(r"accepted (\d+) in ([\d.]+) s", out).groups()
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = {
        p: float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
        for p, v, u in re.findall(r"(50|99)%\s+([\d.]+)(us|ms|s)", out)
    }
    return {
        "accepted": int(accepted),
        "seconds": float(spent),
        "rate": int(accepted) / max(float(spent), 1e-9),
        "p50_ms": round(latency.get("50", 0), 2),
        "p99_ms": round(latency.get("99", 0), 2),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
    }


def _counted(database: Path) -> int:
    with sqlite3.connect(database) as db:
        return db.execute("SELECT COALESCE(SUM(count), 0) FROM analytics_dailycount WHERE target = 0").fetchone()[0]


def _postgres_env(env: dict, url: str) -> dict:
    import psycopg

    name = "masthead_bench_analytics"
    server = url.rstrip("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return {**env, "DATABASE_URL": f"{server}/{name}"}


# ---------------------------------------------------------------------------------------------------------------
# The dashboard, in a process of its own on one database

FIRST_DAYS = [0.5, 0.2, 0.1, 0.06, 0.04, 0.03, 0.02]  # a story's views on its first days; the rest spread later
DAY_SHAPE = [1, 1, 1, 1, 1, 2, 3, 5, 7, 8, 8, 7, 7, 7, 6, 6, 6, 6, 7, 8, 8, 6, 4, 2]  # views per hour of a day
DOMAINS = [
    ("google.com", 2, 30),
    ("t.co", 3, 6),
    ("facebook.com", 3, 8),
    ("bing.com", 2, 2),
    ("duckduckgo.com", 2, 1),
    ("mail.google.com", 4, 2),
    ("reddit.com", 3, 1),
    ("news.example", 5, 2),
]  # (domain, source, share %); the rest direct (0) and from the site itself (1)


def _dashboard(args) -> dict:
    import django

    django.setup()
    from django.db import connection

    from masthead.analytics import dashboard, selectors
    from masthead.analytics.models import DailyCount, HourlyCount, SourceCount, TotalCount

    for model in (DailyCount, HourlyCount, SourceCount, TotalCount):
        model.objects.all().delete()
    started = time.perf_counter()
    rows = _seed(args.views, args.stories, args.days)
    seeded_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    last = dashboard.today()
    periods = {
        f"{days} days": selectors.Period(last - selectors.timedelta(days=days - 1), last) for days in (1, 7, 30, 90)
    }
    queries = {
        "views per day": lambda p: selectors.totals_per_day(p),
        "views per hour": lambda p: selectors.totals_per_hour(p.last),
        "top stories": lambda p: selectors.top_articles(p),
        "sources": lambda p: selectors.sources(p),
        "referrers": lambda p: selectors.top_referrers(p),
        "sign-ups": lambda p: selectors.signups_per_day(p),
        "comments": lambda p: selectors.comments_per_day(p),
    }
    timings: dict[str, list[float]] = {name: [] for name in queries}
    whole: dict[str, list[float]] = {name: [] for name in periods}
    for _ in range(args.query_rounds):
        for period_name, period in periods.items():
            for name, query in queries.items():
                timings[name].append(_timed(lambda q=query, p=period: q(p)))
            whole[period_name].append(_timed(lambda p=period: dashboard.figures(p)))
    every = [t for measured in whole.values() for t in measured]
    total = DailyCount.objects.filter(target=0).values_list("count", flat=True)
    return {
        "database": connection.vendor,
        "views": sum(total),
        "stories": args.stories,
        "days": args.days,
        "rows": rows,
        "seeded_s": round(seeded_s, 1),
        "queries_p95_ms": {name: _p95(measured) for name, measured in timings.items()},
        "dashboard_by_period_p95_ms": {name: _p95(measured) for name, measured in whole.items()},
        "dashboard_p50_ms": round(statistics.median(every), 1),
        "dashboard_p95_ms": _p95(every),
    }


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def _p95(values: list[float]) -> float:
    return round(statistics.quantiles(values, n=20, method="inclusive")[-1], 1) if len(values) > 1 else values[0]


def _seed(views: int, stories: int, days: int) -> dict:
    """Counters for `views` views of `stories` stories (ids from 10,000,001, not pages of this database: the
    figures read the counters, and the stories' titles by id) over the last `days` days."""
    from collections import Counter
    from datetime import timedelta

    from masthead.analytics import counting
    from masthead.analytics.models import DailyCount, HourlyCount, SourceCount, Target, TotalCount
    from masthead.analytics.services import _add

    rng = random.Random(7)
    today = counting.today()
    first = today - timedelta(days=days - 1)
    weights = [rng.paretovariate(1.2) for _ in range(stories)]
    scale = views / sum(weights)
    daily: Counter = Counter()
    for index, weight in enumerate(weights):
        story = 10_000_001 + index
        total = max(1, int(weight * scale))
        published = rng.randrange(days)
        left = total
        for age, share in enumerate(FIRST_DAYS):
            if published + age >= days:
                break
            if n := int(total * share):
                daily[(story, published + age)] += n
                left -= n
        for part in range(min(left, 10)):  # the long tail: up to ten later days
            daily[(story, published + rng.randrange(days - published))] += left // min(left, 10) + (
                1 if part < left % min(left, 10) else 0
            )
    top = max(daily, key=daily.get)
    daily[top] += views - sum(daily.values())  # exactly `views`
    per_day: Counter = Counter()
    hourly: Counter = Counter()
    recent = days - 7
    for (story, day), n in daily.items():
        per_day[day] += n
        if day >= recent:  # hourly counts are kept for the last days only
            parts = min(n, 6)
            hours = rng.sample(range(24), parts)
            for i, hour in enumerate(hours):
                hourly[(story, day, hour)] += n // parts + (1 if i < n % parts else 0)

    def hour_of(day: int, hour: int):
        start, _ = counting.day_bounds(first + timedelta(days=day))
        return start + timedelta(hours=hour)

    _batches(
        DailyCount,
        ("target", "object_id", "day"),
        {(Target.PAGE, s, first + timedelta(days=d)): n for (s, d), n in daily.items()},
        _add,
    )
    _batches(
        HourlyCount,
        ("target", "object_id", "hour"),
        {(Target.PAGE, s, hour_of(d, h)): n for (s, d, h), n in hourly.items()},
        _add,
    )
    totals, sources = {}, {}
    shape = sum(DAY_SHAPE)
    for day, n in per_day.items():
        spread = [n * weight // shape for weight in DAY_SHAPE]
        spread[12] += n - sum(spread)
        for hour, count in enumerate(spread):
            if count:
                totals[(Target.PAGE, hour_of(day, hour))] = count
        left = n
        for domain, source, share in DOMAINS:
            count = n * share // 100
            sources[(first + timedelta(days=day), source, domain)] = count
            left -= count
        sources[(first + timedelta(days=day), 1, "")] = left // 4
        sources[(first + timedelta(days=day), 0, "")] = left - left // 4
    _batches(TotalCount, ("target", "hour"), totals, _add)
    _batches(SourceCount, ("day", "source", "domain"), sources, _add)
    return {"daily": len(daily), "hourly": len(hourly), "total": len(totals), "sources": len(sources)}


def _batches(model, key: tuple, counts: dict, add) -> None:
    from collections import Counter

    from django.db import transaction

    items = list(counts.items())
    for start in range(0, len(items), 50_000):
        with transaction.atomic():
            add(model, key, Counter(dict(items[start : start + 50_000])))


def _report_dashboard(database: str, figures: dict) -> None:
    rows = ", ".join(f"{name} {count:,}" for name, count in figures["rows"].items())
    print(
        f"\ndashboard on {database}: {figures['views']:,} views of {figures['stories']:,} stories over "
        f"{figures['days']} days (rows: {rows}; seeded in {figures['seeded_s']} s)"
    )
    for name, p95 in figures["queries_p95_ms"].items():
        print(f"  {name:<16} p95 {p95:>8.1f} ms (over the 1, 7, 30 and 90-day periods)")
    for name, p95 in figures["dashboard_by_period_p95_ms"].items():
        print(f"  the whole dashboard, {name:<8} p95 {p95:>8.1f} ms")
    print(f"  all dashboards: p50 {figures['dashboard_p50_ms']} ms, p95 {figures['dashboard_p95_ms']} ms")


if __name__ == "__main__":
    main()
