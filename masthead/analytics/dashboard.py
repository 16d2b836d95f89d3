"""The editors' dashboard: what readers read, from the counters, with no reader in it. Every figure says the
period it covers; the same figures come as CSV."""

import csv
import io
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError

from masthead.analytics import selectors
from masthead.analytics.charts import bar_chart
from masthead.analytics.counting import today
from masthead.analytics.models import Target
from masthead.analytics.selectors import Period

LONGEST = 366  # days in one period
EARLIEST = date(2000, 1, 1)
PRESETS = [("Today", 1), ("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90)]


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        last = data.get("end") or today()
        first = data.get("start") or last - timedelta(days=6)
        if first > last:
            raise ValidationError("The period must start on or before its last day.")
        if first < EARLIEST or last > today() + timedelta(days=1):
            raise ValidationError(f"Choose days between {EARLIEST:%-d %B %Y} and today.")
        if (last - first).days + 1 > LONGEST:
            raise ValidationError(f"A period is at most {LONGEST} days long.")
        data["period"] = Period(first, last)
        return data


def presets() -> list[tuple[str, date, date]]:
    """The usual periods, each ending today: (label, first day, last day)."""
    last = today()
    return [(label, last - timedelta(days=days - 1), last) for label, days in PRESETS]


def period_from(query) -> tuple[PeriodForm, Period]:
    """The period asked for (`start`, `end`), or the last 7 days when none or a bad one is (the form says why)."""
    form = PeriodForm(query or None)
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["period"]
    last = today()
    return form, Period(last - timedelta(days=6), last)


def figures(period: Period) -> dict:
    per_day = selectors.totals_per_day(period)
    per_hour = selectors.totals_per_hour(period.last)
    plays = selectors.totals_per_day(period, target=Target.PLAY)
    comments = selectors.comments_per_day(period)
    newsletters, signups = selectors.signups_per_day(period)
    day_label = "%-d %b"
    return {
        "period": period,
        "views_per_day": per_day,
        "views_chart": bar_chart([(f"{day:{day_label}}", n) for day, n in per_day], title="Page views per day"),
        "views_per_hour": per_hour,
        "hours_chart": bar_chart(
            [(f"{hour:%H}:00", n) for hour, n in per_hour], title="Page views per hour", label_every=3
        ),
        "top_articles": selectors.top_articles(period),
        "sources": selectors.sources(period),
        "referrers": selectors.top_referrers(period),
        "newsletters": newsletters,
        "signups": signups,
        "signup_totals": [sum(counts[i] for _, counts in signups) for i in range(len(newsletters))],
        "plays_per_day": plays,
        "plays_chart": bar_chart([(f"{day:{day_label}}", n) for day, n in plays], title="Narration plays per day"),
        "comments_per_day": comments,
        "comments_chart": bar_chart([(f"{day:{day_label}}", n) for day, n in comments], title="Comments per day"),
    }


def csv_text(data: dict) -> str:
    """The dashboard's figures as CSV: figure, period, what (a day, an hour, a story, a source), value."""
    period = str(data["period"])
    rows = [("figure", "period", "what", "value")]
    rows += [("page views", period, day.isoformat(), n) for day, n in data["views_per_day"]]
    hour_day = data["period"].last.isoformat()
    rows += [("page views per hour", hour_day, f"{hour:%H}:00", n) for hour, n in data["views_per_hour"]]
    rows += [("most viewed story", period, story["title"], story["views"]) for story in data["top_articles"]]
    rows += [("source", period, label, n) for label, n in data["sources"]]
    rows += [("referrer", period, f"{domain} ({label})", n) for domain, label, n in data["referrers"]]
    for index, name in enumerate(data["newsletters"]):
        rows += [(f"newsletter sign-ups: {name}", period, day.isoformat(), c[index]) for day, c in data["signups"]]
    rows += [("narration plays", period, day.isoformat(), n) for day, n in data["plays_per_day"]]
    rows += [("comments", period, day.isoformat(), n) for day, n in data["comments_per_day"]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def _cell(value):
    """A text cell a spreadsheet would run as a formula (=, +, -, @ first) is written as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
