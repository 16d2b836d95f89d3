from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.operations.backup import BackupError, backup_write


class Command(BaseCommand):
    help = "Write one archive with the database (consistent while the site runs) and the media files."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="Where to write it (default var/backups/masthead-<UTC>.tar.gz)."
        )
        parser.add_argument("--keep", type=int, help="Then delete all but the newest KEEP archives in its folder.")

    def handle(self, *args, output, keep, verbosity, **options):
        if keep is not None and keep < 1:
            raise CommandError("--keep must be 1 or more.")
        try:
            path = backup_write(path=output, keep=keep, out=self.stdout if verbosity else None)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size / 2**20
        if verbosity:
            self.stdout.write(self.style.SUCCESS(f"Backup written: {path} ({size:.1f} MB)"))
