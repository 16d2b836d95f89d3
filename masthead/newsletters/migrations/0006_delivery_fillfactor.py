"""On PostgreSQL, room on each page of the deliveries table for the two updates a row gets as it is sent (to
"sending", to "sent"): they then stay on the row's page (HOT) and write no index. SQLite has no such setting."""

from django.db import migrations


def fillfactor(percent: int):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            table = schema_editor.quote_name(apps.get_model("newsletters", "Delivery")._meta.db_table)
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {percent})")

    return apply


class Migration(migrations.Migration):
    dependencies = [("newsletters", "0005_issue_permissions")]

    operations = [migrations.RunPython(fillfactor(50), fillfactor(100))]
