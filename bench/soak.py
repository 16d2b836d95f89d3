"""A soak test: the whole newsroom under a mixed load over loopback for minutes, then a count of what it kept.

    python -m bench.soak [--minutes 5] [--articles 200] [--readers 6] [--members 3] [--subscribers 2]
                         [--publish-every 5] [--database-url postgres://…]

Serves a synthetic newsroom (`masthead corpus`, kept under --corpus-dir) with `masthead serve` (two web
processes) and `masthead worker`, email going to Postfix's smtp-sink, and runs beside it, from this process's
threads:

- readers: the front page, sections, articles, the news feed and tags, each page followed by its view beacon;
- members (signed in): open an article's discussion and post a comment;
- subscribers: sign up to a newsletter with a new address each time;
- an editor: signs in to the admin and publishes a new article every `--publish-every` seconds.

Each simulated client comes from its own address (`X-Forwarded-For`, the site being behind a proxy), as real
ones do, so the per-client limits apply as they would. It prints requests served, answers by status (429s are
the limits working, counted apart), p50/p99 latency per kind, and then checks the database: every subscription,
comment and publication the site accepted is there exactly once. The last line is one JSON object with
`requests`, `errors_5xx`, `lost_writes` and `duplicated_writes`.
"""

import argparse
import json
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

import requests

from bench.pages import _corpus, _free_port, _start, _stop, _wait, bench_environment

EDITOR, PASSWORD = "soak-editor", "soak-editor-password-1"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36"
SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from allauth.account.models import EmailAddress
from masthead.members.models import User
from masthead.newsroom.models import ArticlePage, NewsroomImage, SectionPage
from masthead.newsletters.models import Newsletter

editor, _ = User.objects.get_or_create(username="%(editor)s", defaults={"email": "soak-editor@example.org"})
editor.set_password("%(password)s")
editor.save()
editor.groups.add(Group.objects.get(name="Editors"))
sessions = []
for n in range(%(members)d):
    email = f"soak-member-{n}@example.org"
    user, _ = User.objects.get_or_create(username=f"soak-member-{n}", defaults={"email": email})
    user.display_name = f"Soak member {n}"
    user.save()
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    sessions.append(session.session_key)
articles = list(ArticlePage.objects.live().order_by("-first_published_at")[:300])
newsletter = Newsletter.objects.order_by("id").first()
print(json.dumps({
    "sessions": sessions,
    "articles": [[article.pk, article.get_url()] for article in articles],
    "sections": [section.get_url() for section in SectionPage.objects.live()],
    "section_id": SectionPage.objects.live().first().pk,
    "image_id": NewsroomImage.objects.order_by("id").first().pk,
    "newsletter": newsletter.slug if newsletter else "",
}))
"""


class Load:
    """What the clients did: every answer's kind, status and time, and what the site said it accepted."""

    def __init__(self, base: str, deadline: float):
        self.base, self.deadline = base, deadline
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()
        self.by_kind: dict[str, Counter] = defaultdict(Counter)
        self.accepted: dict[str, list[str]] = defaultdict(list)
        self.failures: list[str] = []

    def request(self, session, kind: str, method: str, path: str, **kwargs):
        started = time.perf_counter()
        try:
            response = session.request(method, self.base + path, timeout=60, allow_redirects=False, **kwargs)
            status = response.status_code
        except requests.RequestException as error:
            response, status = None, 599  # no answer at all: counted with the server errors
            self.note_failure(f"{kind} {method} {path}: {type(error).__name__}")
        with self.lock:
            self.times[kind].append((time.perf_counter() - started) * 1000)
            self.statuses[status] += 1
            self.by_kind[kind][status] += 1
        if status >= 500:
            self.note_failure(f"{kind} {method} {path}: {status}")
        return response

    def note_failure(self, text: str) -> None:
        with self.lock:
            if len(self.failures) < 20:
                self.failures.append(text)

    def accept(self, kind: str, key: str) -> None:
        with self.lock:
            self.accepted[kind].append(key)

    def running(self) -> bool:
        return time.monotonic() < self.deadline

    def pause(self, seconds: float) -> None:
        """Wait like a person would, but never past the end of the run."""
        time.sleep(max(0.0, min(seconds, self.deadline - time.monotonic())))


def client(address: str, **headers) -> requests.Session:
    session = requests.Session()
    session.headers.update({"User-Agent": BROWSER, "X-Forwarded-For": address, **headers})
    return session


def new_address(rng: random.Random) -> str:
    return f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"


