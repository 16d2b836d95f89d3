import sys

from django.core.management.base import BaseCommand, CommandError

from masthead.newsletters import imports
from masthead.newsletters.models import Newsletter, Subscription


class Command(BaseCommand):
    help = "Export one newsletter's subscribers as CSV to standard output."

    def add_arguments(self, parser):
        parser.add_argument("--newsletter", required=True, help="The newsletter's slug.")
        parser.add_argument("--status", default="active", choices=[*Subscription.Status.values, "all"])

    def handle(self, *args, newsletter, status, **options):
        letter = Newsletter.objects.filter(slug=newsletter).first()
        if letter is None:
            raise CommandError(f"No newsletter {newsletter!r}; see the Newsletters admin for their slugs.")
        statuses = Subscription.Status.values if status == "all" else [status]
        count = imports.subscribers_export(newsletter=letter, statuses=statuses, out=self.stdout)
        sys.stderr.write(f"{count:,} subscribers exported.\n")
