from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.newsletters import imports
from masthead.newsletters.models import Newsletter
from masthead.newsroom.demo import progress

MAX_BYTES = 500 * 1024 * 1024


class Command(BaseCommand):
    help = "Import subscribers to one newsletter from a CSV (Mailchimp, Substack or Ghost export, or a plain list)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--newsletter", required=True, help="The newsletter's slug.")
        parser.add_argument("--format", default="auto", choices=["auto", *imports.FORMATS])
        parser.add_argument(
            "--confirmed", action="store_true", help="A plain list's addresses have confirmed already (no email)."
        )

    def handle(self, *args, file, newsletter, format, confirmed, **options):
        letter = Newsletter.objects.filter(slug=newsletter).first()
        if letter is None:
            raise CommandError(f"No newsletter {newsletter!r}; see the Newsletters admin for their slugs.")
        if not file.is_file():
            raise CommandError(f"No file at {file}.")
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise CommandError(f"The file is {size // 2**20} MB; split it under {MAX_BYTES // 2**20} MB.")
        with file.open(encoding="utf-8-sig", newline="") as text:
            try:
                lines = max(1, sum(1 for _ in text) - 1)
                text.seek(0)
                detected, rows = imports.rows_read(text, name=file.name, format=format)
                report = imports.subscribers_import(
                    rows=rows,
                    newsletter=letter,
                    format=detected,
                    confirmed=confirmed,
                    progress=lambda done: progress(min(done, lines), lines, f"{done:,} rows", self.stdout),
                )
            except imports.ImportFileError as error:
                raise CommandError(f"{file.name}: {error}") from error
            except UnicodeDecodeError as error:
                raise CommandError(f"{file.name}: not UTF-8 text; save it as CSV UTF-8 and try again.") from error
        self.stdout.write("\n".join(report.lines()))
