"""The forms members send. Their errors are the member's to read: say what is wrong and how to fix it."""

from django import forms

from masthead.comments.models import BODY_MAX_HARD, Report


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=BODY_MAX_HARD * 2,  # the site's own limit (a setting) is checked by the service, with a message
        error_messages={"required": "Write your comment.", "max_length": "This comment is far too long."},
    )
    parent = forms.IntegerField(required=False, min_value=1, max_value=2**62, widget=forms.HiddenInput)


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with it?",
        choices=Report.Reason.choices,
        error_messages={
            "required": "Choose why you are reporting this comment.",
            "invalid_choice": "Choose why you are reporting this comment.",
        },
    )


class BanForm(forms.Form):
    reason = forms.CharField(label="Reason (the member is shown it)", max_length=500)
    until = forms.DateTimeField(
        label="Until",
        required=False,
        help_text="Empty: until an editor lifts it.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    hide_all = forms.BooleanField(label="Also hide every comment this member has written", required=False)
