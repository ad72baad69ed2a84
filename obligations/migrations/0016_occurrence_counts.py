"""The home page's counts per status kept by the database (issue 16): a row per status and due
date with how many occurrences have them, moved by triggers on the occurrence table, so that
every write path (the ORM, bulk inserts, cascades, raw SQL) keeps it right.

Inserts are counted by the code that makes occurrences (Occurrence.save, bulk_create,
importers.insert_occurrences), once per status and due date: on SQLite a trigger on INSERT, even
an empty one, doubled the time an import of 39,520 occurrences held the write lock."""

from django.db import migrations, models

OCCURRENCE, COUNT = "obligations_occurrence", "obligations_occurrencecount"
BUMP = (f"INSERT INTO {COUNT} (status, due, n) VALUES ({{status}}, {{due}}, 1) "
        "ON CONFLICT (status, due) DO UPDATE SET n = {table}.n + 1")  # fmt: skip
# An occurrence that goes was counted: its row is there. (Never an insert: when a test database
# is flushed, the count table may be emptied before the occurrences, in any order.)
DROP = f"UPDATE {COUNT} SET n = n - 1 WHERE status = {{status}} AND due = {{due}}"

SQLITE = [
    f"""CREATE TRIGGER occurrence_count_delete AFTER DELETE ON {OCCURRENCE} BEGIN
        {DROP.format(status="OLD.status", due="OLD.due")}; END""",
    f"""CREATE TRIGGER occurrence_count_update AFTER UPDATE OF status, due ON {OCCURRENCE}
        WHEN OLD.status IS NOT NEW.status OR OLD.due IS NOT NEW.due BEGIN
        {DROP.format(status="OLD.status", due="OLD.due")};
        {BUMP.format(status="NEW.status", due="NEW.due", table=COUNT)}; END""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS occurrence_count_{op}" for op in ("delete", "update")]

# PostgreSQL: the two rows of a change are moved in one fixed order (by status, then due), so
# two transactions never each hold one and wait for the other's.
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION obligations_occurrence_count() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            {DROP.format(status="OLD.status", due="OLD.due")};
        ELSIF OLD.status IS DISTINCT FROM NEW.status OR OLD.due IS DISTINCT FROM NEW.due THEN
            IF (OLD.status, OLD.due) < (NEW.status, NEW.due) THEN
                {DROP.format(status="OLD.status", due="OLD.due")};
                {BUMP.format(status="NEW.status", due="NEW.due", table=COUNT)};
            ELSE
                {BUMP.format(status="NEW.status", due="NEW.due", table=COUNT)};
                {DROP.format(status="OLD.status", due="OLD.due")};
            END IF;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER occurrence_count AFTER DELETE OR UPDATE OF status, due
        ON {OCCURRENCE} FOR EACH ROW EXECUTE FUNCTION obligations_occurrence_count()""",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS occurrence_count ON {OCCURRENCE}",
    "DROP FUNCTION IF EXISTS obligations_occurrence_count()",
]
FILL = (f"INSERT INTO {COUNT} (status, due, n) SELECT status, due, COUNT(*) FROM {OCCURRENCE} "
        "GROUP BY status, due")  # fmt: skip


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in [*(POSTGRES if postgres else SQLITE), FILL]:
        schema_editor.execute(sql, params=None)  # no placeholders: "%" would be taken for one


def remove(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for sql in POSTGRES_DROP if postgres else SQLITE_DROP:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("obligations", "0015_feed_revocation_window_fetched")]

    operations = [
        migrations.CreateModel(
            name="OccurrenceCount",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),  # fmt: skip
                ("status", models.CharField(max_length=20)),
                ("due", models.DateField()),
                ("n", models.BigIntegerField(default=0)),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("status", "due"), name="occurrence_count_key"
                    )
                ],
            },
        ),
        migrations.RunPython(create, remove),
    ]
