"""One newsletter issue sent to many confirmed subscribers by the real task workers, through a local SMTP sink.

    python -m bench.newsletter [--subscribers 100000] [--senders 2] [--ceiling-messages 10000]

Makes a fresh newsroom in a temporary folder (`masthead setup`, then the demo), subscribes `--subscribers`
confirmed addresses to one newsletter, and starts Postfix's `smtp-sink` (Debian's postfix package), which
appends every mail transaction to a file in /dev/shm. Then:

  (a) the sink's ceiling: a plain smtplib loop over one connection sending the issue's own first message
      `--ceiling-messages` times, to a second smtp-sink with the same options;
  (b) `--senders` `masthead worker` processes, started and ready before the clock starts; the issue (the demo's
      lead article, sent whole) is sent as the editor's Send button sends it, and the clock stops when the
      issue is marked sent: rendering it, making its deliveries and sending them are all inside.

Prints emails per second (from Send to sent, and the sending alone: first delivery to last), the ceiling, the
workers' peak resident memory, and the duplicates and missing counted from the sink's record of recipients
(every subscriber exactly once). The last line is one JSON object. SQLite by default, as `make run` has it;
`--database-url postgres://…/db` runs it on PostgreSQL (the database is emptied first); the environment's
MASTHEAD_NEWSLETTER_SYNCHRONOUS_COMMIT reaches the workers.
"""

import argparse
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from bench.pages import _free_port, bench_environment, new_database

