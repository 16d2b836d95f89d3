"""A member's own page (name, notifications, newsletters, comments) and deleting the account."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from masthead.members import selectors, services
from masthead.members.forms import AccountForm, DeleteAccountForm


@never_cache
@login_required
def account(request):
    user = request.user
    writes = services.writes_articles(user=user)
    form = AccountForm(request.POST if request.method == "POST" else None, instance=user, writes_articles=writes)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("members:account")
    from masthead.comments.selectors import member_recent_comments

    context = {
        "form": form,
        "newsletters": selectors.member_newsletters(user=user),
        "comments": member_recent_comments(user=user, limit=20),
        "is_staff": user.is_newsroom_staff,
    }
    return render(request, "members/account.html", context, status=400 if form.errors else 200)


@never_cache
@login_required
def delete_account(request):
    user = request.user
    if user.is_newsroom_staff:
        raise Http404("Staff accounts are deleted by an administrator.")
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.member_delete(user=user)
        logout(request)
        return redirect("members:deleted")
    return render(request, "members/delete.html", {"form": form}, status=400 if form.errors else 200)


@never_cache
def deleted(request):
    return render(request, "members/deleted.html")


def password_free(request, *args, **kwargs):
    """Members have no password to change or reset; staff change theirs in the admin."""
    raise Http404("Members sign in with an emailed code; staff manage their password in the admin.")
