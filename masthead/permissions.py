"""Granting an app's permissions to the editorial groups, for the data migrations that do it."""

from django.contrib.auth.management import create_permissions


def grant_to_groups(apps, app_label: str, grants: dict[str, list[str]]) -> None:
    """Give each group (made if missing) these permissions of the app, creating them first: a fresh database
    has none until migrations finish."""
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in grants.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
