"""Review that cannot be missed, checks before publishing, and corrections that stamp "Updated" and stay."""

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import PageLogEntry, WorkflowState

from masthead.newsroom.models import ArticlePage, Correction
from masthead.newsroom.services import archive_year_ensure
from masthead.newsroom.tests.factories import AuthorFactory, ImageFactory, correction, published_article
from masthead.newsroom.tests.test_editors_desk import article_form, edit_form


@pytest.fixture
def people(home, make_user):
    return {
        "reporter": make_user("reporter", "Reporters", email="reporter@example.org", first_name="Rita"),
        "editor": make_user("editor", "Editors", email="editor@example.org", first_name="Eddie", last_name="Desk"),
    }


def submitted(client, people) -> ArticlePage:
    client.force_login(people["reporter"])
    url, data = article_form(client, archive_year_ensure(year=2026), title="Blackout in Odesa", slug="blackout",
                             author=AuthorFactory())  # fmt: skip
    data["action-submit"] = "1"
    assert client.post(url, data).status_code == 302
    return ArticlePage.objects.get(slug="blackout")


def test_changes_requested_reach_the_reporter_in_a_banner_and_an_email_that_says_so(client, people, smtp_server):
    article = submitted(client, people)
    state = WorkflowState.objects.get(object_id=str(article.pk))
    client.force_login(people["editor"])
    url = reverse("wagtailadmin_pages:workflow_action", args=[article.pk, "reject", state.current_task_state.pk])
    assert client.post(url, {"comment": "Name the second source, please."}).status_code in (200, 302)

    to_reporter = [m for m in smtp_server.messages if "reporter@example.org" in m["to"]]
    assert to_reporter, smtp_server.messages
    message = to_reporter[-1]["message"]
    subject = str(message["Subject"])
    assert subject == "Changes requested: “Blackout in Odesa”"
    body = "".join(part.get_content() for part in message.walk() if not part.is_multipart())
    assert "Eddie Desk asks for changes" in body and "Name the second source, please." in body
    assert "rejected" not in (subject + body).lower()

    client.force_login(people["reporter"])
    html = client.get(reverse("wagtailadmin_pages:edit", args=[article.pk])).content.decode()
    assert "Changes requested. Eddie Desk asks for changes before this story is published." in html
    assert "Name the second source, please." in html


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"section": ""}, "Choose a section."),
        ({"standfirst": "  "}, "Write a standfirst."),
        ({"featured_image": ""}, "Choose a featured image."),
        ({"featured_image_alt": ""}, "Describe the featured image for screen readers"),
        ("alt is the caption", "Describe the featured image for screen readers"),
        ({"authors-0-DELETE": "1"}, "Add at least one author."),
    ],
)
@pytest.mark.parametrize("action", ["action-publish", "action-submit"])
def test_checks_before_publishing(client, people, change, message, action):
    client.force_login(people["editor"])
    url, data = article_form(client, archive_year_ensure(year=2026), title="Checked", slug="checked",
                             author=AuthorFactory())  # fmt: skip
    if change == "alt is the caption":
        image = ImageFactory(renditions=False, caption="Firefighters at work")
        change = {"featured_image": str(image.pk), "featured_image_alt": "Firefighters at work "}
    data.update(change)
    data[action] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ArticlePage.objects.filter(live=True).exists()
    assert not WorkflowState.objects.exists()


def test_a_draft_saves_without_the_checks(client, people):
    client.force_login(people["reporter"])
    url, data = article_form(client, archive_year_ensure(year=2026), title="Half done", slug="half-done",
                             author=AuthorFactory())  # fmt: skip
    data["section"], data["featured_image"], data["standfirst"] = "", "", ""
    assert client.post(url, data).status_code == 302
    assert ArticlePage.objects.filter(slug="half-done", live=False).exists()


