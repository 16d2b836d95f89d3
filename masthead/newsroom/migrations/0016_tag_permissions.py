"""Editors and Administrators manage tags (rename, describe, merge)."""

from django.db import migrations

from masthead.permissions import grant_to_groups

TAGS = ["add_tag", "change_tag", "delete_tag", "view_tag"]


def forwards(apps, schema_editor):
    grant_to_groups(apps, "taggit", {"Editors": TAGS, "Administrators": TAGS})
    grant_to_groups(apps, "newsroom", {"Editors": ["change_tagdetail"], "Administrators": ["change_tagdetail"]})


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0015_tag_detail"), ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
