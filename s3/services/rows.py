"""The S3 API's hot reads (a bucket by name, an object by key), as raw SQL over the models.

Every request reads its bucket, and GetObject/HeadObject/PutObject an object row; Django's
query compiler costs about a millisecond for each of them, several times the query itself.
``Model.objects.raw`` with SQL written once skips the compiler and still converts the values
as the ORM does. The SQL is plain (``=`` on a unique column, parameters bound).
"""

from __future__ import annotations

from functools import cache

from django.db import connection

from ..models import Bucket, S3Object


@cache
def _select(model) -> str:
    meta = model._meta
    columns = ", ".join(connection.ops.quote_name(f.column) for f in meta.concrete_fields)
    # names from the model only (quoted); values are always bound parameters
    return f"SELECT {columns} FROM {connection.ops.quote_name(meta.db_table)}"  # noqa: S608


def _for_update(sql: str, for_update: bool) -> str:
    return f"{sql} FOR UPDATE" if for_update and connection.features.has_select_for_update else sql


def bucket_named(name: str, *, for_update: bool = False) -> Bucket | None:
    sql = _for_update(f"{_select(Bucket)} WHERE {connection.ops.quote_name('name')} = %s", for_update)
    found = list(Bucket.objects.raw(sql, [name]))
    return found[0] if found else None


def object_at(bucket_id: int, key: bytes, *, for_update: bool = False) -> S3Object | None:
    quote = connection.ops.quote_name
    sql = _for_update(
        f"{_select(S3Object)} WHERE {quote('bucket_id')} = %s AND {quote('key')} = %s", for_update
    )
    found = list(S3Object.objects.raw(sql, [bucket_id, key]))
    return found[0] if found else None
