"""Editors run the newsletters, see who subscribes and may suppress an address; Administrators may also delete
subscribers and take addresses off the suppression list."""

from django.db import migrations

from masthead.permissions import grant_to_groups

GRANTS = {
    "Editors": [
        "add_newsletter",
        "change_newsletter",
        "view_newsletter",
        "view_subscriber",
        "view_suppression",
        "add_suppression",
    ],
    "Administrators": [
        "add_newsletter",
        "change_newsletter",
        "delete_newsletter",
        "view_newsletter",
        "view_subscriber",
        "delete_subscriber",
        "view_suppression",
        "add_suppression",
        "change_suppression",
        "delete_suppression",
    ],
}


def grant(apps, schema_editor):
    grant_to_groups(apps, "newsletters", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("newsletters", "0001_initial"), ("newsroom", "0002_editorial_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
