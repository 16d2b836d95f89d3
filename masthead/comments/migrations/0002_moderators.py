"""Editors and Administrators moderate comments (the queue, bans, closing discussions); Administrators also
change the comment settings."""

from django.db import migrations

from masthead.permissions import grant_to_groups

MODERATE = ["change_comment", "view_comment", "delete_comment", "add_ban", "change_ban", "view_ban"]


def forwards(apps, schema_editor):
    grant_to_groups(
        apps,
        "comments",
        {"Editors": MODERATE, "Administrators": [*MODERATE, "change_commentsettings", "view_commentsettings"]},
    )


class Migration(migrations.Migration):
    dependencies = [("comments", "0001_initial"), ("newsroom", "0002_editorial_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