SHM = Path("/dev/shm")  # the sink's record of every message: gigabytes at 100,000, kept off the disk


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--senders", type=int, default=2, help="worker processes (and sending tasks)")
    parser.add_argument("--ceiling-messages", type=int, default=10_000)
    parser.add_argument("--database-url", default="", help="default: SQLite in the temporary folder")
    args = parser.parse_args()
    sink = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
    if not Path(sink).exists():
        sys.exit("bench.newsletter needs Postfix's smtp-sink (apt-get install postfix)")

    var = Path(tempfile.mkdtemp(prefix="masthead-bench-newsletter-"))
    dumps = Path(tempfile.mkdtemp(prefix="masthead-sink-", dir=SHM if SHM.is_dir() else None))
    dumps.chmod(0o777)  # smtp-sink drops to "nobody" after opening its port
    port, ceiling_port = _free_port(), _free_port()
    env = bench_environment(
        MASTHEAD_VAR_DIR=str(var),
        EMAIL_URL=f"smtp://127.0.0.1:{port}",
        MASTHEAD_NEWSLETTER_SENDERS=str(args.senders),
        MASTHEAD_NARRATION="0",  # the demo's articles would be narrated by the same workers
        DATABASE_URL=args.database_url or f"sqlite:///{var}/masthead.sqlite3",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    processes: list[subprocess.Popen] = []
    try:
        if args.database_url:
            _database_emptied(env)
        masthead = [sys.executable, "-m", "masthead.cli"]
        _log("Setting up a newsroom with the demo stories…")
        if not args.database_url:
            new_database(var / "masthead.sqlite3")
        subprocess.run([*masthead, "setup"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        subprocess.run([*masthead, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603
        os.environ.update(env)
        os.environ["DJANGO_SETTINGS_MODULE"] = "masthead.settings"
        import django

        django.setup()
        from django.conf import settings

        synchronous_commit = settings.MASTHEAD_NEWSLETTER_SYNCHRONOUS_COMMIT
        issue = _issue_with_subscribers(args.subscribers)
        sample = _sample_message(issue)

        for where, at in (("ceiling", ceiling_port), ("sent", port)):
            sink_command = [sink, "-u", "nobody", "-D", str(dumps / where), f"127.0.0.1:{at}", "256"]
            processes.append(subprocess.Popen(sink_command))  # noqa: S603
            _wait_port(at)
        ceiling = _ceiling(ceiling_port, sample, args.ceiling_messages)
        _log(f"Sink ceiling (smtplib, one connection, {len(sample):,}-byte message): {ceiling:,.0f} emails/s")

        workers = []
        for number in range(args.senders):
            log = var / f"worker-{number}.log"
            with open(log, "wb") as output:
                worker = subprocess.Popen([*masthead, "worker"], env=env, stdout=output, stderr=output)  # noqa: S603
            processes.append(worker)
            workers.append((worker, log))
        for _, log in workers:
            _wait_for(lambda log=log: "Task worker started" in log.read_text(), what=f"{log.name} to start")

        figures = _send(issue, args.subscribers, workers)
        rss = [_peak_rss_mb(worker.pid) for worker, _ in workers]
        received = _recipients(dumps / "sent")
    finally:
        for process in reversed(processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
        shutil.rmtree(dumps, ignore_errors=True)
        shutil.rmtree(var, ignore_errors=True)

    expected = {_address(number) for number in range(args.subscribers)}
    duplicates = sum(count - 1 for count in received.values() if count > 1)
    missing = len(expected - set(received))
    unexpected = len(set(received) - expected)
    result = {
        "subscribers": args.subscribers,
        "senders": args.senders,
        "database": "postgresql" if args.database_url else "sqlite",
        "synchronous_commit": synchronous_commit,
        "message_bytes": len(sample),
        **figures,
        "sink_ceiling_per_s": round(ceiling),
        "vs_ceiling": round(figures["emails_per_s"] / ceiling, 2),
        "duplicates": duplicates,
        "missing": missing,
        "unexpected": unexpected,
        "peak_rss_mb": max(rss),
        "peak_rss_mb_each": rss,
    }
    setup = f"{args.senders} worker processes, {result['database']}"
    if args.database_url and not synchronous_commit:
        setup += ", MASTHEAD_NEWSLETTER_SYNCHRONOUS_COMMIT=0"
    print(f"subscribers            {args.subscribers:>10,}   ({setup})")
    print(f"message                {len(sample):>10,} bytes (the demo's lead article, whole, HTML + text)")
    print(f"emails/s, Send→sent    {figures['emails_per_s']:>10,.0f}   ({figures['total_s']:.1f} s in all)")
    print(f"emails/s, sending      {figures['sending_per_s']:>10,.0f}   (first delivery to last)")
    print(f"sink ceiling           {ceiling:>10,.0f}   (plain smtplib loop, one connection, same sink)")
    print(f"vs ceiling             {result['vs_ceiling']:>10.2f}")
    print(f"duplicates / missing   {duplicates:>5} / {missing}   ({unexpected} unexpected recipients)")
    print(f"peak RSS per worker    {max(rss):>10.0f} MB  {rss}")
    print(json.dumps(result))


def _address(number: int) -> str:
    return f"reader{number:07}@example.org"


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _database_emptied(env: dict) -> None:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute("DROP SCHEMA public CASCADE")
        connection.execute("CREATE SCHEMA public")


def _issue_with_subscribers(count: int):
    """The demo's newest article as a one-article issue of a newsletter with `count` confirmed subscribers."""
    from django.utils import timezone

    from masthead.newsletters.models import Issue, Newsletter, Subscriber, Subscription
    from masthead.newsroom.models import ArticlePage

    newsletter = Newsletter.objects.create(name="Bench Letter", slug="bench-letter", sender_email="news@example.org")
    now = timezone.now()
    batch = 5000
    for start in range(0, count, batch):
        numbers = range(start, min(start + batch, count))
        made = Subscriber.objects.bulk_create([Subscriber(email=_address(number)) for number in numbers])
        Subscription.objects.bulk_create(
            Subscription(
                subscriber_id=subscriber.pk,
                newsletter=newsletter,
                status=Subscription.Status.ACTIVE,
                requested_at=now,
                confirmed_at=now,
            )
            for subscriber in made
        )
        _log(f"\rSubscribers: {min(start + batch, count):,}/{count:,}")
    article = ArticlePage.objects.live().order_by("-first_published_at").first()
    return Issue.objects.create(newsletter=newsletter, kind=Issue.Kind.ARTICLE, article=article)


def _sample_message(issue) -> bytes:
    """The first subscriber's message, as the workers will make it."""
    from masthead.newsletters.models import Subscriber
    from masthead.newsletters.rendering import PreparedIssue, issue_render

    issue.rendered_subject, issue.rendered_html, issue.rendered_text = issue_render(issue)
    subscriber = Subscriber.objects.order_by("pk").first()
    raw = PreparedIssue(issue).raw(delivery_id=0, subscriber_id=subscriber.pk, email=subscriber.email, name="")
    issue.rendered_subject = issue.rendered_html = issue.rendered_text = ""
    return raw


def _ceiling(port: int, message: bytes, count: int) -> float:
    connection = smtplib.SMTP("127.0.0.1", port)
    started = time.perf_counter()
    for number in range(count):
        connection.sendmail("news@example.org", [f"ceiling{number}@example.org"], message)
    elapsed = time.perf_counter() - started
    connection.quit()
    return count / elapsed


def _send(issue, subscribers: int, workers) -> dict:
    from django.db.models import Max, Min

    from masthead.newsletters import sending
    from masthead.newsletters.models import Delivery, Issue

    _log(f"Sending to {subscribers:,} subscribers…")
    started = time.perf_counter()
    sending.issue_send(issue=issue)
    last = -1
    while True:
        status = Issue.objects.values_list("status", flat=True).get(pk=issue.pk)
        if status in (Issue.Status.SENT, Issue.Status.CANCELLED):
            break
        if any(worker.poll() is not None for worker, _ in workers):
            sys.exit("a worker stopped: " + " ".join(log.read_text()[-2000:] for _, log in workers))
        done = Delivery.objects.filter(issue=issue, status=Delivery.Status.SENT).count()
        if done != last:
            _log(f"\r  {done:,}/{subscribers:,} sent")
            last = done
        time.sleep(0.2)
    total = time.perf_counter() - started
    times = Delivery.objects.filter(issue=issue).aggregate(first=Min("sent_at"), last=Max("sent_at"))
    sending_s = (times["last"] - times["first"]).total_seconds() if times["first"] else 0.0
    states = Counter(Delivery.objects.filter(issue=issue).values_list("status", flat=True))
    return {
        "emails_per_s": round(subscribers / total),
        "total_s": round(total, 2),
        "sending_per_s": round(subscribers / sending_s) if sending_s else 0,
        "sending_s": round(sending_s, 2),
        "delivery_states": dict(states),
    }


def _recipients(dump: Path) -> Counter:
    """Each recipient the sink accepted a message for, and how many times (its X-Rcpt-Args lines)."""
    found = subprocess.run(  # noqa: S603 (grep reads the multi-gigabyte record faster than Python)
        ["grep", "-a", "-h", "^X-Rcpt-Args: ", str(dump)], capture_output=True, check=False
    ).stdout
    return Counter(address.decode() for address in re.findall(rb"^X-Rcpt-Args: <([^>]*)>", found, re.MULTILINE))


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _wait_port(port: int, timeout: float = 10) -> None:
    _wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True, what=f"port {port}")


def _wait_for(condition, *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"gave up waiting for {what}")


if __name__ == "__main__":
    main()
