"""`masthead apikey create NAME` prints a new Content API key; `masthead apikey list` shows them."""

from django.core.management.base import BaseCommand, CommandError

from masthead.api import services
from masthead.api.models import ContentApiKey


class Command(BaseCommand):
    help = "Create or list the keys programs use to read the Content API (/ghost/api/content/)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="make a key and print it")
        create.add_argument("name", help="who will use it, e.g. 'Mobile app'")
        actions.add_parser("list", help="every key with its name")

    def handle(self, *args, action, **options):
        if action == "create":
            try:
                key = services.key_create(name=options["name"])
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(key.secret)
        else:
            for key in ContentApiKey.objects.all():
                used = key.last_used_on.isoformat() if key.last_used_on else "never used"
                self.stdout.write(f"{key.secret}  {key.name}  ({used})")
