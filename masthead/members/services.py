"""What changes members' accounts: the emails allauth sends them, their settings, and deleting an account."""

import logging

from django.core.mail import EmailMultiAlternatives
from django.db import transaction

from masthead.members.models import OutgoingEmail, User

log = logging.getLogger(__name__)


def member_email_queue(*, to: str, subject: str, text: str, html: str = "") -> None:
    """Send a sign-in or verification email from a background task once the request's data is committed."""
    from masthead.members.tasks import member_email_task

    email = OutgoingEmail.objects.create(to=to, subject=subject[:300], text=text, html=html)
    transaction.on_commit(lambda: member_email_task.enqueue(email_id=email.pk))


def member_email_send(*, email_id: int) -> str:
    """One try, then the row goes: a sign-in code is good for minutes, so a message that fails is not retried
    later (the reader asks for a new code); the failure is logged for the admins."""
    email = OutgoingEmail.objects.filter(pk=email_id).first()
    if email is None:
        return "gone"  # sent (or tried) already, or its member deleted their account
    message = EmailMultiAlternatives(subject=email.subject, body=email.text, to=[email.to])
    if email.html:
        message.attach_alternative(email.html, "text/html")
    try:
        message.send()
    except Exception as error:  # noqa: BLE001 (any mail server failure: logged, the reader can ask again)
        log.warning("Member email %s could not be sent (%s: %s)", email_id, type(error).__name__, error)
        return "failed"
    finally:
        OutgoingEmail.objects.filter(pk=email_id).delete()
    return "sent"


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
    OutgoingEmail.objects.filter(to__in=[e for e in emails if e]).delete()
    for subscriber in Subscriber.objects.filter(email__in=[e for e in emails if e]):
        subscriber_forget(subscriber=subscriber)
    user.delete()  # its other sessions end with it: they name a user who no longer exists
