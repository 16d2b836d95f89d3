"""`masthead backup` and `masthead restore`: a round trip brings back every page, revision, subscriber, comment,
picture and narration; archives that are not ours, or would write outside the media folder, change nothing;
the archive is its owner's alone; a backup taken while the site writes is one consistent moment."""

import io
import json
import shutil
import tarfile
import threading
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone
from wagtail.models import Page, Revision

from masthead.comments.models import Comment
from masthead.comments.tests.factories import comment, member
from masthead.narration.models import Narration
from masthead.newsletters.models import Newsletter, Subscriber, Subscription
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory
from masthead.newsroom.models import ArticlePage, NewsroomImage
from masthead.newsroom.tests.factories import ArticlePageFactory, AuthorFactory, ImageFactory
from masthead.operations.backup import DUMPS

AUDIO = bytes(range(256)) * 40  # stands for an MP3: the bytes must come back exactly
TRANSACTIONAL = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    """A media folder and var folder of the test's own: the restore replaces what is in them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def newsroom(home) -> ArticlePage:
    """An article with a picture, two draft revisions around a published one, a confirmed subscriber, a
    comment and the article's narration (its MP3 written as the worker would, without the voice)."""
    article = ArticlePageFactory(live=False, title="Council weighs the budget", authors=[AuthorFactory()])
    article.save_revision()
    article.title, article.featured_image = "Council approves the budget", ImageFactory(title="The council chamber")
    article.save_revision().publish()
    article.refresh_from_db()
    article.standfirst = "An unpublished change to the standfirst."
    article.save_revision()
    SubscriptionFactory(
        subscriber__email="reader@example.org",
        newsletter=NewsletterFactory(slug="morning"),
        status=Subscription.Status.ACTIVE,
        confirmed_at=timezone.now(),
    )
    comment(article, member("Olena"), "Well reported, thank you.")
    narration = Narration.objects.create(article=article, status=Narration.Status.READY, text_hash="a" * 64)
    narration.audio.save("council-budget.mp3", ContentFile(AUDIO))
    return article


def state() -> dict:
    """What the newsroom holds, in comparable values."""
    return {
        "pages": list(
            Page.objects.order_by("pk").values(
                "pk", "path", "url_path", "title", "slug", "live", "live_revision", "latest_revision", "content_type"
            )
        ),
        "articles": [
            (a.pk, a.title, a.standfirst, a.featured_image_id, json.dumps(list(a.body.raw_data)))
            for a in ArticlePage.objects.order_by("pk")
        ],
        "revisions": list(Revision.objects.order_by("pk").values("pk", "object_id", "content", "created_at")),
        "subscribers": list(Subscriber.objects.order_by("pk").values("pk", "email", "created_at")),
        "subscriptions": list(
            Subscription.objects.order_by("pk").values("pk", "subscriber", "newsletter", "status", "confirmed_at")
        ),
        "comments": list(Comment.objects.order_by("pk").values("pk", "article", "member", "body", "status")),
        "narrations": list(Narration.objects.order_by("pk").values("pk", "article", "audio", "status")),
        "images": list(NewsroomImage.objects.order_by("pk").values("pk", "title", "file", "file_hash")),
    }


def media_files(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()}


