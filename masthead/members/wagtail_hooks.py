"""Staff's two-factor set-up in the admin (masthead/members/staff.py), linked from the account page."""

from django.urls import path, reverse
from wagtail import hooks

from masthead.members.staff import TwoFactorView


@hooks.register("register_admin_urls")
def register_admin_urls():
    return [path("two-factor/", TwoFactorView.as_view(), name="staff_two_factor")]


@hooks.register("register_account_menu_item")
def register_account_menu_item(request):
    return {
        "url": reverse("staff_two_factor"),
        "label": "Two-factor sign-in",
        "help_text": "Ask for a code from your phone's authenticator app when you sign in.",
    }
