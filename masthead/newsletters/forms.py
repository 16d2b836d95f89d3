"""The sign-up form: an address, the newsletters, and a field only robots fill in."""

from django import forms

from masthead.newsletters import selectors


class SubscribeForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        error_messages={"required": "Enter your email address.", "invalid": "Enter a valid email address."},
    )
    newsletters = forms.MultipleChoiceField(
        error_messages={
            "required": "Choose at least one newsletter.",
            "invalid_choice": "Choose from the newsletters listed.",
        }
    )
    # The honeypot: hidden from people (CSS and aria-hidden), filled in by form-filling robots.
    website = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletters"].choices = list(selectors.newsletters_open().values_list("slug", "name"))

    def clean_email(self):
        if hasattr(self.data, "getlist") and len(self.data.getlist("email")) > 1:
            raise forms.ValidationError("Enter one email address.")
        return self.cleaned_data["email"]

    def chosen(self):
        return list(selectors.newsletters_open().filter(slug__in=self.cleaned_data["newsletters"]))

    @property
    def is_robot(self) -> bool:
        return bool(self.data.get("website"))
