"""The search page's form: what readers may ask for, cleaned so any address gives a page (never an error)."""

import re

from django import forms

from masthead.search import query_clean


class DateInput(forms.DateInput):
    """A date picker; a value that is no date is not written back (an <input type="date"> may hold no other)."""

    input_type = "date"

    def __init__(self):
        super().__init__(format="%Y-%m-%d")

    def format_value(self, value):
        text = super().format_value(value)
        return text if isinstance(text, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


KINDS = [("", "Everything"), ("story", "Stories"), ("news", "News Feed")]


class SearchForm(forms.Form):
    q = forms.CharField(label="Search for", required=False, strip=True)  # cut to MAX_QUERY_CHARS by clean_q
    section = forms.ChoiceField(label="Section", required=False, choices=[("", "All sections")])
    author = forms.ChoiceField(label="Author", required=False, choices=[("", "All authors")])
    since = forms.DateField(label="From", required=False, widget=DateInput())
    until = forms.DateField(label="To", required=False, widget=DateInput())
    kind = forms.ChoiceField(label="Kind", required=False, choices=KINDS)

    def __init__(self, data, *, sections: list[tuple[str, str]], authors: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["section"].choices = [("", "All sections"), *sections]
        self.fields["author"].choices = [("", "All authors"), *authors]

    def clean_q(self):
        return query_clean(self.cleaned_data["q"])

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date comes before the start date.")
        return cleaned

    def criteria(self) -> dict:
        """What the search asks for: the valid fields only (a wrong one is left out and its error shown)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "text": data.get("q", "") if "q" not in self.errors else "",
            "section": data.get("section") or "",
            "author": data.get("author") or "",
            "since": data.get("since") if "since" not in self.errors and "until" not in self.errors else None,
            "until": data.get("until") if "until" not in self.errors else None,
            "kind": data.get("kind") or "",
        }
