from django.core.management.base import BaseCommand, CommandError

from masthead.newsroom.corpus import build_corpus

MAX_ARTICLES = 2_000_000


class Command(BaseCommand):
    help = "Grow the newsroom to N synthetic stories for measuring it at scale (the demo newsroom first, if empty)."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, required=True, help="How many stories the newsroom should hold.")
        parser.add_argument("--pictures", type=int, default=24, help="How many drawn pictures the stories share.")
        parser.add_argument("--seed", type=int, default=2026, help="The same seed makes the same newsroom.")

    def handle(self, *args, articles, pictures, seed, **options):
        if not 1 <= articles <= MAX_ARTICLES:
            raise CommandError(f"--articles must be between 1 and {MAX_ARTICLES:,}.")
        if not 1 <= pictures <= 1000:
            raise CommandError("--pictures must be between 1 and 1,000.")
        added = build_corpus(articles=articles, seed=seed, pictures=pictures, out=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"The newsroom holds {articles:,} stories ({added:,} added)."))
