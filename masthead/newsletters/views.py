"""The Newsletters page, the sign-up endpoint, the links in emails (confirm, preferences, unsubscribe, and the
open and click counters when tracking is on): thin, they call services."""

import base64
from functools import wraps

from anymail.exceptions import AnymailConfigurationError
from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from masthead.http_cache import cross_site_refusal
from masthead.newsletters import selectors, services
from masthead.newsletters.forms import SubscribeForm
from masthead.ratelimit import client_key, rate_limit_hit

SENT = "Thank you. If the address is right, a confirmation email is on its way: open its link to finish."
CLIENT_LIMIT = (10, 600)  # sign-ups per client per ten minutes
ADDRESS_LIMIT = (5, 3600)  # sign-ups per address per hour


@require_safe
def index(request):
    return render(request, "newsletters/index.html", {"newsletters": selectors.newsletters_open(), "form": None})


@require_safe
def check_your_email(request):
    return render(request, "newsletters/check_your_email.html", {"message": SENT})


@require_POST
def subscribe(request):
    """A sign-up from any page's form (the pages are cached, so it carries no CSRF token: `public_page` checks
    its Origin). Answers the same whether or not the address was subscribed; JSON for the page's script."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = SubscribeForm(request.POST)
    if wait := rate_limit_hit(
        scope="subscribe-client", key=client_key(request), limit=CLIENT_LIMIT[0], seconds=CLIENT_LIMIT[1]
    ):
        return _too_many(wait, wants_json)
    if form.is_robot:
        return _answer(request, wants_json)  # as if it worked: nothing to learn for the robot
    if not form.is_valid():
        errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        if wants_json:
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        chosen = set(request.POST.getlist("newsletters"))
        context = {"newsletters": selectors.newsletters_open(), "form": form, "chosen": chosen}
        return render(request, "newsletters/index.html", context, status=400)
    email = services.email_normalize(form.cleaned_data["email"])
    if wait := rate_limit_hit(scope="subscribe-address", key=email, limit=ADDRESS_LIMIT[0], seconds=ADDRESS_LIMIT[1]):
        return _too_many(wait, wants_json)
    services.subscription_request(email=email, newsletters=form.chosen())
    return _answer(request, wants_json)


def _answer(request, wants_json: bool):
    if wants_json:
        return JsonResponse({"ok": True, "message": SENT})
    return redirect("newsletters:check_your_email", permanent=False)


def _too_many(wait: int, wants_json: bool):
    message = f"Too many sign-ups from here just now. Try again in {max(1, wait // 60)} minutes."
    response = (
        JsonResponse({"ok": False, "message": message}, status=429)
        if wants_json
        else HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    )
    response["Retry-After"] = str(wait)
    return response


@never_cache
@csrf_exempt  # the signed link is the proof; the POST must still come from this site (below)
def confirm(request, token):
    """The link in the confirmation email shows a button; pressing it confirms (mail scanners that open links
    must not subscribe anyone)."""
    try:
        subscriber = services.confirmation_subscriber(token=token)
    except services.ConfirmationLinkError as error:
        return _link_error(request, expired=error.expired)
    if request.method == "POST":
        if refused := cross_site_refusal(request):
            return refused
        confirmed = services.subscription_confirm(token=token)
        return render(request, "newsletters/confirmed.html", {"confirmed": confirmed})
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    pending = [subscription.newsletter for subscription in selectors.subscriptions_pending(subscriber=subscriber)]
    return render(request, "newsletters/confirm.html", {"pending": pending})


def _link_error(request, *, expired: bool):
    return render(request, "newsletters/link_error.html", {"expired": expired}, status=400)


@never_cache
@csrf_exempt  # the signed link is the proof; the POST must still come from this site (below)
def preferences(request, token):
    """A subscriber's newsletters, from the link in every email: tick what to receive, or delete the address."""
    try:
        subscriber = services.preferences_subscriber(token=token)
    except services.ConfirmationLinkError:
        return _link_error(request, expired=False)
    if request.method == "POST":
        if refused := cross_site_refusal(request):
            return refused
        if request.POST.get("action") == "forget":
            services.subscriber_forget(subscriber=subscriber)
            return render(request, "newsletters/forgotten.html")
        slugs = request.POST.getlist("newsletters")
        if len(slugs) > 100:
            return HttpResponse("Too many newsletters chosen.", status=400, content_type="text/plain")
        services.preferences_save(
            subscriber=subscriber, wanted=list(selectors.newsletters_open().filter(slug__in=slugs))
        )
        return render(request, "newsletters/preferences.html", _preferences_context(subscriber, saved=True))
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "newsletters/preferences.html", _preferences_context(subscriber, saved=False))


def _preferences_context(subscriber, *, saved: bool) -> dict:
    active = set(selectors.newsletters_active_ids(subscriber=subscriber))
    return {"subscriber": subscriber, "newsletters": selectors.newsletters_open(), "active": active, "saved": saved}


@never_cache
@csrf_exempt  # RFC 8058: mail providers POST from their own servers, with no cookie and no Origin
def unsubscribe(request, token):
    """One-click unsubscribe from an email's List-Unsubscribe header; opened in a browser, a button does it (a
    link scanner's GET unsubscribes no one)."""
    try:
        subscription = services.unsubscribe_subscription(token=token)
    except services.ConfirmationLinkError:
        return _link_error(request, expired=False)
    if request.method == "POST":
        services.subscription_unsubscribe(subscription=subscription, issue_id=subscription.issue_id)
        if request.POST.get("List-Unsubscribe") == "One-Click":
            return HttpResponse("Unsubscribed.", content_type="text/plain; charset=utf-8")
        context = {"newsletter": subscription.newsletter, "done": True}
        return render(request, "newsletters/unsubscribe.html", context)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})
    return render(request, "newsletters/unsubscribe.html", {"newsletter": subscription.newsletter, "done": False})


# A transparent 1×1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


@never_cache
@require_safe
def opened(request, token):
    """An issue's picture was shown: its delivery's first open is recorded (with tracking on; else nothing)."""
    if settings.MASTHEAD_NEWSLETTER_TRACKING:
        services.delivery_reacted(token=token, clicked=False)
    return HttpResponse(PIXEL, content_type="image/gif")


@never_cache
@require_safe
def clicked(request, token, link):
    """A link in an issue: counted (with tracking on), then the reader goes on to where the issue pointed. Only
    links an issue signed are followed: this is not an open redirect."""
    url = services.tracked_link_url(token=link)
    if url is None:
        return _link_error(request, expired=False)
    if settings.MASTHEAD_NEWSLETTER_TRACKING:
        services.delivery_reacted(token=token, clicked=True)
    return HttpResponseRedirect(url)


def provider_webhook(view):
    """One of django-anymail's webhook views, answering 400 to a body it cannot read (it would raise, a 500), and
    404 for a provider this site is not configured for (anymail mounts every provider's)."""

    @csrf_exempt
    @wraps(view)
    def guarded(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            return HttpResponse("No such provider here.", status=404, content_type="text/plain")
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            return HttpResponse("Unreadable report.", status=400, content_type="text/plain")

    return guarded
