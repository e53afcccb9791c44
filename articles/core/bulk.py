"""Bulk writes of plain tuples: the layer under the importer, duplicate finding and merges.

Building a model instance per row cost more than everything else the
importer does per article, so rows go in as tuples. On PostgreSQL rows
that cannot conflict go in with COPY; elsewhere one executemany()
statement. Nothing here knows about articles: callers name the model,
its fields and the rows.
"""

from __future__ import annotations

import io
import json

from django.db import IntegrityError, connection, models, transaction
from django.db.models.constants import OnConflict

# psycopg2 reads COPY data in pieces of this size (its default, 8 KiB, made
# hundreds of calls for one batch of articles).
COPY_READ_SIZE = 1 << 20


def chunked(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start:start + size]


def insert_rows(model, fields, rows, *, ignore_conflicts=False):
    """INSERT plain tuples, without model instances.

    Band keys are 32 rows per article; building a model instance for each
    cost more than everything else the importer does per article. On
    PostgreSQL rows that cannot conflict go in one COPY: less work for the
    database than multi-row INSERT, and no parameters for
    psycopg2 to quote one by one. Rows that may conflict go in multi-row
    INSERT ... ON CONFLICT DO NOTHING. Elsewhere (SQLite)
    one statement runs for every row in C (executemany): through Django as
    fast as multi-row statements, without their 999-parameter chunks.
    """
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    conflicts = OnConflict.IGNORE if ignore_conflicts else None
    insert = f"{connection.ops.insert_statement(on_conflict=conflicts)} {table} ({columns}) VALUES"
    suffix = connection.ops.on_conflict_suffix_sql(fields, conflicts, None, None) if conflicts else ""
    placeholder = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(f"{insert} {placeholder} {suffix}", rows)
        elif not ignore_conflicts and hasattr(cursor.cursor, "copy_expert"):
            with connection.wrap_database_errors:
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(copy_text(rows)),
                                          size=COPY_READ_SIZE)
        else:
            per_statement = max(1, 20_000 // len(fields))
            for start in range(0, len(rows), per_statement):
                chunk = rows[start:start + per_statement]
                cursor.execute(f"{insert} {', '.join([placeholder] * len(chunk))} {suffix}",
                               [value for row in chunk for value in row])


def copy_text(rows):
    """Rows in COPY's text format: tab-separated, one line per row.

    Column by column, so that a column of plain numbers or of text with
    nothing to escape costs no Python call per value.
    """
    columns = [copy_column(column) for column in zip(*rows)]
    template = "\t".join(["%s"] * len(columns)) + "\n"
    return "".join([template % row for row in zip(*columns)])


def copy_column(values):
    """One column's values as COPY text: numbers, and text with nothing to escape, as they are."""
    kinds = set(map(type, values))
    if kinds == {int}:
        return values
    if kinds == {str}:
        joined = "".join(values)
        return list(map(copy_escape, values)) if any(c in joined for c in "\\\t\n\r") else values
    return list(map(copy_value, values))


def copy_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return copy_escape(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "\\\\x" + bytes(value).hex()  # bytea hex input, its backslash escaped for COPY
    return str(value)  # numbers; datetimes print as ISO 8601, which PostgreSQL reads


def copy_escape(text):
    # The only characters COPY's text format gives a meaning to.
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def with_defaults(model, fields):
    """`fields` plus the model's other columns but the primary key, and their
    default values: raw inserts must name every NOT NULL column."""
    others = [f for f in model._meta.concrete_fields if not f.primary_key and f.name not in fields]
    return [*fields, *(f.name for f in others)], tuple(_raw_default(f) for f in others)


def _raw_default(field):
    # A JSON default as its text: the driver's JSON adapter means nothing in COPY's text format.
    if isinstance(field, models.JSONField):
        return json.dumps(field.get_default())
    return field.get_db_prep_save(field.get_default(), connection)


def copy_new_rows(model, fields, rows):
    """On PostgreSQL, COPY rows expected to be new, with ids taken from the
    table's sequence: returns the ids, in order. None when COPY is not
    available or a row conflicted; then nothing was inserted.

    COPY cannot skip conflicts, so it runs in a savepoint: a concurrent
    import writing the same article makes it fail as a whole, and the
    caller falls back to INSERT ... ON CONFLICT DO NOTHING.
    """
    if connection.vendor != "postgresql" or not rows:
        return None
    with connection.cursor() as cursor:
        if not hasattr(cursor.cursor, "copy_expert"):
            return None
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                       [model._meta.db_table, model._meta.pk.column, len(rows)])
        ids = [row[0] for row in cursor.fetchall()]
    try:
        with transaction.atomic():
            insert_rows(model, ["id", *fields], [(pk, *row) for pk, row in zip(ids, rows)])
    except IntegrityError:
        return None
    return ids




def statistics_refresh(models):
    """Have the database re-read the size and value spread of tables that just grew.

    Without it PostgreSQL plans queries on a freshly imported archive as if
    its tables were empty; it would only notice once autovacuum got round
    to it. ANALYZE samples a bounded number of rows, whatever the size.
    """
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {tables}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
