from django.core.management.base import BaseCommand, CommandError

from masthead.newsroom.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo newsroom (sections, authors, six weeks of stories) into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("--articles", type=int, default=44, help="How many demo articles (default 44).")

    def handle(self, *args, articles, **options):
        if not 1 <= articles <= 2000:
            raise CommandError("--articles must be between 1 and 2000.")
        try:
            home = load_demo(articles=articles, out=self.stdout)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Demo newsroom loaded: {home.get_url() or '/'}"))
