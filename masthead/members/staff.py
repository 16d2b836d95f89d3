"""Staff sign-in to the admin, hardened: a lock-out after wrong passwords, a limit on tries and on password-reset
emails per client, and two-factor codes (TOTP, from any authenticator app).

- **Lock-out** (django-axes, counted in the shared cache, nothing in the database): `MASTHEAD_STAFF_LOCKOUT_TRIES`
  wrong passwords (or wrong codes) for one account from one client lock that pair out for
  `MASTHEAD_STAFF_LOCKOUT_MINUTES`; the right password is then refused too (429 with Retry-After).
- **Tries per client**: at most `MASTHEAD_STAFF_LOGIN_TRIES` sign-in attempts a quarter of an hour from one
  client, whatever the usernames, answered before any password is hashed (so guessers cannot load the server);
  password-reset requests: 5 an hour per client and 3 an hour per address.
- **Two-factor**: a staff member with an authenticator (set up at /admin/two-factor/) must give its current code
  with the password. With `MASTHEAD_STAFF_TWO_FACTOR` on (the default in production) every staff member must set
  one up before using the admin. `masthead two_factor_reset <username>` removes a lost one.
"""

import base64
from datetime import timedelta

import django_otp
import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, signals
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.admin.forms.auth import LoginForm
from wagtail.admin.views import account
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from masthead.ratelimit import limited, rate_limit_hit, too_many

LOGIN_WINDOW_SECONDS = 15 * 60


class StaffLoginForm(LoginForm):
    """Wagtail's sign-in form with the two-factor code (asked only of those who set up an authenticator)."""

    otp_token = forms.CharField(
        label="Two-factor code",
        required=False,
        max_length=8,
        help_text="The 6-digit code your authenticator app shows, if you set one up.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {**LoginForm.error_messages, "otp": "The two-factor code is wrong or has expired."}

    def clean(self):
        cleaned = super().clean()
        self.otp_device = None
        user = self.get_user()
        if user is not None and django_otp.user_has_device(user):
            token = "".join(self.cleaned_data.get("otp_token", "").split())
            self.otp_device = django_otp.match_token(user, token) if token.isdigit() else None
            if self.otp_device is None:
                # A wrong code counts as a wrong password for the lock-out: the code cannot be guessed either.
                signals.user_login_failed.send(
                    sender=__name__, credentials={"username": user.get_username()}, request=self.request
                )
                raise forms.ValidationError(self.error_messages["otp"], code="otp")
        return cleaned


class StaffLoginView(account.LoginView):
    def form_valid(self, form):
        response = super().form_valid(form)
        if form.otp_device is not None:
            django_otp.login(self.request, form.otp_device)
        return response


@never_cache
@limited(
    "staff-login",
    limit="MASTHEAD_STAFF_LOGIN_TRIES",
    seconds=LOGIN_WINDOW_SECONDS,
    message="Too many sign-in attempts from here just now.",
)
def login(request, *args, **kwargs):
    return StaffLoginView.as_view()(request, *args, **kwargs)


@limited("staff-password-reset", limit=5, seconds=3600, message="Too many password resets asked from here.")
def password_reset(request, *args, **kwargs):
    """Wagtail's password reset, at most 5 an hour per client and 3 emails an hour per address."""
    if request.method == "POST":
        address = request.POST.get("email", "")[:254].strip().lower()
        wait = rate_limit_hit(scope="staff-password-reset-address", key=address, limit=3, seconds=3600)
        if wait:
            return too_many(request, wait, "Too many password resets asked for this address.")
    return account.PasswordResetView.as_view()(request, *args, **kwargs)


def locked_out(request, credentials, *args, **kwargs):
    """django-axes' answer to a locked-out account and client (AXES_LOCKOUT_CALLABLE)."""
    minutes = settings.MASTHEAD_STAFF_LOCKOUT_MINUTES
    return too_many(request, minutes * 60, "Too many wrong passwords for this account from here.")


def lockout_cooloff(request=None) -> timedelta:
    return timedelta(minutes=settings.MASTHEAD_STAFF_LOCKOUT_MINUTES)


# Two-factor set-up, in the admin.


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code from your app",
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _pending_device(user) -> TOTPDevice:
    """The authenticator being set up: one unconfirmed device per user, kept until confirmed or replaced."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@method_decorator(never_cache, name="dispatch")
class TwoFactorView(WagtailAdminTemplateMixin, TemplateView):
    """Set up (or remove, when the site does not require it) the authenticator app for one's own account."""

    template_name = "members/admin/two_factor.html"
    page_title = "Two-factor sign-in"
    header_icon = "key"

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=CodeForm()))

    def post(self, request, *args, **kwargs):
        user = request.user
        if request.POST.get("action") == "remove":
            if settings.MASTHEAD_STAFF_TWO_FACTOR:
                messages.error(request, "This site requires two-factor sign-in: ask an administrator to reset it.")
            else:
                TOTPDevice.objects.filter(user=user).delete()
                messages.success(request, "Two-factor sign-in is off for your account.")
            return redirect("staff_two_factor")
        if django_otp.user_has_device(user):
            return redirect("staff_two_factor")
        form = CodeForm(request.POST)
        if form.is_valid():
            device = _pending_device(user)
            token = "".join(form.cleaned_data["code"].split())
            if token.isdigit() and device.verify_token(token):
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                django_otp.login(request, device)
                messages.success(request, "Two-factor sign-in is on: you will be asked for a code when you sign in.")
                return redirect("wagtailadmin_home")
            form.add_error("code", "That code is wrong or has expired: try the one your app shows now.")
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["required"] = settings.MASTHEAD_STAFF_TWO_FACTOR
        context["confirmed"] = django_otp.user_has_device(self.request.user)
        if not context["confirmed"]:
            device = _pending_device(self.request.user)
            secret = base64.b32encode(device.bin_key).decode()
            context["secret"] = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
            context["qr_svg"] = mark_safe(  # noqa: S308 (segno's own SVG of our own URI)
                segno.make(device.config_url, error="m").svg_inline(scale=5, title="Two-factor set-up code")
            )
        return context


class StaffTwoFactorMiddleware:
    """In the admin: a session signed in without the code of an account that has an authenticator is signed out
    (it began before the authenticator was set up); where two-factor is required, staff without one are sent to
    set it up first."""

    OPEN_PATHS = ("login/", "logout/", "password_reset/", "two-factor/", "jsi18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        user = getattr(request, "user", None)
        if (
            path.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not path.removeprefix("/admin/").startswith(self.OPEN_PATHS)
        ):
            if django_otp.user_has_device(user):
                logout(request)
                return redirect(f"{reverse('wagtailadmin_login')}?next={path}")
            if settings.MASTHEAD_STAFF_TWO_FACTOR and user.is_newsroom_staff:
                return redirect("staff_two_factor")
        return self.get_response(request)