def test_an_editor_overrides_the_checks_with_a_reason_that_is_recorded(client, people):
    client.force_login(people["editor"])
    url, data = article_form(client, archive_year_ensure(year=2026), title="Breaking", slug="breaking",
                             author=AuthorFactory())  # fmt: skip
    data["featured_image"] = ""
    data["publish_anyway"] = "Breaking news: the picture follows."
    data["action-publish"] = "1"
    assert client.post(url, data).status_code == 302
    article = ArticlePage.objects.get(slug="breaking")
    assert article.live
    entry = PageLogEntry.objects.get(page=article, action="newsroom.checks_overridden")
    assert entry.user == people["editor"]
    assert entry.data == {"reason": "Breaking news: the picture follows.", "checks": ["Choose a featured image."]}
    history = client.get(reverse("wagtailadmin_pages:history", args=[article.pk])).content.decode()
    assert "Published despite the checks" in history


def test_a_reporter_cannot_override_the_checks(client, people):
    client.force_login(people["reporter"])
    url, data = article_form(client, archive_year_ensure(year=2026), title="Sneaky", slug="sneaky",
                             author=AuthorFactory())  # fmt: skip
    data["featured_image"] = ""
    data["publish_anyway"] = "Trust me."
    data["action-submit"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Only an editor who may publish can override the checks." in response.content.decode()
    assert not WorkflowState.objects.exists()


def add_correction(data, *, date: str, text: str) -> None:
    """The edit form's data with one new correction, as the Corrections panel's "Add" sends it."""
    fields = {"TOTAL_FORMS": "1", "0-date": date, "0-text": text, "0-id": "", "0-ORDER": "1", "0-DELETE": ""}
    for name, value in fields.items():
        data[f"corrections-{name}"] = value  # replaced, not appended (QueryDict.update appends)


def test_adding_a_correction_stamps_updated(client, people):
    article = published_article(title="Casualty figures", slug="casualty-figures")
    client.force_login(people["editor"])
    url, data = edit_form(client, article)
    data.update({"section": "", "featured_image": ""})  # this test is about corrections: publish anyway
    data["publish_anyway"] = "Test story."
    add_correction(
        data, date=timezone.localdate().isoformat(), text="An earlier version gave the wrong number of injured."
    )
    data["action-publish"] = "1"
    before = timezone.now()
    response = client.post(url, data)
    assert response.status_code == 302, (
        response.context["form"].errors,
        {k: f.errors for k, f in response.context["form"].formsets.items()},
        [str(m) for m in response.context["messages"]],
    )
    article.refresh_from_db()
    assert article.updated_at is not None and article.updated_at >= before
    assert "Updated" in client.get("/casualty-figures/").content.decode()


def test_an_updated_time_set_by_hand_is_kept(client, people):
    article = published_article(title="By hand", slug="by-hand")
    client.force_login(people["editor"])
    url, data = edit_form(client, article)
    data.update({"publish_anyway": "Test story.", "updated_at": "2026-01-02 10:00"})
    add_correction(data, date="2026-01-02", text="Fixed a name.")
    data["action-publish"] = "1"
    assert client.post(url, data).status_code == 302
    article.refresh_from_db()
    assert timezone.localtime(article.updated_at).strftime("%Y-%m-%d %H:%M") == "2026-01-02 10:00"


def test_rolling_back_keeps_the_corrections_log(client, people):
    article = published_article(title="Rolled back", slug="rolled-back")
    old_revision = article.get_latest_revision()
    correction(article, days_ago=0, text="The minister's name was misspelled.")
    article = ArticlePage.objects.get(pk=article.pk)
    article.save_revision().publish()
    client.force_login(people["editor"])
    url = reverse("wagtailadmin_pages:revisions_revert", args=[article.pk, old_revision.pk])
    from wagtail.test.utils.form_data import querydict_from_html

    data = querydict_from_html(client.get(url).content.decode(), form_id="page-edit-form").copy()
    assert "The minister&#x27;s name was misspelled." in client.get(url).content.decode()
    data.update({"publish_anyway": "Test story.", "action-publish": "1"})
    data.update({k: v for k, v in edit_form(client, article)[1].items() if k.startswith("body")})
    assert client.post(reverse("wagtailadmin_pages:edit", args=[article.pk]), data).status_code == 302
    assert Correction.objects.filter(article=article, text__startswith="The minister").exists()
