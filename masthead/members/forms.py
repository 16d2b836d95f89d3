"""Members' forms: sign-up asks an email and the name shown on comments; the account page changes them."""

from django import forms

from masthead.members.models import DISPLAY_NAME_MAX, User
from masthead.members.text import text_clean


class SignupForm(forms.Form):
    """Added to allauth's sign-up form (`ACCOUNT_FORMS`): the email comes from allauth's own fields."""

    display_name = forms.CharField(
        label="Your name",
        max_length=DISPLAY_NAME_MAX,
        help_text="Shown beside your comments. Your email address is never shown.",
    )

    def clean_display_name(self):
        return display_name_clean(self.cleaned_data["display_name"])

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


def display_name_clean(value: str) -> str:
    value = text_clean(value, newlines=False)
    if not value:
        raise forms.ValidationError("Enter the name readers should see.")
    return value


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "notify_replies", "notify_comments"]
        labels = {"display_name": "Your name"}

    def __init__(self, *args, writes_articles: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        if not writes_articles:
            del self.fields["notify_comments"]

    def clean_display_name(self):
        return display_name_clean(self.cleaned_data["display_name"])


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label="Yes, delete my account",
        error_messages={"required": "Tick the box to confirm: this cannot be undone."},
    )
