"""How django-allauth treats Masthead's members: emails leave through a background task, usernames say nothing
about the person, and staff accounts sign in at the admin (with their password), never by an emailed code."""

import secrets

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class MemberAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """The address allauth's limits count by: the same as Masthead's own (the proxy's view behind one)."""
        from masthead.ratelimit import client_address

        return client_address(request) or super().get_client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the message now (it holds a code that expires in minutes) and send it from a task, so a slow
        or failing mail server never holds the reader's request."""
        from masthead.members.services import member_email_queue

        request = context.get("request") or getattr(self, "request", None)
        context = {"email": email, "site_name": _site_name(request), **context}
        if request is not None:
            context.setdefault("request", request)
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, kind in getattr(message, "alternatives", []) if kind == "text/html"), "")
        member_email_queue(to=email, subject=message.subject, text=message.body, html=html)

    def send_account_already_exists_mail(self, email: str) -> None:
        from allauth.core import context

        login_url = context.request.build_absolute_uri(reverse("account_request_login_code"))
        self.send_mail("account/email/account_already_exists", email, {"login_url": login_url})

    def clean_email(self, email: str) -> str:
        # What mail servers accept (RFC 5321): at most 254 characters, 64 before the @. Longer would not fit the
        # user table on PostgreSQL either.
        local, _, _domain = email.rpartition("@")
        if len(email) > 254 or len(local) > 64:
            raise forms.ValidationError("This email address is too long to be real.")
        return super().clean_email(email)

    def format_email_subject(self, subject: str) -> str:
        return subject.strip()

    def populate_username(self, request, user) -> None:
        # Usernames are internal only (members sign in by email): no name or address in them.
        if not user.username:
            user.username = f"member-{secrets.token_hex(8)}"

    def pre_login(self, request, user, **kwargs):
        if user.is_newsroom_staff:
            messages.error(request, "Staff sign in at the admin, with their password.")
            from allauth.account.internal.stagekit import clear_login

            clear_login(request)
            return redirect(reverse("wagtailadmin_login"))
        return super().pre_login(request, user, **kwargs)


def _site_name(request) -> str:
    from django.conf import settings

    from masthead.newsroom import serving

    site = serving.site_for_request(request) if request is not None else None
    return (site.site_name if site else "") or settings.WAGTAIL_SITE_NAME
