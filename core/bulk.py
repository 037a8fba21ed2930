"""Many rows written at once, each with its own values: updates by one parametrised statement sent once,
without Django's CASE expression (update_rows); inserts without bulk_create's statement per 76 rows on
SQLite, streamed by COPY on PostgreSQL (insert_rows).

QuerySet.bulk_update writes one UPDATE ... SET field = CASE WHEN pk = 1 THEN ... WHEN pk = 2 THEN ... END
per batch: for a village's 44 ratings with five fields it builds and resolves 220 When expressions, about
25 ms of a rating save's 45 (issue 15's load saves ratings a few times a second). Here it is one
parametrised UPDATE ... WHERE pk = %s, sent once for all the rows (cursor.executemany; psycopg pipelines
it, SQLite's sqlite3 prepares it once), with the values Django would have written (get_db_prep_save).
"""

from django.db import connections, router, transaction
from django.db.models import DateField, DateTimeField, Field, TimeField
from simple_history.utils import get_history_manager_for_model

from core import changes


def update_rows(model, objs, fields: list[str]) -> int:
    """Write the named fields of each object to its row (bulk_update's effect); returns the rows given."""
    objs = list(objs)
    if not objs:
        return 0
    if any(obj.pk is None for obj in objs):
        raise ValueError("update_rows() needs saved objects (each with a primary key).")
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    if any(not field.concrete or field.many_to_many or field.primary_key for field in concrete):
        raise ValueError("update_rows() writes concrete, non-key fields only.")
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete]
        + [meta.pk.get_db_prep_value(obj.pk, connection)]
        for obj in objs
    ]
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        cursor.executemany(sql, params)
    return len(objs)


def update_rows_with_history(
    objs, model, fields: list[str], *, default_user=None, default_change_reason=None
) -> int:
    """update_rows() and a history row of each object, as simple_history's bulk_update_with_history."""
    objs = list(objs)
    with transaction.atomic(using=router.db_for_write(model), savepoint=False):
        written = update_rows(model, objs, fields)
        get_history_manager_for_model(model).bulk_history_create(
            objs, update=True, default_user=default_user, default_change_reason=default_change_reason
        )
    return written


def insert_rows(model, objs) -> int:
    """Write new rows as bulk_create does, without reading their keys back: on SQLite one parametrised INSERT
    sent once for all the rows (executemany), on PostgreSQL a COPY. Django's bulk_create builds a statement
    of 76 rows at most on SQLite (its 999-parameter limit), preparing every value through the compiler:
    6,914 staff of a roster import were half a second; this is a tenth of that. Every object must be new
    (no primary key); auto_now and auto_now_add fields are filled as save() fills them, with one moment for
    all the rows (one write).

    A value a column repeats (a street's id, a role, the day a post starts, that moment) is prepared once:
    get_db_prep_save is a function of the value, and preparing 13,263 rows' values one by one was most of
    a roster import's writing."""
    objs = list(objs)
    if not objs:
        return 0
    meta = model._meta
    if any(obj.pk is not None for obj in objs):
        raise ValueError("insert_rows() writes new objects only (without a primary key).")
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    table, columns = quote(meta.db_table), ", ".join(quote(field.column) for field in fields)
    # auto_now(_add): the first object's value as save() gives it (a date, a local time, a moment), the
    # same for all.
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            stamp = field.pre_save(objs[0], True)
            for obj in objs[1:]:
                setattr(obj, field.attname, stamp)
    # A field whose pre_save does more than read the attribute (a file committed to storage) is asked.
    plain = [type(f).pre_save in READS_ATTRIBUTE for f in fields]
    prepare = [_prepared(field, connection) for field in fields]
    params = [
        [
            prep(getattr(obj, field.attname) if simple else field.pre_save(obj, True))
            for field, prep, simple in zip(fields, prepare, plain, strict=True)
        ]
        for obj in objs
    ]
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A round trip per row, even pipelined, costs more than the row: COPY streams them all
            # (13,263 rows of a roster import: 0.56 -> 0.1 s). It passes no execute wrapper, so the table's
            # change mark (core.changes) is given here.
            # On the driver's own cursor: its errors made Django's (IntegrityError) as execute() does.
            with (
                connection.wrap_database_errors,
                cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
            ):
                for row in params:
                    copy.write_row(row)
            changes.written(connection, meta.db_table)
        else:  # SQLite: prepared once, run per row in C
            values = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({values})", params)
    return len(objs)


# pre_save implementations that only read the attribute (or stamp auto_now fields, done above).
READS_ATTRIBUTE = frozenset({Field.pre_save, DateField.pre_save, DateTimeField.pre_save, TimeField.pre_save})


def _prepared(field, connection):
    """field.get_db_prep_save for one column, each distinct (hashable) value prepared once."""
    seen: dict = {}

    def prepare(value):
        try:
            key = (type(value), value)
            return seen[key]
        except KeyError:
            seen[key] = prepared = field.get_db_prep_save(value, connection)
            return prepared
        except TypeError:  # unhashable (a JSON field's dict)
            return field.get_db_prep_save(value, connection)

    return prepare
