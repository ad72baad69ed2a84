"""On PostgreSQL the database refuses to change or delete evidence rows, as it does history
rows (migration 0006): a file once attached stays what it was."""

from django.db import migrations

TABLE = "obligations_evidence"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION obligations_history_is_append_only()"
    )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("obligations", "0011_roles")]

    operations = [migrations.RunPython(create, remove)]
