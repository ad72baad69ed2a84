"""The home page's counts per status kept by the database (issue 16): a row per status and due
date with how many occurrences have them, moved by triggers on the occurrence table, so that
every write path (the ORM, bulk inserts, cascades, raw SQL) keeps it right.

Inserts are counted by the code that makes occurrences (Occurrence.save, bulk_create,
importers.insert_occurrences), once per status and due date: on SQLite a trigger on INSERT, even
an empty one, doubled the time an import of 39,520 occurrences held the write lock."""

from django.db import migrations, models

OCCURRENCE, COUNT = "obligations_occurrence", "obligations_occurrencecount"
BUMP = (f"INSERT INTO {COUNT} (status, due, n) VALUES ({{status}}, {{due}}, {{step}}) "
        "ON CONFLICT (status, due) DO UPDATE SET n = {table}.n + excluded.n")  # fmt: skip

SQLITE = [
    f"""CREATE TRIGGER occurrence_count_delete AFTER DELETE ON {OCCURRENCE} BEGIN
        {BUMP.format(status="OLD.status", due="OLD.due", step=-1, table=COUNT)}; END""",
    f"""CREATE TRIGGER occurrence_count_update AFTER UPDATE OF status, due ON {OCCURRENCE}
        WHEN OLD.status IS NOT NEW.status OR OLD.due IS NOT NEW.due BEGIN
        {BUMP.format(status="OLD.status", due="OLD.due", step=-1, table=COUNT)};
        {BUMP.format(status="NEW.status", due="NEW.due", step=1, table=COUNT)}; END""",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS occurrence_count_{op}" for op in ("delete", "update")]

# PostgreSQL: the two rows of a change are moved in one fixed order (by status, then due), so
# two transactions never each hold one and wait for the other's.
POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION obligations_occurrence_count_bump(s text, d date, step int)
    RETURNS void AS $$
        {BUMP.format(status="s", due="d", step="step", table=COUNT)};
    $$ LANGUAGE sql""",
    f"""CREATE OR REPLACE FUNCTION obligations_occurrence_count() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            PERFORM obligations_occurrence_count_bump(OLD.status, OLD.due, -1);
        ELSIF OLD.status IS DISTINCT FROM NEW.status OR OLD.due IS DISTINCT FROM NEW.due THEN
            IF (OLD.status, OLD.due) < (NEW.status, NEW.due) THEN
                PERFORM obligations_occurrence_count_bump(OLD.status, OLD.due, -1);
                PERFORM obligations_occurrence_count_bump(NEW.status, NEW.due, 1);
            ELSE
                PERFORM obligations_occurrence_count_bump(NEW.status, NEW.due, 1);
                PERFORM obligations_occurrence_count_bump(OLD.status, OLD.due, -1);
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
    "DROP FUNCTION IF EXISTS obligations_occurrence_count_bump(text, date, int)",
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
    dependencies = [("obligations", "0014_obligation_unresolved_actors")]

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
