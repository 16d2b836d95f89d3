"""Staff's two-factor set-up in the admin (masthead/members/staff.py), linked from the account page; staff
sign-ins and sign-outs in the admin's history (Reports → Site history)."""

from django.contrib.auth import signals
from django.dispatch import receiver
from django.urls import path, reverse
from wagtail import hooks
from wagtail.log_actions import log

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


@hooks.register("register_log_actions")
def register_sign_in_actions(actions):
    actions.register_action("masthead.sign_in", "Sign in", "Signed in to the admin")
    actions.register_action("masthead.sign_out", "Sign out", "Signed out of the admin")


@receiver(signals.user_logged_in, dispatch_uid="masthead-staff-sign-in-logged")
def staff_signed_in(sender, request, user, **kwargs):
    """Each staff sign-in, in the admin's history (who and when; no address). Members' sign-ins are not logged."""
    if getattr(user, "is_newsroom_staff", False):
        log(instance=user, action="masthead.sign_in", user=user)


@receiver(signals.user_logged_out, dispatch_uid="masthead-staff-sign-out-logged")
def staff_signed_out(sender, request, user, **kwargs):
    if user is not None and getattr(user, "is_newsroom_staff", False):
        while hasattr(user, "_wrapped"):  # request.user is lazy (twice, with two-factor): the log needs the model
            user = user._wrapped  # noqa: SLF001
        log(instance=user, action="masthead.sign_out", user=user)