def reader(load: Load, data: dict, seed: int) -> None:
    rng = random.Random(seed)
    pages = ["/", "/news/", *data["sections"], *(path for _, path in data["articles"][:100])]
    while load.running():
        session = client(new_address(rng))
        for _ in range(rng.randint(2, 6)):
            path = rng.choice(pages)
            response = load.request(session, "reader page", "GET", path)
            if response is not None and response.status_code == 200:
                found = re.search(rb'data-count="([a-z]+:\d+)"', response.content)
                if found:
                    load.request(
                        session,
                        "reader beacon",
                        "POST",
                        "/_view/",
                        data=json.dumps({"c": found.group(1).decode(), "r": ""}),
                        headers={"Content-Type": "application/json", "Origin": load.base, "Referer": load.base + path},
                    )
            load.pause(rng.uniform(0.05, 0.3))


def member(load: Load, data: dict, session_key: str, seed: int) -> None:
    rng = random.Random(seed)
    session = client(new_address(rng))
    session.cookies.set("sessionid", session_key)
    while load.running():
        article_id, _ = rng.choice(data["articles"][:50])
        page = load.request(session, "member discussion", "GET", f"/comments/{article_id}/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content) if page is not None else None
        if token is None:
            load.pause(1)
            continue
        body = f"Soak comment {uuid.uuid4()}: the council should publish the budget."
        response = load.request(
            session,
            "member comment",
            "POST",
            f"/comments/{article_id}/post/",
            data={"csrfmiddlewaretoken": token.group(1).decode(), "body": body},
            headers={"Referer": f"{load.base}/comments/{article_id}/", "Origin": load.base},
        )
        if response is not None and response.status_code in (200, 303):
            load.accept("comments", body)
        elif response is not None and response.status_code == 429:
            load.pause(min(30, int(response.headers.get("Retry-After", "5"))))
        load.pause(rng.uniform(1, 4))


def subscriber(load: Load, data: dict, seed: int) -> None:
    rng = random.Random(seed)
    while load.running():
        email = f"soak-{uuid.uuid4().hex[:16]}@example.org"
        session = client(new_address(rng), Origin=load.base, Accept="application/json")
        response = load.request(
            session,
            "subscriber sign-up",
            "POST",
            "/newsletters/subscribe/",
            data={"email": email, "newsletters": data["newsletter"]},
        )
        if response is not None and response.status_code == 200:
            load.accept("subscriptions", email)
        load.pause(rng.uniform(0.5, 2))


def editor(load: Load, data: dict, every: float, seed: int) -> None:
    from bs4 import BeautifulSoup

    rng = random.Random(seed)
    session = client(new_address(rng))
    form = load.request(session, "editor admin", "GET", "/admin/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', form.content).group(1).decode()
    signed_in = load.request(
        session,
        "editor admin",
        "POST",
        "/admin/login/",
        data={"csrfmiddlewaretoken": token, "username": EDITOR, "password": PASSWORD},
        headers={"Referer": load.base + "/admin/login/"},
    )
    if signed_in is None or signed_in.status_code != 302:
        load.note_failure(f"editor could not sign in: {getattr(signed_in, 'status_code', None)}")
        return
    while load.running():
        started = time.monotonic()
        new = load.request(session, "editor admin", "GET", "/admin/new-article/")
        if new is not None and new.status_code == 302:
            new = load.request(session, "editor admin", "GET", new.headers["Location"].replace(load.base, ""))
        if new is None or new.status_code != 200:
            load.pause(every)
            continue
        soup = BeautifulSoup(new.content, "html.parser")
        page_form = soup.select_one("form#page-edit-form") or soup.select_one("form[method=post]")
        fields = {}
        for field in page_form.select("input[name], textarea[name], select[name]"):
            if field.get("type") in ("checkbox", "radio", "submit", "file") and not field.has_attr("checked"):
                continue
            if field.name == "select":
                chosen = field.select_one("option[selected]")
                fields[field["name"]] = chosen.get("value", "") if chosen else ""
            elif field.name == "textarea":
                fields[field["name"]] = field.text
            else:
                fields[field["name"]] = field.get("value", "")
        title = f"Soak story {uuid.uuid4().hex[:12]}"
        fields.update(
            {
                "title": title,
                "slug": "",
                "standfirst": "A story published by the soak test's editor.",
                "section": str(data["section_id"]),
                "featured_image": str(data["image_id"]),
                "featured_image_alt": "A photograph for the soak test",
                "publish_anyway": "Published by the soak test",
                "body-count": "0",  # the empty text, as the editor's script sends it
                "action-publish": "action-publish",
            }
        )
        action = page_form.get("action") or new.url.replace(load.base, "")
        response = load.request(session, "editor publish", "POST", action, data=fields, headers={"Referer": new.url})
        if response is not None and response.status_code == 302:
            load.accept("publications", title)
        elif response is not None:
            errors = BeautifulSoup(response.content, "html.parser").select(".error-message, .help-critical")
            load.note_failure(
                f"publish refused ({response.status_code}): {[e.get_text(' ', strip=True) for e in errors][:3]}"
            )
        load.pause(every - (time.monotonic() - started))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--articles", type=int, default=200, help="stories of the served newsroom")
    parser.add_argument("--corpus-dir", type=Path, default=Path("/var/tmp/masthead-bench"))
    parser.add_argument("--readers", type=int, default=6)
    parser.add_argument("--members", type=int, default=3)
    parser.add_argument("--subscribers", type=int, default=2)
    parser.add_argument("--publish-every", type=float, default=5, help="seconds between the editor's articles")
    parser.add_argument("--database-url", default="", help="PostgreSQL to run on (emptied first); default SQLite")
    args = parser.parse_args()

    env = bench_environment(DJANGO_SETTINGS_MODULE="bench.settings", MASTHEAD_BEHIND_PROXY="1", MASTHEAD_NARRATION="0")
    env.pop("DATABASE_URL", None)
    masthead = str(Path(sys.executable).parent / "masthead")
    corpus = _corpus(masthead, args.articles, args.corpus_dir, env)
    var = Path(tempfile.mkdtemp(prefix="masthead-bench-soak-"))
    sink_port, port = _free_port(), _free_port()
    env.update(
        MASTHEAD_VAR_DIR=str(var),
        MASTHEAD_STATIC_ROOT=str(corpus / "static"),
        MASTHEAD_MEDIA_ROOT=str(corpus / "media"),
        MASTHEAD_PORT=str(port),
        MASTHEAD_WEB_WORKERS="2",
        MASTHEAD_BASE_URL=f"http://127.0.0.1:{port}",
        EMAIL_URL=f"smtp://127.0.0.1:{sink_port}",
    )
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        subprocess.run([masthead, "flush", "--no-input"], env=env, check=False, capture_output=True)  # noqa: S603
        _load_into_postgres(masthead, corpus, env)
    else:
        with sqlite3.connect(corpus / "masthead.sqlite3") as source, sqlite3.connect(var / "masthead.sqlite3") as copy:
            source.backup(copy)  # the corpus stays as it was
    setup = SETUP % {"editor": EDITOR, "password": PASSWORD, "members": args.members}
    out = subprocess.run([masthead, "shell", "-c", setup], env=env, check=True, capture_output=True, text=True).stdout  # noqa: S603
    data = json.loads(out.strip().splitlines()[-1])

    sink = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    processes = [subprocess.Popen([sink, "-u", "nobody", f"127.0.0.1:{sink_port}", "100"])]  # noqa: S603
    processes.append(_start([masthead, "serve"], env, log=var / "serve.log"))
    processes.append(_start([masthead, "worker"], env, log=var / "worker.log"))
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + "/healthz")
        print(
            f"Soaking {base} for {args.minutes:g} minutes: {args.readers} readers, {args.members} members, "
            f"{args.subscribers} subscribers, an editor publishing every {args.publish_every:g} s…",
            flush=True,
        )
        load = Load(base, time.monotonic() + args.minutes * 60)
        threads = [threading.Thread(target=reader, args=(load, data, n)) for n in range(args.readers)]
        threads += [
            threading.Thread(target=member, args=(load, data, key, 100 + n)) for n, key in enumerate(data["sessions"])
        ]
        threads += [threading.Thread(target=subscriber, args=(load, data, 200 + n)) for n in range(args.subscribers)]
        threads.append(threading.Thread(target=editor, args=(load, data, args.publish_every, 300)))
        started = time.monotonic()
        for thread in threads:
            thread.start()
        _progress(load, started, args.minutes * 60)
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        time.sleep(3)  # the web processes' last writes of views
    finally:
        for process in reversed(processes[1:]):
            _stop(process)
        processes[0].kill()  # smtp-sink
    kept = _kept(env, masthead, load.accepted)
    _report(load, kept, elapsed)


def _load_into_postgres(masthead: str, corpus: Path, env: dict) -> None:
    """The corpus's content into the PostgreSQL database (migrated, then loaded from a dump of the SQLite one)."""
    subprocess.run([masthead, "migrate", "--no-input"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    dump = corpus / "soak-dump.json"
    sqlite_env = {**env, "MASTHEAD_VAR_DIR": str(corpus)}
    sqlite_env.pop("DATABASE_URL")
    if not dump.exists():
        command = [
            masthead,
            "dumpdata",
            "--natural-foreign",
            "--exclude=contenttypes",
            "--exclude=auth.permission",
            "--exclude=sessions",
            "--exclude=django_tasks_db",
            "-o",
            str(dump),
        ]
        subprocess.run(command, env=sqlite_env, check=True)  # noqa: S603
    subprocess.run([masthead, "loaddata", str(dump)], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def _progress(load: Load, started: float, seconds: float) -> None:
    width = 30
    while load.running():
        done = min(1.0, (time.monotonic() - started) / seconds)
        served = sum(load.statuses.values())
        server_errors = sum(count for status, count in load.statuses.items() if status >= 500)
        bar = "#" * int(done * width)
        sys.stderr.write(f"\r[{bar:<{width}}] {done:4.0%} {served:,} requests, {server_errors} 5xx")
        sys.stderr.flush()
        time.sleep(1)
    sys.stderr.write("\n")


KEPT = """
import json, sys
from masthead.comments.models import Comment
from masthead.newsletters.models import Subscriber
from wagtail.models import Page
accepted = json.load(sys.stdin)
counts = {
    "subscriptions": [
        Subscriber.objects.filter(email=e, subscriptions__isnull=False).distinct().count()
        for e in accepted.get("subscriptions", [])
    ],
    "comments": [Comment.objects.filter(body=b).count() for b in accepted.get("comments", [])],
    "publications": [Page.objects.filter(title=t, live=True).count() for t in accepted.get("publications", [])],
}
print(json.dumps(counts))
"""


def _kept(env: dict, masthead: str, accepted: dict) -> dict:
    result = subprocess.run(  # noqa: S603
        [masthead, "shell", "-c", KEPT], env=env, input=json.dumps(accepted), capture_output=True, text=True, check=True
    )
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        kind: {
            "accepted": len(found),
            "lost": sum(1 for n in found if n == 0),
            "duplicated": sum(1 for n in found if n > 1),
        }
        for kind, found in counts.items()
    }


def _report(load: Load, kept: dict, elapsed: float) -> None:
    requests_served = sum(load.statuses.values())
    errors_5xx = sum(count for status, count in load.statuses.items() if status >= 500)
    print(f"\n{requests_served:,} requests in {elapsed:.0f} s ({requests_served / elapsed:.0f}/s); answers by status:")
    for status, count in sorted(load.statuses.items()):
        note = " (limits working)" if status == 429 else " (no answer)" if status == 599 else ""
        print(f"  {status}: {count:,}{note}")
    print(f"\n{'kind':<20}{'requests':>10}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}  statuses")
    latency = {}
    for kind, times in sorted(load.times.items()):
        ordered = sorted(times)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        latency[kind] = {
            "p50_ms": round(statistics.median(ordered), 1),
            "p99_ms": round(p99, 1),
            "requests": len(times),
        }
        statuses = ", ".join(f"{s}×{n}" for s, n in sorted(load.by_kind[kind].items()))
        print(
            f"{kind:<20}{len(times):>10,}{statistics.median(ordered):>9.1f}{p99:>9.1f}{ordered[-1]:>9.1f}  {statuses}"
        )
    print("\nKept in the database (each accepted write found exactly once?):")
    for kind, figures in kept.items():
        accepted, lost, duplicated = figures["accepted"], figures["lost"], figures["duplicated"]
        print(f"  {kind:<15} accepted {accepted:>6,}  lost {lost}  duplicated {duplicated}")
    for failure in load.failures:
        print(f"  ! {failure}")
    lost = sum(figures["lost"] for figures in kept.values())
    duplicated = sum(figures["duplicated"] for figures in kept.values())
    ok = errors_5xx == 0 and lost == 0 and duplicated == 0 and all(f["accepted"] for f in kept.values())
    verdict = "passed" if ok else "FAILED"
    print(f"\nresult: {verdict}: {errors_5xx} server errors, {lost} lost and {duplicated} duplicated writes")
    print(
        json.dumps(
            {
                "benchmark": "soak",
                "seconds": round(elapsed, 1),
                "requests": requests_served,
                "requests_per_s": round(requests_served / elapsed, 1),
                "errors_5xx": errors_5xx,
                "statuses": {str(status): count for status, count in sorted(load.statuses.items())},
                "lost_writes": lost,
                "duplicated_writes": duplicated,
                "kept": kept,
                "latency": latency,
                "passed": ok,
            }
        )
    )


if __name__ == "__main__":
    main()
