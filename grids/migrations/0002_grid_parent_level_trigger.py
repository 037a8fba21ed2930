"""Enforce in the database that a grid's parent is exactly one level up and shares its ancestors.

A CHECK constraint cannot look at another row, so this is a trigger (one for SQLite, one for
PostgreSQL). The row-local rules are CHECK constraints in 0001.
"""

from django.db import migrations

SQLITE_CONDITION = """
NEW.parent_id IS NOT NULL AND (
    (SELECT level FROM grids_grid WHERE id = NEW.parent_id) IS NOT NEW.level - 1
    OR (NEW.level = 3 AND NEW.street_id IS NOT (SELECT street_id FROM grids_grid WHERE id = NEW.parent_id))
    OR (NEW.level = 4 AND (
        NEW.street_id IS NOT (SELECT street_id FROM grids_grid WHERE id = NEW.parent_id)
        OR NEW.community_id IS NOT (SELECT community_id FROM grids_grid WHERE id = NEW.parent_id)))
)
"""
SQLITE_FORWARD = [
    f"""CREATE TRIGGER grids_grid_parent_insert BEFORE INSERT ON grids_grid
        WHEN {SQLITE_CONDITION}
        BEGIN SELECT RAISE(ABORT, 'grid parent must be one level up, in the same street and community'); END""",
    f"""CREATE TRIGGER grids_grid_parent_update BEFORE UPDATE OF parent_id, level, street_id, community_id ON grids_grid
        WHEN {SQLITE_CONDITION}
        BEGIN SELECT RAISE(ABORT, 'grid parent must be one level up, in the same street and community'); END""",
    """CREATE TRIGGER grids_grid_level_with_children BEFORE UPDATE OF level ON grids_grid
        WHEN NEW.level <> OLD.level AND EXISTS (SELECT 1 FROM grids_grid WHERE parent_id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'the level of a grid with children cannot change'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS grids_grid_parent_insert",
    "DROP TRIGGER IF EXISTS grids_grid_parent_update",
    "DROP TRIGGER IF EXISTS grids_grid_level_with_children",
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION grids_grid_check_parent() RETURNS trigger AS $$
    DECLARE p RECORD;
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.level <> OLD.level
           AND EXISTS (SELECT 1 FROM grids_grid WHERE parent_id = NEW.id) THEN
            RAISE EXCEPTION 'the level of a grid with children cannot change'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.parent_id IS NULL THEN
            RETURN NEW;
        END IF;
        SELECT level, street_id, community_id INTO p FROM grids_grid WHERE id = NEW.parent_id;
        IF p.level IS DISTINCT FROM NEW.level - 1
           OR (NEW.level = 3 AND NEW.street_id IS DISTINCT FROM p.street_id)
           OR (NEW.level = 4 AND (NEW.street_id IS DISTINCT FROM p.street_id
                                  OR NEW.community_id IS DISTINCT FROM p.community_id)) THEN
            RAISE EXCEPTION 'grid parent must be one level up, in the same street and community'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER grids_grid_parent BEFORE INSERT OR UPDATE OF parent_id, level, street_id, community_id
        ON grids_grid FOR EACH ROW EXECUTE FUNCTION grids_grid_check_parent()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS grids_grid_parent ON grids_grid",
    "DROP FUNCTION IF EXISTS grids_grid_check_parent()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("grids", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
