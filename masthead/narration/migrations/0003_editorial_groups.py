"""Editors see every narration, regenerate it and keep the pronunciation lexicon; Administrators too."""

from django.db import migrations

from masthead.permissions import grant_to_groups

GRANTS = {
    "Editors": ["view_narration", "change_narration", "add_pronunciation", "change_pronunciation",
                "delete_pronunciation", "view_pronunciation"],
    "Administrators": ["view_narration", "change_narration", "add_pronunciation", "change_pronunciation",
                       "delete_pronunciation", "view_pronunciation"],
}


def grant(apps, schema_editor):
    grant_to_groups(apps, "narration", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("narration", "0002_pronunciations"), ("newsroom", "0002_editorial_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
