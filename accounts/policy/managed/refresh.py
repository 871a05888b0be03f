"""Rebuild ``aws_managed_policies.json`` from a published copy of AWS's managed policies.

    python -m accounts.policy.managed.refresh ../shared/data/aws-managed-policies.json

The copy we were given (name → ``Arn``, ``Path``, ``DefaultVersionId``, ``CreateDate``,
``UpdateDate``, ``Description``, ``Document``) was written with its keys sorted, so
``Statement`` comes before ``Version`` and ``Action`` before ``Effect``. AWS returns its
documents with ``Version`` first and each statement as ``Sid, Effect, Action, Resource,
Condition`` (GetPolicyVersion, the console's JSON tab, the Managed Policy Reference Guide):
:func:`aws_key_order` puts those keys back in that order wherever the copy lost it. Lists
(the actions, the resources) keep their published order, and so does the inside of a
``Condition``, which we have no way to know.

The product never reads the copy: this script writes the file that ships in the repository.
"""

import json
import sys
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "aws_managed_policies.json"

# AWS's order of a policy's top-level elements and of a statement's elements
DOCUMENT_ORDER = ("Version", "Id", "Statement")
STATEMENT_ORDER = (
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
)
# The order of a catalogue entry's members (GetPolicy's, then the document)
ENTRY_ORDER = ("Arn", "Path", "DefaultVersionId", "CreateDate", "UpdateDate", "Description", "Document")


def _reordered(mapping: dict, order: tuple[str, ...]) -> dict:
    """``mapping`` with the keys of ``order`` first, in that order, when its keys are sorted
    alphabetically (the order was lost); a mapping in any other order is left as it is."""
    keys = list(mapping)
    if keys != sorted(keys):
        return mapping
    first = [k for k in order if k in mapping]
    return {**{k: mapping[k] for k in first}, **{k: v for k, v in mapping.items() if k not in first}}


def aws_key_order(document: dict) -> dict:
    """A policy document with AWS's element order (Version first; Sid, Effect, Action,
    Resource, Condition in each statement) where its keys had been sorted."""
    ordered = _reordered(document, DOCUMENT_ORDER)
    statements = ordered.get("Statement")
    if isinstance(statements, list):
        statements = [_reordered(s, STATEMENT_ORDER) if isinstance(s, dict) else s for s in statements]
    elif isinstance(statements, dict):
        statements = _reordered(statements, STATEMENT_ORDER)
    if "Statement" in ordered:
        ordered = {k: (statements if k == "Statement" else v) for k, v in ordered.items()}
    return ordered


def catalogue_entry(item: dict) -> dict:
    """One shipped entry: GetPolicy's members and the document in AWS's order."""
    entry = {k: item[k] for k in ENTRY_ORDER if k in item}
    entry["Document"] = aws_key_order(item["Document"])
    return entry


def build(source: dict) -> dict:
    return {name: catalogue_entry(item) for name, item in source.items()}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    source = json.loads(Path(argv[0]).read_text())
    SHIPPED.write_text(json.dumps(build(source), indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(source)} policies to {SHIPPED}")
    return 0


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    raise SystemExit(main(sys.argv[1:]))
