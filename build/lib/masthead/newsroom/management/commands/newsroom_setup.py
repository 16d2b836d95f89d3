from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand

from masthead.newsroom.services import site_structure_ensure


class Command(BaseCommand):
    help = "Make the site's home page, article archive and review workflow (safe to run again)."

    def handle(self, *args, **options):
        base = urlsplit(settings.BASE_URL)
        home = site_structure_ensure(
            site_name=settings.WAGTAIL_SITE_NAME,
            hostname=base.hostname or "localhost",
            port=base.port or (443 if base.scheme == "https" else 80),
        )
        self.stdout.write(f"Site structure ready: home page {home.pk}.")
