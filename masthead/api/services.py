from django.utils import timezone

from masthead.api.models import ContentApiKey


def key_create(*, name: str) -> ContentApiKey:
    name = " ".join(name.split())
    if not name or len(name) > ContentApiKey._meta.get_field("name").max_length:
        raise ValueError("A key needs a name of 1 to 120 characters.")
    return ContentApiKey.objects.create(name=name)


def key_used(*, key: ContentApiKey) -> None:
    """Remember the day a key was last used (one write a key a day at most)."""
    today = timezone.localdate()
    if key.last_used_on != today:
        ContentApiKey.objects.filter(pk=key.pk).update(last_used_on=today)
        key.last_used_on = today
