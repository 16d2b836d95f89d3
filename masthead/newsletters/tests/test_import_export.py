"""Subscribers in and out: each platform's export keeps its consent, plain lists are confirmed first, nobody
who left is subscribed again, bad rows are skipped with their reason, and the export is safe to open."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from masthead.newsletters import imports
from masthead.newsletters.models import Notice, Subscription, Suppression
from masthead.newsletters.tests.factories import NewsletterFactory, SubscriptionFactory

Status = Subscription.Status


@pytest.fixture
def letter(db):
    return NewsletterFactory(name="Morning", slug="morning")


def run_import(tmp_path: Path, name: str, text: str, *args: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("newsletters_import", str(path), "--newsletter", "morning", *args, stdout=out)
    return out.getvalue()


def statuses() -> dict[str, str]:
    return dict(Subscription.objects.values_list("subscriber__email", "status"))


def test_a_ghost_export_keeps_who_wanted_email(tmp_path, letter):
    out = run_import(
        tmp_path,
        "members.csv",
        "id,email,name,note,subscribed_to_emails,complimentary_plan,stripe_customer_id,created_at,deleted_at,labels,tiers\n"
        "1,Reader@Example.org,Reader,,true,false,,2024-01-15T10:00:00.000Z,,,\n"
        "2,quiet@example.org,Quiet,,false,false,,2024-01-15T10:00:00.000Z,,,\n"
        "3,gone@example.org,Gone,,true,false,,2024-01-15T10:00:00.000Z,2024-02-01T00:00:00.000Z,,\n",
    )
    assert statuses() == {"reader@example.org": Status.ACTIVE, "quiet@example.org": Status.UNSUBSCRIBED}
    assert "ghost format" in out and "deleted on the other platform" in out and "[####" in out
    assert not Notice.objects.exists(), "they confirmed on the other platform"


def test_a_substack_export(tmp_path, letter):
    run_import(
        tmp_path,
        "substack.csv",
        "email,active_subscription,expiry,email_disabled,prefer_digests,created_at\n"
        "one@example.org,false,,false,false,2023-05-01T00:00:00.000Z\n"
        "two@example.org,false,,true,false,2023-05-01T00:00:00.000Z\n"
        "x1@deletion-request.substack.com,false,,false,false,2023-05-01T00:00:00.000Z\n",
    )
    assert statuses() == {"one@example.org": Status.ACTIVE, "two@example.org": Status.UNSUBSCRIBED}


MAILCHIMP = (
    "Email Address,First Name,Last Name,Company,Position,ZIP Code,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,"
    "CONFIRM_IP,LATITUDE,LONGITUDE,GMTOFF,DSTOFF,TIMEZONE,CC,REGION"
)
ROW = ",A,B,,,,2,2018-02-05 19:28:23,,2018-02-05 19:28:23,,,,,,,,"


def test_mailchimp_exports_by_file_and_column(tmp_path, letter):
    subscribed = MAILCHIMP + ",LAST_CHANGED,LEID,EUID,NOTES,TAGS\n"
    run_import(tmp_path, "subscribed_members_export_1.csv", subscribed + "sub@example.org" + ROW + ",,1,x,,\n")
    unsubscribed = MAILCHIMP + ",UNSUB_TIME,UNSUB_CAMPAIGN_TITLE,UNSUB_CAMPAIGN_ID,UNSUB_REASON,UNSUB_REASON_OTHER"
    unsubscribed += ",LEID,EUID,NOTES,TAGS\n"
    run_import(tmp_path, "members.csv", unsubscribed + "unsub@example.org" + ROW + ",2019-01-01 10:00:00,,,,,1,x,,\n")
    cleaned = MAILCHIMP + ",CLEAN_TIME,CLEAN_CAMPAIGN_TITLE,CLEAN_CAMPAIGN_ID,LEID,EUID,NOTES,TAGS\n"
    out = run_import(
        tmp_path, "cleaned_members_export_1.csv", cleaned + "bounced@example.org" + ROW + ",2019-01-01,,,1,x,,\n"
    )
    assert statuses() == {"sub@example.org": Status.ACTIVE, "unsub@example.org": Status.UNSUBSCRIBED}
    assert "mailchimp format" in out and "1 suppressed (bounced there)" in out
    assert Suppression.objects.get().email == "bounced@example.org"
    again = run_import(
        tmp_path, "subscribed_members_export_2.csv", subscribed + "bounced@example.org" + ROW + ",,1,x,,\n"
    )
    assert "on the suppression list" in again and "bounced@example.org" not in statuses()


def test_a_plain_list_is_confirmed_first_unless_the_newsroom_vouches_for_it(
    tmp_path, letter, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run_import(tmp_path, "list.csv", "email\nplain@example.org\n")
    assert statuses() == {"plain@example.org": Status.PENDING}
    assert [m["to"] for m in smtp_server.messages] == [["plain@example.org"]]
    run_import(tmp_path, "vouched.csv", "email\nvouched@example.org\n", "--confirmed")
    assert statuses()["vouched@example.org"] == Status.ACTIVE


def test_nobody_who_left_here_is_subscribed_again_and_the_list_can_unsubscribe(tmp_path, letter):
    SubscriptionFactory(subscriber__email="left@example.org", newsletter=letter, status=Status.UNSUBSCRIBED)
    SubscriptionFactory(subscriber__email="stays@example.org", newsletter=letter, status=Status.ACTIVE)
    SubscriptionFactory(subscriber__email="leaves@example.org", newsletter=letter, status=Status.ACTIVE)
    out = run_import(
        tmp_path,
        "ghost.csv",
        "email,subscribed_to_emails\nleft@example.org,true\nstays@example.org,true\nleaves@example.org,false\n",
    )
    assert statuses() == {
        "left@example.org": Status.UNSUBSCRIBED,
        "stays@example.org": Status.ACTIVE,
        "leaves@example.org": Status.UNSUBSCRIBED,
    }
    assert "unsubscribed here: not subscribed again" in out and "already on this newsletter" in out


def test_bad_rows_are_skipped_with_their_reason_and_change_nothing(tmp_path, letter):
    out = run_import(
        tmp_path,
        "hostile.csv",
        "email\n"
        "<script>alert(1)</script>@example.org\n"
        "'; DROP TABLE newsletters_subscriber; --\n"
        "not-an-address\n" + "a" * 300 + "@example.org\n"
        "dup@example.org\n"
        "DUP@example.org\n"
        "\n"
        "ok@example.org\n",
        "--confirmed",
    )
    assert statuses() == {"dup@example.org": Status.ACTIVE, "ok@example.org": Status.ACTIVE}
    assert "skipped 4: not a valid email address" in out  # the blank line is no row
    assert "skipped 1: the same address twice in the file" in out


def test_files_that_are_not_subscriber_lists_are_refused_clearly(tmp_path, letter):
    with pytest.raises(CommandError, match="no email column"):
        run_import(tmp_path, "wrong.csv", "name,phone\nA,1\n")
    (tmp_path / "binary.csv").write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(CommandError):
        call_command(
            "newsletters_import", str(tmp_path / "binary.csv"), "--newsletter", "morning", stdout=io.StringIO()
        )
    with pytest.raises(CommandError, match="cannot be read"):
        run_import(tmp_path, "huge-field.csv", "email,note\nx@example.org," + "x" * 200_000 + "\n")
    with pytest.raises(CommandError, match="No newsletter"):
        call_command("newsletters_import", str(tmp_path / "wrong.csv"), "--newsletter", "nope", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No file"):
        call_command(
            "newsletters_import", str(tmp_path / "missing.csv"), "--newsletter", "morning", stdout=io.StringIO()
        )
    assert not Subscription.objects.exists()


def test_the_export_lists_each_subscriber_and_is_safe_to_open_in_a_spreadsheet(letter):
    SubscriptionFactory(subscriber__email="a@example.org", newsletter=letter, status=Status.ACTIVE)
    SubscriptionFactory(subscriber__email="=cmd@example.org", newsletter=letter, status=Status.ACTIVE)
    SubscriptionFactory(subscriber__email="gone@example.org", newsletter=letter, status=Status.UNSUBSCRIBED)
    out = io.StringIO()
    call_command("newsletters_export", "--newsletter", "morning", stdout=out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["email"] for row in rows] == ["'=cmd@example.org", "a@example.org"]
    assert {row["status"] for row in rows} == {"active"}
    everyone = io.StringIO()
    call_command("newsletters_export", "--newsletter", "morning", "--status", "all", stdout=everyone)
    assert len(list(csv.DictReader(io.StringIO(everyone.getvalue())))) == 3


def test_a_large_import_is_written_in_batches(letter):
    rows = (imports.Row(n, f"reader{n}@example.org", True) for n in range(2, 2502))
    report = imports.subscribers_import(rows=rows, newsletter=letter, format="ghost", confirmed=False)
    assert report.added["subscribed"] == 2500 and report.rows == 2500
    assert Subscription.objects.filter(status=Status.ACTIVE).count() == 2500
