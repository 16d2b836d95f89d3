"""Members' addresses: allauth's sign-up and sign-in by code, under /account/, and the member's own pages.

Only the parts of allauth that fit a password-free membership are reachable: /account/login/ goes straight
to the emailed code, and the password views answer 404 (staff use the admin's). /account/email/ changes the
member's one address, confirmed by a code sent to the new one.
"""

from allauth.account import views as allauth_views
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from masthead.members import views
from masthead.ratelimit import limited

app_name = "members"
urlpatterns = [
    path("", views.account, name="account"),
    path("delete/", views.delete_account, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]

# The forms that email a code (or an invitation) are limited per client, whatever the addresses: allauth's own
# limits count per address. 429 with Retry-After past MASTHEAD_MEMBER_CODE_REQUESTS in ten minutes.
_code_limit = limited(
    "member-code-requests",
    limit="MASTHEAD_MEMBER_CODE_REQUESTS",
    seconds=600,
    message="Too many sign-in emails asked from here just now.",
)

allauth_urlpatterns = [
    path("login/", RedirectView.as_view(pattern_name="account_request_login_code", query_string=True)),
    path("login/code/", _code_limit(allauth_views.request_login_code), name="account_request_login_code"),
    path("signup/", _code_limit(allauth_views.signup), name="account_signup"),
    re_path(r"^(password|reauthenticate|phone)/", views.password_free),
    path("", include("allauth.urls")),
]
