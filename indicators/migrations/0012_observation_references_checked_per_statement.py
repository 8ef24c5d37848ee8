"""Observation's references (indicator, area, import run) checked once per statement, not per row.

A foreign key checks each new row on its own at commit: for a national first import that is
about 300,000 look-ups, 1.1 s of an import whose COPY baseline takes 0.6 s. Here the same rules
are kept by triggers instead:

- PostgreSQL: one check per INSERT statement over all its new rows (a transition table, joined
  to the three tables at once: about 0.06 s for the national file); a row whose reference is
  changed by an UPDATE is checked on its own (the importer never changes one).
- SQLite: a check per row (it has no statement triggers), as its foreign keys did.
- On both, a referenced indicator, area or import run cannot be deleted (or renumbered) while an
  observation refers to it. Django's own on-delete rules run first, as before: deleting an
  indicator deletes its observations, an area with observations is protected, and deleting an
  import run clears the observations' link to it.

The single-column indexes on the three references go too: the natural key (indicator first)
and the (area, indicator, period) index already serve every look-up by indicator or area, and
nothing looks observations up by import run.

On SQLite a later migration that rebuilds one of these four tables drops its triggers with the
old table: such a migration must create them again (tests/indicators/test_observation_references.py
fails on a database without them).
"""

from django.db import migrations, models

OBSERVATION = "indicators_observation"
# (column, referenced table, may be null)
REFERENCES = [
    ("indicator_id", "indicators_indicator", False),
    ("area_id", "indicators_area", False),
    ("import_run_id", "indicators_importrun", True),
]
MESSAGE = "an observation refers to an indicator, area or import run that does not exist"
IN_USE = "an observation still refers to this row"


def _missing(row: str) -> str:
    """SQL true when the row `row` (NEW, or an alias) refers to a row that does not exist."""
    parts = []
    for column, table, nullable in REFERENCES:
        test = f"NOT EXISTS (SELECT 1 FROM {table} r WHERE r.id = {row}.{column})"
        parts.append(f"({row}.{column} IS NOT NULL AND {test})" if nullable else test)
    return " OR ".join(parts)


def _changed(column_list) -> str:
    return " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in column_list)


POSTGRESQL = [
    f"""
    CREATE FUNCTION observation_references_exist() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM new_rows n WHERE {_missing("n")}) THEN
            RAISE foreign_key_violation USING MESSAGE = '{MESSAGE}';
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE TRIGGER observation_references_inserted AFTER INSERT ON {OBSERVATION}
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION observation_references_exist()
    """,
    f"""
    CREATE FUNCTION observation_reference_exists() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF {_missing("NEW")} THEN
            RAISE foreign_key_violation USING MESSAGE = '{MESSAGE}';
        END IF;
        RETURN NULL;
    END $$
    """,
    f"""
    CREATE TRIGGER observation_reference_changed AFTER UPDATE ON {OBSERVATION} FOR EACH ROW
    WHEN ({_changed(c for c, _, _ in REFERENCES)})
    EXECUTE FUNCTION observation_reference_exists()
    """,
]
for column, table, _ in REFERENCES:
    POSTGRESQL += [
        f"""
        CREATE FUNCTION {table}_unreferenced() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM {OBSERVATION} o JOIN old_rows d ON o.{column} = d.id) THEN
                RAISE foreign_key_violation USING MESSAGE = '{IN_USE} ({table})';
            END IF;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {table}_deleted AFTER DELETE ON {table}
        REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {table}_unreferenced()
        """,
        f"""
        CREATE FUNCTION {table}_renumbered() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM {OBSERVATION} o WHERE o.{column} = OLD.id) THEN
                RAISE foreign_key_violation USING MESSAGE = '{IN_USE} ({table})';
            END IF;
            RETURN NULL;
        END $$
        """,
        f"""
        CREATE TRIGGER {table}_renumbered AFTER UPDATE ON {table} FOR EACH ROW
        WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION {table}_renumbered()
        """,
    ]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER observation_references_inserted ON {OBSERVATION}",
    f"DROP TRIGGER observation_reference_changed ON {OBSERVATION}",
    "DROP FUNCTION observation_references_exist()",
    "DROP FUNCTION observation_reference_exists()",
]
for _, table, _ in REFERENCES:
    POSTGRESQL_REVERSE += [
        f"DROP TRIGGER {table}_deleted ON {table}",
        f"DROP TRIGGER {table}_renumbered ON {table}",
        f"DROP FUNCTION {table}_unreferenced()",
        f"DROP FUNCTION {table}_renumbered()",
    ]

SQLITE = [
    f"""
    CREATE TRIGGER observation_references_inserted BEFORE INSERT ON {OBSERVATION}
    WHEN {_missing("NEW")} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER observation_reference_changed BEFORE UPDATE ON {OBSERVATION}
    WHEN ({_changed(c for c, _, _ in REFERENCES)}) AND ({_missing("NEW")})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
]
for column, table, _ in REFERENCES:
    SQLITE += [
        f"""
        CREATE TRIGGER {table}_deleted BEFORE DELETE ON {table}
        WHEN EXISTS (SELECT 1 FROM {OBSERVATION} o WHERE o.{column} = OLD.id)
        BEGIN SELECT RAISE(ABORT, '{IN_USE} ({table})'); END
        """,
        f"""
        CREATE TRIGGER {table}_renumbered BEFORE UPDATE OF id ON {table}
        WHEN OLD.id IS NOT NEW.id
            AND EXISTS (SELECT 1 FROM {OBSERVATION} o WHERE o.{column} = OLD.id)
        BEGIN SELECT RAISE(ABORT, '{IN_USE} ({table})'); END
        """,
    ]
SQLITE_REVERSE = [
    "DROP TRIGGER observation_references_inserted",
    "DROP TRIGGER observation_reference_changed",
]
SQLITE_REVERSE += [
    f"DROP TRIGGER {table}_{name}"
    for _, table, _ in REFERENCES
    for name in ("deleted", "renumbered")
]


def _run(statements: dict[str, list[str]]):
    def run(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("indicators", "0011_observation_fillfactor_for_hot_updates")]

    operations = [
        migrations.AlterField(
            model_name="observation",
            name="indicator",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="observations",
                to="indicators.indicator",
            ),
        ),
        migrations.AlterField(
            model_name="observation",
            name="area",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.PROTECT,
                related_name="observations",
                to="indicators.area",
            ),
        ),
        migrations.AlterField(
            model_name="observation",
            name="import_run",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=models.deletion.SET_NULL,
                related_name="observations",
                to="indicators.importrun",
            ),
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRESQL, "sqlite": SQLITE}),
            _run({"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}),
        ),
    ]
