"""Editors write, schedule and send issues; Administrators may also delete them (with their deliveries)."""

from django.db import migrations

from masthead.permissions import grant_to_groups

GRANTS = {
    "Editors": ["add_issue", "change_issue", "view_issue", "send_issue"],
    "Administrators": ["add_issue", "change_issue", "view_issue", "send_issue", "delete_issue"],
}


def grant(apps, schema_editor):
    grant_to_groups(apps, "newsletters", GRANTS)


class Migration(migrations.Migration):
    dependencies = [("newsletters", "0004_issues")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
