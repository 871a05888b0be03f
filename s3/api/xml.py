"""S3's XML: response documents (REST-XML, namespace 2006-03-01), the ``<Error>`` body, and a
guarded reader for request documents."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from xml.etree import ElementTree
from xml.sax.saxutils import escape

NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
MAX_REQUEST_XML = 2 * 1024 * 1024
# Characters XML 1.0 cannot carry: written as character references (a client asks for
# encoding-type=url to get such keys intact, as the AWS CLI and boto3 do).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return iso(value)
    out = escape(str(value), {'"': "&quot;"})
    return _NOT_XML.sub(lambda m: f"&#x{ord(m.group()):x};", out)


def iso(moment: datetime) -> str:
    """S3's timestamps: 2009-10-12T17:50:30.000Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def element(name: str, *children, **attributes) -> str:
    """``<name>children</name>``; a child that is not already markup is escaped text; None
    children are left out."""
    attrs = "".join(f' {k}="{text(v)}"' for k, v in attributes.items())
    inner = "".join(c if isinstance(c, Markup) else text(c) for c in children if c is not None)
    return Markup(f"<{name}{attrs}>{inner}</{name}>")


def optional(name: str, value) -> str | None:
    return None if value is None else element(name, value)


class Markup(str):
    """A string that is already XML."""


def document(root: str, *children) -> bytes:
    return (DECLARATION + element(root, *children, xmlns=NAMESPACE)).encode("utf-8")


def error_document(code: str, message: str, fields: dict[str, str], request_id: str, host_id: str) -> bytes:
    parts = [element("Code", code), element("Message", message)]
    parts += [element(name, value) for name, value in fields.items()]
    parts += [element("RequestId", request_id), element("HostId", host_id)]
    return (DECLARATION + element("Error", *parts)).encode("utf-8")


class BadXML(ValueError):
    pass


def parse(body: bytes) -> ElementTree.Element:
    """A request document's root, namespaces stripped; BadXML for anything not plain XML (a
    DOCTYPE, entities, a parse error, an oversized body)."""
    if not body or len(body) > MAX_REQUEST_XML or b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise BadXML("not a plain XML document")
    try:
        root = ElementTree.fromstring(body)  # noqa: S314 - no DOCTYPE or entity can reach the parser
    except ElementTree.ParseError as exc:
        raise BadXML(str(exc)) from None
    for node in root.iter():
        if isinstance(node.tag, str) and "}" in node.tag:
            node.tag = node.tag.split("}", 1)[1]
    return root


def child_text(node: ElementTree.Element, name: str, default: str | None = None) -> str | None:
    found = node.find(name)
    if found is None:
        return default
    return found.text or ""