@TRANSACTIONAL
def test_a_restored_backup_brings_back_every_page_revision_subscriber_comment_and_file(home, media, tmp_path):
    article = newsroom(home)
    before, files = state(), media_files(media)
    assert len(before["revisions"]) >= 3 and before["narrations"] and before["subscriptions"][0]["status"] == "active"
    assert f"narration/{Path(article.narration.audio.name).name}" in files
    assert any(name.startswith("original_images/") for name in files)

    archive = tmp_path / "site.tar.gz"
    call_command("backup", output=archive, stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert {"manifest.json", DUMPS[connection.vendor]} | {f"media/{name}" for name in files} == names
    assert manifest["format"] == 1 and manifest["database"]["engine"] == connection.vendor
    assert manifest["counts"] == {
        "pages": len(before["pages"]),
        "revisions": len(before["revisions"]),
        "subscribers": 1,
        "comments": 1,
        "narrations": 1,
    }
    assert manifest["migrations"]["newsroom"] and manifest["media_files"] == len(files)

    # Everything is lost or changed: the article (with its revisions, comment and narration), the subscriber,
    # the home page's title, the media folder; someone subscribes who was not there.
    article.delete()
    Subscriber.objects.all().delete()
    Page.objects.filter(pk=home.pk).update(title="Vandalised")
    SubscriptionFactory(subscriber__email="later@example.org", newsletter=Newsletter.objects.get(slug="morning"))
    shutil.rmtree(media)
    assert state() != before

    out = io.StringIO()
    call_command("restore", str(archive), yes=True, stdout=out)

    assert state() == before
    assert media_files(media) == files
    assert (media / Narration.objects.get().audio.name).read_bytes() == AUDIO
    report = out.getvalue()
    assert f"{len(files)} media files" in report and "differs" not in report
    revisions = len(before["revisions"])
    assert f"{'revisions':12} {revisions:>10} {revisions:>10}" in report


@TRANSACTIONAL
def test_the_archive_is_its_owners_alone_and_old_ones_are_pruned(media, settings):
    backups = settings.VAR_DIR / "backups"
    backups.mkdir(parents=True)
    old = [backups / f"masthead-2020010{n}T031500Z.tar.gz" for n in range(1, 4)]
    for path in old:
        path.write_bytes(b"old")
    unrelated = backups / "notes.txt"
    unrelated.write_text("kept")
    (media / "narration").mkdir()
    (media / "narration" / "a.mp3").write_bytes(AUDIO)

    out = io.StringIO()
    call_command("backup", keep=2, stdout=out)

    written = sorted(backups.glob("masthead-2*.tar.gz"))
    assert len(written) == 2 and written[0] == old[-1]
    newest = written[-1]
    assert newest.stat().st_mode & 0o777 == 0o600
    assert sorted(path.name for path in backups.iterdir()) == sorted([old[-1].name, newest.name, "notes.txt"])
    assert f"Backup written: {newest}" in out.getvalue()
    with tarfile.open(newest) as tar:
        assert tar.extractfile("media/narration/a.mp3").read() == AUDIO


def archive(path: Path, members: dict[str, bytes], *, links: dict[str, str] | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, body in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return path


def manifest(**changes) -> bytes:
    return json.dumps({"format": 1, "created_at": "2025-01-01T00:00:00+00:00", **changes}).encode()


def this_engine() -> dict:
    return {"database": {"engine": connection.vendor}, "migrations": {}}


def truncated(path: Path) -> Path:
    call_command("backup", output=path, stdout=io.StringIO())
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


REFUSED = {
    "a truncated backup": (truncated, "not a Masthead backup"),
    "not an archive": (lambda path: path.write_bytes(b"just some text\n") or path, "not a Masthead backup"),
    "a gzip of no tar": (lambda path: path.write_bytes(b"\x1f\x8b\x08\x00broken") or path, "not a Masthead backup"),
    "no manifest": (lambda path: archive(path, {"media/a.txt": b"x"}), "no manifest.json"),
    "a path that climbs out": (
        lambda path: archive(path, {"manifest.json": manifest(**this_engine()), "media/../../evil": b"x"}),
        "outside",
    ),
    "../ at the top": (
        lambda path: archive(path, {"manifest.json": manifest(**this_engine()), "../evil": b"x"}),
        "outside",
    ),
    "an absolute path": (
        lambda path: archive(path, {"manifest.json": manifest(**this_engine()), "/tmp/evil": b"x"}),
        "outside",
    ),
    "a symbolic link": (
        lambda path: archive(path, {"manifest.json": manifest(**this_engine())}, links={"media/x": "/etc/passwd"}),
        "a link or a device",
    ),
    "another engine": (
        lambda path: archive(
            path,
            {
                "manifest.json": manifest(
                    database={"engine": "postgresql" if connection.vendor == "sqlite" else "sqlite"}
                ),
                "database.sqlite3": b"",
                "database.pgdump": b"",
            },
        ),
        "this site uses",
    ),
    "a newer format": (lambda path: archive(path, {"manifest.json": manifest(format=2)}), "format 2"),
    "a newer Masthead's migrations": (
        lambda path: archive(
            path,
            {
                "manifest.json": manifest(
                    database={"engine": connection.vendor}, migrations={"newsroom": "9999_future"}
                ),
                DUMPS[connection.vendor]: b"",
            },
        ),
        "newer Masthead",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", REFUSED)
def test_restore_refuses_what_is_not_a_backup_and_changes_nothing(case, media, tmp_path):
    SubscriptionFactory(subscriber__email="reader@example.org")
    (media / "narration").mkdir()
    (media / "narration" / "a.mp3").write_bytes(AUDIO)
    before, files = state(), media_files(media)
    make, message = REFUSED[case]
    path = make(tmp_path / "upload.tar.gz")

    with pytest.raises(CommandError, match=message):
        call_command("restore", str(path), yes=True, stdout=io.StringIO())

    assert state() == before and media_files(media) == files
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()


@TRANSACTIONAL
def test_restore_asks_first_and_no_leaves_everything(media, tmp_path, monkeypatch):
    path = tmp_path / "site.tar.gz"
    call_command("backup", output=path, stdout=io.StringIO())
    SubscriptionFactory(subscriber__email="after-the-backup@example.org")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(path), stdout=io.StringIO())

    assert Subscriber.objects.filter(email="after-the-backup@example.org").exists()


@TRANSACTIONAL
def test_a_backup_taken_while_the_site_writes_is_one_moment(media, tmp_path):
    """A writer adds subscribers, each with its subscription in one transaction, all through the backup: the
    archive holds whole pairs only, and the manifest counts what its database holds."""
    newsletter_id = NewsletterFactory().pk
    written, stop, failures = [0], threading.Event(), []

    def write():
        try:
            while not stop.is_set():
                with transaction.atomic():
                    subscriber = Subscriber.objects.create(email=f"writer{written[0]}@example.org")
                    Subscription.objects.create(
                        subscriber=subscriber, newsletter_id=newsletter_id, requested_at=timezone.now()
                    )
                written[0] += 1
        except Exception as error:  # noqa: BLE001 (reported by the test)
            failures.append(error)
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while written[0] < 20 and writer.is_alive():
            threading.Event().wait(0.01)
        at_start = written[0]
        path = tmp_path / "busy.tar.gz"
        call_command("backup", output=path, stdout=io.StringIO())
        threading.Event().wait(0.2)
    finally:
        stop.set()
        writer.join()
    assert not failures and at_start >= 20 and written[0] > at_start

    call_command("restore", str(path), yes=True, stdout=io.StringIO())

    with tarfile.open(path) as tar:
        counted = json.loads(tar.extractfile("manifest.json").read())["counts"]["subscribers"]
    assert at_start <= counted == Subscriber.objects.count() == Subscription.objects.count() < written[0]
    assert not Subscriber.objects.filter(subscriptions=None).exists()
