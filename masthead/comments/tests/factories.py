"""Members, articles and comments for the comments tests."""

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group

from masthead.comments.models import Comment
from masthead.members.models import User
from masthead.newsroom.tests.factories import AuthorFactory, published_article


def member(name: str = "Olena", *, email: str | None = None, **extra) -> User:
    """A member as sign-up leaves one: a verified address, no usable password."""
    email = email or f"{name.lower().replace(' ', '.')}@example.com"
    user = User.objects.create_user(username=f"member-{name.lower().replace(' ', '-')}", email=email, **extra)
    user.set_unusable_password()
    user.display_name = name
    user.save()
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def staff(name: str, group: str) -> User:
    user = User.objects.create_user(username=name.lower(), email=f"{name.lower()}@newsroom.test", password="pw-" + name)
    user.display_name = name
    user.save()
    user.groups.add(Group.objects.get(name=group))
    return user


def article_by(writer: User | None = None, **kwargs):
    """A live article; `writer` (a staff user) is on its byline."""
    authors = [AuthorFactory(name=writer.display_name, user=writer)] if writer else []
    return published_article(authors=authors, **kwargs)


def comment(article, by: User, body: str = "A comment.", **kwargs) -> Comment:
    return Comment.objects.create(article=article, member=by, body=body, **kwargs)


def discussion_cast(cls) -> None:
    """What most comments tests start from (in `setUpTestData`): the site, a reporter's live article and two
    members, as `cls.writer`, `cls.article`, `cls.olena`, `cls.petro`."""
    from masthead.newsroom.services import site_structure_ensure

    site_structure_ensure(site_name="Test Newsroom", hostname="testserver")
    cls.writer = staff("Iryna", "Reporters")
    cls.article = article_by(cls.writer, title="Families under pressure", slug="families")
    cls.olena = member("Olena")
    cls.petro = member("Petro")
