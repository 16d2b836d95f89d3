"""Editors run the newsletters, see who subscribes and may suppress an address; Administrators may also delete
subscribers and take addresses off the suppression list."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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
    app_config = apps.get_app_config("newsletters")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="newsletters", codename__in=codenames)
        )


class Migration(migrations.Migration):
    dependencies = [("newsletters", "0001_initial"), ("newsroom", "0002_editorial_groups")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
