"""`masthead search_index`: index every live story for the search page (after an import or a restore; stories
published in the admin are indexed as they are published)."""

from django.core.management.base import BaseCommand

from masthead.discovery import services


class Command(BaseCommand):
    help = "Build the search page's index of every live story (with a progress bar)."

    def add_arguments(self, parser):
        parser.add_argument("--if-incomplete", action="store_true", help="only when live stories are missing")

    def handle(self, *args, if_incomplete=False, **options):
        if if_incomplete and not services.search_index_missing():
            self.stdout.write("The search index holds every live story.")
            return
        count = services.search_index_rebuild(out=self.stdout)
        self.stdout.write(f"\nIndexed {count} stories.")
