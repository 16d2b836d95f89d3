"""What changes members' accounts: the emails allauth sends them, their settings, and deleting an account."""

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from masthead.members.models import User

log = logging.getLogger(__name__)


def member_email_queue(*, to: str, subject: str, text: str, html: str = "") -> None:
    """Send a sign-in or verification email from a background task once the request's data is committed."""
    from masthead.members.tasks import member_email_task

    transaction.on_commit(lambda: member_email_task.enqueue(to=to, subject=subject, text=text, html=html))


def member_email_send(*, to: str, subject: str, text: str, html: str = "") -> None:
    """One try: a sign-in code is good for minutes, so a message that fails is not retried later (the reader
    asks for a new code); the failure is logged for the admins."""
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    if html:
        message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 (any mail server failure: logged, the reader can ask again)
        log.warning("Member email %r could not be sent (%s: %s)", subject, type(error).__name__, error)
        raise


def writes_articles(*, user: User) -> bool:
    """Whether this user is bylined on articles (they may then be emailed about comments on them)."""
    from masthead.newsroom.models import Author

    return Author.objects.filter(user=user).exists()


@transaction.atomic
def member_delete(*, user: User) -> None:
    """Delete a member's account and their personal data: the account, its email addresses, sessions, likes,
    reports and bans, and their newsletter subscriptions. Their comments stay, anonymised ("Deleted member"),
    so that replies keep their sense; the moderation log keeps what was done, not to whom. The caller signs the
    request's session out."""
    from masthead.comments.services import member_comments_anonymise
    from masthead.newsletters.models import Subscriber
    from masthead.newsletters.services import subscriber_forget

    if user.is_newsroom_staff:
        raise ValueError("Staff accounts are deleted by an administrator, in the admin.")
    emails = {user.email.lower()} | {
        address.lower() for address in user.emailaddress_set.values_list("email", flat=True)
    }
    member_comments_anonymise(user=user)
    for subscriber in Subscriber.objects.filter(email__in=[e for e in emails if e]):
        subscriber_forget(subscriber=subscriber)
    user.delete()  # its other sessions end with it: they name a user who no longer exists
