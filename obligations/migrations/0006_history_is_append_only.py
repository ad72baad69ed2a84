"""On PostgreSQL the database itself refuses to change or delete history rows (the ORM already
refuses; this covers raw SQL and other clients). SQLite relies on the ORM guard."""

from django.db import migrations

TABLES = ("obligations_statuschange", "obligations_obligationchange")
FUNCTION = """
CREATE OR REPLACE FUNCTION obligations_history_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'history is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION, params=None)  # no placeholders: "%" is plpgsql's
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION obligations_history_is_append_only()"
        )


def remove(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS obligations_history_is_append_only()")


class Migration(migrations.Migration):
    dependencies = [("obligations", "0005_reminder_schedule")]

    operations = [migrations.RunPython(create, remove)]
