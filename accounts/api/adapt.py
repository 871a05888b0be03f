"""Translating between AWS's names and the services': parameters in, shapes out.

A handler gets boto3-shaped parameters (``{"UserName": "kim", "Tags": [...]}``) and passes them
to its service function in snake case (``user_name``); a service's shape (``shapes.User``) goes
back out with AWS's member names (``UserName``, ``CreateDate``). IAM returns policy documents
URL-encoded (RFC 3986): every member of botocore's ``policyDocumentType`` is encoded here.
Pure Python: no Django, no models.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from datetime import date, datetime
from functools import cache
from urllib.parse import quote

from ..errors import InvalidInput, ValidationError

_SNAKE_1 = re.compile(r"([A-Z]+)([A-Z][a-z])")
_SNAKE_2 = re.compile(r"([a-z0-9])([A-Z])")


@cache
def snake(name: str) -> str:
    """``UserName`` → ``user_name``, ``VirtualMFADeviceName`` → ``virtual_mfa_device_name``."""
    return _SNAKE_2.sub(r"\1_\2", _SNAKE_1.sub(r"\1_\2", name)).lower()


@cache
def pascal(name: str) -> str:
    """``user_name`` → ``UserName`` (a shape's field names are chosen so this gives AWS's)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


_SCALARS = (str, int, float, bool, bytes, datetime, date)


@cache
def _members(cls) -> tuple[tuple[str, str], ...] | None:
    """A shape class's (field, AWS member) names, or None for what is no dataclass."""
    if not dataclasses.is_dataclass(cls):
        return None
    return tuple((f.name, pascal(f.name)) for f in dataclasses.fields(cls))


def to_aws(value):
    """A shape (dataclass), or lists and dicts of them, with AWS's member names."""
    if isinstance(value, _SCALARS) or value is None:
        return value
    members = _members(type(value))
    if members is not None:
        out = {}
        for name, member in members:
            item = getattr(value, name)
            if item is not None:
                out[member] = item if isinstance(item, _SCALARS) else to_aws(item)
        return out
    if isinstance(value, list | tuple):
        return [to_aws(v) for v in value]
    if isinstance(value, dict):
        return {k: to_aws(v) for k, v in value.items()}
    return value


@cache
def _accepted(fn) -> frozenset[str]:
    return frozenset(p.name for p in inspect.signature(fn).parameters.values() if p.kind == p.KEYWORD_ONLY)


@cache
def _required(fn) -> tuple[str, ...]:
    return tuple(
        p.name
        for p in inspect.signature(fn).parameters.values()
        if p.kind == p.KEYWORD_ONLY and p.default is p.empty
    )


def _is_iam_user(actor) -> bool:
    return not actor.is_root and not actor.is_role_session and bool(actor.name)


def call(
    fn,
    actor,
    params: dict,
    *,
    rename: dict | None = None,
    ignore: tuple[str, ...] = (),
    caller_default: str | None = None,
    **extra,
):
    """Call the service ``fn(actor, **kwargs)`` with the request's parameters in snake case.

    ``rename`` maps an AWS name to a keyword of another name; ``ignore`` lists parameters that
    change nothing here; ``caller_default`` names the keyword (``user_name``) that, when the
    request leaves it out, is the calling IAM user's own name (AWS's rule for the parameters
    its model marks optional for that reason). A parameter the service does not take is
    refused (InvalidInput), so that no request is silently half-done; one the service needs
    but the request lacks (optional in AWS's model, for callers this server does not have) is
    AWS's ``Member must not be null`` ValidationError."""
    kwargs = dict(extra)
    accepted = _accepted(fn)
    for name, value in params.items():
        if name in ignore:
            continue
        key = (rename or {}).get(name) or snake(name)
        if key not in accepted:
            raise InvalidInput(f"The parameter {name} is not supported by this IAM emulator yet.")
        kwargs[key] = value
    if caller_default and caller_default not in kwargs and _is_iam_user(actor):
        kwargs[caller_default] = actor.name
    missing = [key for key in _required(fn) if key not in kwargs]
    if missing:
        raise ValidationError(_null_members(missing, rename))
    return fn(actor, **kwargs)


def _null_members(keys: list[str], rename: dict | None) -> str:
    """AWS's wording for required members that are absent (``Value null at 'userName'``)."""
    aws_names = {v: k for k, v in (rename or {}).items()}
    paths = [(aws_names.get(key) or pascal(key)) for key in keys]
    problems = [
        f"Value null at '{path[:1].lower() + path[1:]}' failed to satisfy constraint: Member must not be null"
        for path in paths
    ]
    count = len(problems)
    return f"{count} validation error{'s' if count > 1 else ''} detected: " + "; ".join(problems)


def page(key: str, convert=to_aws):
    """The result of a paged list: ``{key: [...], "IsTruncated": …, "Marker": …}``."""

    def result(found) -> dict:
        out = {key: [convert(item) for item in found.items], "IsTruncated": found.is_truncated}
        if found.marker:
            out["Marker"] = found.marker
        return out

    return result


def wrap(key: str):
    """The result ``{key: shape}``."""
    return lambda found: {key: to_aws(found)}


def _is_document(shape) -> bool:
    return shape.type_name == "string" and shape.name == "policyDocumentType"


@cache
def _holds_documents(shape) -> bool:
    """Whether a policy document can be found below ``shape`` (most outputs hold none)."""
    if _is_document(shape):
        return True
    if shape.type_name == "structure":
        return any(_holds_documents(member) for member in shape.members.values())
    if shape.type_name == "list":
        return _holds_documents(shape.member)
    return False


def encode_policy_documents(result, shape) -> None:
    """URL-encode, in place, every ``policyDocumentType`` string of ``result`` (IAM's rule)."""
    if result is None or shape is None or not _holds_documents(shape):
        return
    kind = shape.type_name
    if kind == "structure" and isinstance(result, dict):
        for name, member in shape.members.items():
            value = result.get(name)
            if value is None:
                continue
            if _is_document(member):
                result[name] = quote(value, safe="-_.!~*'()")
            else:
                encode_policy_documents(value, member)
    elif kind == "list" and isinstance(result, list):
        for item in result:
            encode_policy_documents(item, shape.member)
