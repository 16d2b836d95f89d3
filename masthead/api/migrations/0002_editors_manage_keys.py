"""Editors and Administrators make and delete Content API keys."""

from django.db import migrations

from masthead.permissions import grant_to_groups

KEYS = ["add_contentapikey", "change_contentapikey", "delete_contentapikey", "view_contentapikey"]


def forwards(apps, schema_editor):
    grant_to_groups(apps, "api", {"Editors": KEYS, "Administrators": KEYS})


class Migration(migrations.Migration):
    dependencies = [("api", "0001_initial"), ("newsroom", "0002_editorial_groups")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
