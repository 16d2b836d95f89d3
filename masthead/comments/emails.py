"""The emails comments cause: a reply to a member, a comment to an article's author, a report to the editors.
Each names the comment's place and links to it; the first two link to the member's page to turn them off."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from masthead.comments.models import Notice


def notice_message(*, notice: Notice) -> EmailMessage | None:
    """The email for a notice, or None when it should not go (the member turned such emails off, left, or the
    comment is no longer shown)."""
    comment = notice.comment
    article = comment.article
    base = settings.BASE_URL
    context = {
        "comment": comment,
        "article_title": article.title,
        "comment_url": f"{base}{reverse('comments:discussion', args=[article.pk])}#comment-{comment.pk}",
        "account_url": f"{base}{reverse('members:account')}",
        "writer": comment.member.public_name if comment.member else "A deleted member",
    }
    if notice.kind == Notice.Kind.REPORT:
        report = notice.report
        to = list(settings.MASTHEAD_EDITORS_EMAIL)
        subject = f"Comment reported: {article.title}"
        context |= {
            "reason": report.get_reason_display() if report else "",
            "queue_url": f"{base}{reverse('comments_admin:queue')}?show=reported",
        }
    else:
        recipient = notice.recipient
        wanted = recipient.notify_replies if notice.kind == Notice.Kind.REPLY else recipient.notify_comments
        if not (recipient and recipient.is_active and recipient.email and wanted):
            return None
        if comment.status != comment.Status.PUBLISHED:
            return None
        to = [recipient.email]
        subject = (
            f"{context['writer']} replied to your comment"
            if notice.kind == Notice.Kind.REPLY
            else f"New comment on “{article.title}”"
        )
    body = render_to_string(f"comments/email/{notice.kind}.txt", context)
    return EmailMessage(subject=subject, body=body, to=to)
