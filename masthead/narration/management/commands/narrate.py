from django.core.management.base import BaseCommand

from masthead.narration import services


class Command(BaseCommand):
    help = "Narrate the live articles now, with a progress bar: --missing (no audio for their text yet) or --all."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--missing", action="store_true", help="only articles without audio for their text")
        which.add_argument("--all", action="store_true", help="every article, again")

    def handle(self, *args, **options):
        counts = services.narrations_make(every=options["all"], out=self.stdout)
        self.stdout.write(f"{counts['ready']} narrated, {counts['failed']} failed, {counts['skipped']} already done.")
