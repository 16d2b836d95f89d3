"""The editors' desk's groups: Reporters write and submit, Editors review and publish, Administrators run it all."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PAGE = {
    "Reporters": ["add_page", "change_page"],
    "Editors": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"],
    "Administrators": ["add_page", "change_page", "publish_page", "lock_page", "unlock_page", "delete_page",
                       "bulk_delete_page"],
}
COLLECTION = {
    "Reporters": ["add_image", "choose_image", "add_document", "choose_document"],
    "Editors": ["add_image", "change_image", "choose_image", "add_document", "change_document", "choose_document"],
    "Administrators": ["add_image", "change_image", "delete_image", "choose_image", "add_document",
                       "change_document", "delete_document", "choose_document"],
}
MODEL = {
    "Reporters": [("wagtailadmin", "access_admin"), ("newsroom", "view_author")],
    "Editors": [("wagtailadmin", "access_admin"), ("newsroom", "view_author"), ("newsroom", "add_author"),
                ("newsroom", "change_author"), ("newsroom", "change_newsroomsettings")],
    "Administrators": [("wagtailadmin", "access_admin"), ("newsroom", "view_author"), ("newsroom", "add_author"),
                       ("newsroom", "change_author"), ("newsroom", "delete_author"),
                       ("newsroom", "change_newsroomsettings"), ("members", "add_user"), ("members", "change_user"),
                       ("members", "delete_user"), ("wagtailcore", "add_workflow"), ("wagtailcore", "change_workflow"),
                       ("wagtailcore", "add_task"), ("wagtailcore", "change_task")],
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")

    root_page = Page.objects.get(depth=1)
    root_collection = Collection.objects.get(depth=1)
    for name in PAGE:
        group, _ = Group.objects.get_or_create(name=name)
        # Wagtail's starter "Editors" group exists already: these lists replace what it had.
        GroupPagePermission.objects.filter(group=group).delete()
        GroupCollectionPermission.objects.filter(group=group).delete()
        group.permissions.clear()
        for codename in PAGE[name]:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=permission)
        for codename in COLLECTION[name]:
            app_label = "wagtailimages" if codename.endswith("image") else "wagtaildocs"
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
        for app_label, codename in MODEL[name]:
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


    # Wagtail's own starter group; the newsroom's Editors take its place.
    Group.objects.filter(name="Moderators", user__isnull=True).delete()


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(PAGE)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
        ("wagtailadmin", "0006_formstate"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
