"""Hot lookups as SQL written once, over the models' own tables and columns.

Django's query compiler costs about a millisecond for each query (much more than the
database's own work for a lookup by a unique column), and the API pays it on every request:
the caller's access key, the bucket, the object, the audit event, PutObject's row. These
helpers skip the compiler and keep the rest of the ORM's contract: table and column names come from the models (quoted), values are
always bound parameters, values read are converted to Python as a queryset converts them (the
backend's converters and the field's own: datetimes, JSON, booleans), and values written are
prepared by their fields. Errors are Django's (``DatabaseError``), through Django's cursor.

Floors: this module reads the models' metadata only; it knows no model.
"""

from __future__ import annotations

from functools import cache
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.base import DEFERRED


def quote(name: str, using: str = DEFAULT_DB_ALIAS) -> str:
    return connections[using].ops.quote_name(name)


def table(model, alias: str | None = None, using: str = DEFAULT_DB_ALIAS) -> str:
    """``"table"`` or ``"table" alias`` for a FROM or JOIN clause."""
    name = quote(model._meta.db_table, using)
    return f"{name} {alias}" if alias else name


def column(model, field_name: str, alias: str | None = None, using: str = DEFAULT_DB_ALIAS) -> str:
    """A field's column, quoted, qualified by ``alias`` when given."""
    name = quote(model._meta.get_field(field_name).column, using)
    return f"{alias}.{name}" if alias else name


class Reader:
    """Rows whose columns are ``fields`` (model fields, in the order selected), converted to
    Python values as the ORM would convert them. The converters are looked up once per
    database connection wrapper (each thread has its own)."""

    def __init__(self, fields, using: str = DEFAULT_DB_ALIAS):
        self.fields = tuple(fields)
        self.using = using
        self._columns = tuple(f.get_col(f.model._meta.db_table) for f in self.fields)
        self._converters: WeakKeyDictionary = WeakKeyDictionary()

    def _converters_for(self, conn) -> list:
        found = self._converters.get(conn)
        if found is None:
            found = []
            for index, col in enumerate(self._columns):
                convs = conn.ops.get_db_converters(col) + col.get_db_converters(conn)
                if convs:
                    found.append((index, col, tuple(convs)))
            self._converters[conn] = found
        return found

    def convert(self, row, conn) -> list:
        values = list(row)
        for index, col, convs in self._converters_for(conn):
            value = values[index]
            for convert in convs:
                value = convert(value, col, conn)
            values[index] = value
        return values

    def one(self, sql: str, params) -> list | None:
        """The first row of ``sql`` (its values converted), or None."""
        conn = connections[self.using]
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        return None if row is None else self.convert(row, conn)


def instance(model, values: dict, using: str = DEFAULT_DB_ALIAS):
    """A model instance loaded from the database with only the ``values`` given (attnames; the
    other fields deferred, as ``QuerySet.only`` leaves them), as the ORM builds one."""
    names = model._meta.concrete_fields
    return model.from_db(using, list(values), [values.get(f.attname, DEFERRED) for f in names])


@cache
def _insert_sql(model, using: str) -> tuple[str, tuple, bool]:
    conn = connections[using]
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key)
    names = ", ".join(quote(f.column, using) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {table(model, using=using)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    returning = conn.features.can_return_columns_from_insert
    if returning:
        sql = f"{sql} RETURNING {quote(model._meta.pk.column, using)}"
    return sql, fields, returning


def insert(obj, using: str = DEFAULT_DB_ALIAS):
    """INSERT ``obj`` (a new instance of a model with an automatic primary key, its defaults
    filled in by the model's constructor) as ``obj.save()`` would, without signals; returns
    ``obj`` with its primary key. Raises IntegrityError as ``save`` does."""
    model = type(obj)
    conn = connections[using]
    sql, fields, returning = _insert_sql(model, using)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection=conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            obj.pk = cursor.fetchone()[0]
        else:
            obj.pk = conn.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    obj._state.adding = False
    obj._state.db = using
    return obj


@cache
def _update_sql(model, names: tuple[str, ...], using: str) -> tuple[str, tuple]:
    fields = tuple(model._meta.get_field(name) for name in names)
    assignments = ", ".join(f"{quote(f.column, using)} = %s" for f in fields)
    where = quote(model._meta.pk.column, using)
    sql = f"UPDATE {table(model, using=using)} SET {assignments} WHERE {where} = %s"  # noqa: S608 - names from the model
    return sql, fields


def update(obj, names, using: str = DEFAULT_DB_ALIAS):
    """UPDATE the fields ``names`` of ``obj``'s row to ``obj``'s values, as
    ``obj.save(update_fields=names)`` would, without signals; returns ``obj``."""
    conn = connections[using]
    sql, fields = _update_sql(type(obj), tuple(names), using)
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection=conn) for f in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
    return obj
