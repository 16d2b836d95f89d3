"""Members' addresses: allauth's sign-up and sign-in by code, under /account/, and the member's own pages.

Only the parts of allauth that fit a password-free membership are reachable: /account/login/ goes straight
to the emailed code, and the password views answer 404 (staff use the admin's). /account/email/ changes the
member's one address, confirmed by a code sent to the new one.
"""

from django.urls import include, path, re_path
from django.views.generic import RedirectView

from masthead.members import views

app_name = "members"
urlpatterns = [
    path("", views.account, name="account"),
    path("delete/", views.delete_account, name="delete"),
    path("deleted/", views.deleted, name="deleted"),
]

allauth_urlpatterns = [
    path("login/", RedirectView.as_view(pattern_name="account_request_login_code", query_string=True)),
    re_path(r"^(password|reauthenticate|phone)/", views.password_free),
    path("", include("allauth.urls")),
]
