"""The S3 API's hot reads and writes (a bucket by name, an object by key, an object's row
written by PutObject), as SQL written once over the models (``accounts.rawsql``).

Every request reads its bucket, GetObject/HeadObject/PutObject an object row, and PutObject
writes one; Django's query compiler costs about a millisecond for each of them, several times
the query itself. The SQL is plain (``=`` on a unique column, parameters bound), and the rows
are converted and the values prepared by the models' fields as the ORM would.
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from accounts import rawsql

from ..models import Bucket, S3Object


@cache
def _select(model) -> tuple[str, rawsql.Reader]:
    fields = model._meta.concrete_fields
    columns = ", ".join(rawsql.quote(f.column) for f in fields)
    # names from the model only (quoted); values are always bound parameters
    return f"SELECT {columns} FROM {rawsql.table(model)}", rawsql.Reader(fields)  # noqa: S608


def _for_update(sql: str, for_update: bool) -> str:
    return f"{sql} FOR UPDATE" if for_update and connection.features.has_select_for_update else sql


def _one(model, where: str, params, for_update: bool):
    select, reader = _select(model)
    values = reader.one(_for_update(f"{select} WHERE {where}", for_update), params)
    if values is None:
        return None
    return model.from_db(connection.alias, [f.attname for f in reader.fields], values)


@cache
def _bucket_where() -> str:
    return f"{rawsql.column(Bucket, 'name')} = %s"


@cache
def _object_where() -> str:
    return f"{rawsql.column(S3Object, 'bucket')} = %s AND {rawsql.column(S3Object, 'key')} = %s"


def bucket_named(name: str, *, for_update: bool = False) -> Bucket | None:
    return _one(Bucket, _bucket_where(), [name], for_update)


def object_at(bucket_id: int, key: bytes, *, for_update: bool = False) -> S3Object | None:
    return _one(S3Object, _object_where(), [bucket_id, key], for_update)


def insert_object(obj: S3Object) -> S3Object:
    """INSERT a new object's row (``obj``: unsaved, its defaults filled in as the model fills
    them), as ``obj.save()`` would; ``obj`` with its primary key. Raises IntegrityError when
    the bucket has the key already."""
    return rawsql.insert(obj)


def update_object(obj: S3Object, values: dict) -> S3Object:
    """UPDATE the fields ``values`` names of an object's row (read, and locked, by this
    transaction), as ``obj.save(update_fields=…)`` would; ``obj`` with those values."""
    for name, value in values.items():
        setattr(obj, name, value)
    return rawsql.update(obj, values)
