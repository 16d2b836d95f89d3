"""Reporters' page permissions move from the whole tree to the article archive, and they may add an author (a
freelancer for the byline)."""

from django.db import migrations

from masthead.permissions import grant_to_groups


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    ArticleIndexPage = apps.get_model("newsroom", "ArticleIndexPage")
    grant_to_groups(apps, "newsroom", {"Reporters": ["add_author"]})
    reporters = Group.objects.filter(name="Reporters").first()
    if reporters is None:
        return
    GroupPagePermission.objects.filter(group=reporters).delete()
    # A fresh database has no archive yet: `masthead setup` makes it and grants then (services.reporters_grant).
    for archive in ArticleIndexPage.objects.all():
        for permission in Permission.objects.filter(
            content_type__app_label="wagtailcore", codename__in=["add_page", "change_page"]
        ):
            GroupPagePermission.objects.get_or_create(group=reporters, page_id=archive.pk, permission=permission)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0011_section_voice")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
