from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from masthead.operations.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Replace this site's database and media files with those of a `masthead backup` archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument(
            "--yes", "--no-input", "--noinput", dest="yes", action="store_true", help="Do not ask for confirmation."
        )

    def handle(self, *args, archive, yes, verbosity, **options):
        try:
            restored = backup_restore(
                path=archive, confirm=None if yes else self.confirm, out=self.stdout if verbosity else None
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = restored.manifest
        self.stdout.write(
            f"Restored {archive.name}: made {manifest['created_at']} by Masthead "
            f"{manifest.get('masthead_version') or '(unknown version)'}, {restored.media_files} media files."
        )
        self.stdout.write(f"{'':12} {'archive':>10} {'restored':>10}")
        for name, (archived, now) in restored.counts.items():
            note = "" if archived == now else "  (differs: migrations may have changed it)"
            self.stdout.write(f"{name:12} {archived if archived is not None else '-':>10} {now:>10}{note}")

    def confirm(self, manifest: dict) -> bool:
        self.stdout.write(
            f"This replaces the database and the media files of this site with the backup made "
            f"{manifest['created_at']}. Stop `masthead serve` and `masthead worker` first."
        )
        try:
            return input("Type 'yes' to restore: ").strip().lower() == "yes"
        except EOFError:
            return False
