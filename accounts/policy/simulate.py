"""``SimulateCustomPolicy`` on the command line, with AWS's request and response shapes.

    python -m accounts.policy simulate-custom-policy --cli-input-json file://case.json

The input is the IAM API's ``SimulateCustomPolicyRequest`` (botocore ``iam`` model):
``PolicyInputList`` and ``ActionNames`` (required), ``PermissionsBoundaryPolicyInputList``,
``ResourceArns`` (default ``["*"]``), ``ResourcePolicy``, ``ResourceOwner``, ``CallerArn``,
``ContextEntries`` and ``ResourceHandlingOption``, plus two extensions of this project:
``ServiceControlPolicyInputList`` (a list of levels, organization root first, the account
last; each level a list of SCP documents; an empty level allows nothing) and
``SessionPolicy`` (one document). The output is ``SimulatePolicyResponse`` as JSON.

A malformed policy prints ``MalformedPolicyDocument: <AWS's message>`` on stderr and exits
with status 2 (nothing on stdout), however deeply it nests; bad usage, including input that
is not JSON (or nests too deeply for the JSON reader), is an argparse error (status 2 too).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import MalformedPolicyDocument
from .evaluate import Decision, PolicySet, RequestContext, evaluate
from .model import Policy
from .validate import parse_policy

SOURCE_TYPES = {
    "PolicyInputList": "IAM Policy",
    "PermissionsBoundaryPolicyInputList": "PermissionsBoundaryPolicy",
    "ResourcePolicy": "Resource Policy",
    "ServiceControlPolicyInputList": "Service Control Policy",
    "SessionPolicy": "Session Policy",
}

LIST_TYPES = {"stringList", "numericList", "booleanList", "ipList", "binaryList", "dateList"}
SCALAR_TYPES = {"string", "numeric", "boolean", "ip", "binary", "date"}


class InvalidInput(ValueError):
    """The request is not a valid SimulateCustomPolicy request."""


def _policy(text: object, policy_id: str, kind: str) -> Policy:
    if not isinstance(text, str):
        raise InvalidInput(f"{policy_id} must be a JSON string")
    try:
        return parse_policy(text, kind=kind, policy_id=policy_id)
    except MalformedPolicyDocument as exc:
        raise MalformedPolicyDocument(exc.message, line=exc.line, column=exc.column) from None


def _string_list(request: dict, name: str, *, required: bool = False) -> list[str]:
    value = request.get(name)
    if value is None:
        if required:
            raise InvalidInput(f"missing required parameter {name}")
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f"{name} must be a list of strings")
    return value


def _context(entries: object) -> dict[str, object]:
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise InvalidInput("ContextEntries must be a list")
    context: dict[str, object] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("ContextKeyName"), str):
            raise InvalidInput("each ContextEntries item needs a ContextKeyName")
        values = entry.get("ContextKeyValues", [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise InvalidInput("ContextKeyValues must be a list of strings")
        key_type = entry.get("ContextKeyType", "string")
        if not isinstance(key_type, str) or key_type not in LIST_TYPES and key_type not in SCALAR_TYPES:
            raise InvalidInput(f"invalid ContextKeyType {key_type!r}")
        if key_type in SCALAR_TYPES and len(values) == 1:
            context[entry["ContextKeyName"]] = values[0]
        else:
            context[entry["ContextKeyName"]] = list(values)
    return context


def _account_of(arn: str) -> str:
    parts = arn.split(":")
    if len(parts) >= 6 and parts[0] == "arn":
        return parts[4]
    return arn if arn.isdigit() else ""


def simulate_custom_policy(request: dict) -> dict:
    """Run the simulation; return the ``SimulatePolicyResponse`` dict.

    Raises :class:`MalformedPolicyDocument` for a bad policy and :class:`InvalidInput` for a
    bad request.
    """
    if not isinstance(request, dict):
        raise InvalidInput("the input must be a JSON object")
    policy_texts = _string_list(request, "PolicyInputList", required=True)
    actions = _string_list(request, "ActionNames", required=True)
    if not actions:
        raise InvalidInput("ActionNames must not be empty")
    identity = [_policy(text, f"PolicyInputList.{i}", "identity") for i, text in enumerate(policy_texts, 1)]
    boundary_texts = _string_list(request, "PermissionsBoundaryPolicyInputList")
    if len(boundary_texts) > 1:
        raise InvalidInput("The list of Permissions Boundary policies cannot exceed 1 items.")
    boundary = [
        _policy(text, f"PermissionsBoundaryPolicyInputList.{i}", "identity")
        for i, text in enumerate(boundary_texts, 1)
    ] or None
    scp_levels = None
    if request.get("ServiceControlPolicyInputList") is not None:
        levels = request["ServiceControlPolicyInputList"]
        if not isinstance(levels, list) or not all(isinstance(level, list) for level in levels):
            raise InvalidInput("ServiceControlPolicyInputList must be a list of lists")
        scp_levels = [
            [
                _policy(text, f"ServiceControlPolicyInputList.{li}.{pi}", "scp")
                for pi, text in enumerate(level, 1)
            ]
            for li, level in enumerate(levels, 1)
        ]
    session = None
    if request.get("SessionPolicy") is not None:
        session = [_policy(request["SessionPolicy"], "SessionPolicy", "identity")]
    resource_policy = None
    if request.get("ResourcePolicy") is not None:
        resource_policy = _policy(request["ResourcePolicy"], "ResourcePolicy", "resource")
    resources = _string_list(request, "ResourceArns") or ["*"]
    caller = request.get("CallerArn") or ""
    if not isinstance(caller, str):
        raise InvalidInput("CallerArn must be a string")
    if resource_policy is not None and not caller:
        raise InvalidInput("CallerArn is required when a ResourcePolicy is given")
    owner = request.get("ResourceOwner") or ""
    if not isinstance(owner, str):
        raise InvalidInput("ResourceOwner must be a string")
    handling = request.get("ResourceHandlingOption")
    if handling is not None and not isinstance(handling, str):
        raise InvalidInput("ResourceHandlingOption must be a string")
    context = _context(request.get("ContextEntries"))

    policies = PolicySet(
        identity=identity,
        boundary=boundary,
        session=session,
        scp_levels=scp_levels,
        resource=resource_policy,
    )
    results = []
    for action in actions:
        for resource in resources:
            ctx = RequestContext(
                action,
                resource,
                caller,
                context,
                resource_account=_account_of(owner) if owner else "",
                derive_keys=bool(caller),
                derive_time=False,  # the simulator reports aws:CurrentTime as missing instead
            )
            decision = evaluate(ctx, policies)
            results.append(_result(action, resource, decision))
    return {"EvaluationResults": results, "IsTruncated": False}


def _statements(decision: Decision) -> list[dict]:
    out = []
    for m in decision.matched_statements:
        source = m.policy_id.split(".", 1)[0]
        item: dict[str, object] = {
            "SourcePolicyId": m.policy_id,
            "SourcePolicyType": SOURCE_TYPES.get(source, "IAM Policy"),
        }
        if m.start is not None and m.end is not None:
            item["StartPosition"] = {"Line": m.start.line, "Column": m.start.column}
            item["EndPosition"] = {"Line": m.end.line, "Column": m.end.column}
        out.append(item)
    return out


def _details(decision: Decision) -> dict:
    out: dict[str, object] = {}
    if decision.allowed_by_organizations is not None:
        out["OrganizationsDecisionDetail"] = {"AllowedByOrganizations": decision.allowed_by_organizations}
    if decision.allowed_by_boundary is not None:
        out["PermissionsBoundaryDecisionDetail"] = {
            "AllowedByPermissionsBoundary": decision.allowed_by_boundary
        }
    return out


def _result(action: str, resource: str, decision: Decision) -> dict:
    matched = _statements(decision)
    result: dict[str, object] = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision.decision,
        "MatchedStatements": matched,
        "MissingContextValues": [] if resource != "*" else list(decision.missing_context_values),
    }
    result.update(_details(decision))
    if resource != "*":
        result["EvalDecisionDetails"] = {}
        specific: dict[str, object] = {
            "EvalResourceName": resource,
            "EvalResourceDecision": decision.decision,
            "MatchedStatements": matched,
            "MissingContextValues": list(decision.missing_context_values),
            "EvalDecisionDetails": {},
        }
        if decision.allowed_by_boundary is not None:
            specific["PermissionsBoundaryDecisionDetail"] = {
                "AllowedByPermissionsBoundary": decision.allowed_by_boundary
            }
        result["ResourceSpecificResults"] = [specific]
    return result


# ------------------------------------------------------------------------------- CLI


def _read_input(parser: argparse.ArgumentParser, value: str) -> dict:
    if value.startswith("file://"):
        path = Path(value[len("file://") :])
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            parser.error(f"argument --cli-input-json: cannot read {path}: {exc.strerror}")
        except UnicodeDecodeError:
            parser.error(f"argument --cli-input-json: cannot read {path}: not UTF-8 text")
    else:
        text = value
    try:
        data = json.loads(text)
    except RecursionError:  # json gives up on deep nesting (thousands of brackets) this way
        parser.error("argument --cli-input-json: invalid JSON: nested too deeply")
    except ValueError as exc:
        parser.error(f"argument --cli-input-json: invalid JSON: {exc}")
    if not isinstance(data, dict):
        parser.error("argument --cli-input-json: the input must be a JSON object")
    return data


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m accounts.policy",
        description="The iamconsole policy engine on the command line.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sim = commands.add_parser(
        "simulate-custom-policy",
        help="evaluate policies like IAM SimulateCustomPolicy",
        description="Evaluate policies like IAM SimulateCustomPolicy and print the response as JSON.",
    )
    sim.add_argument(
        "--cli-input-json",
        required=True,
        metavar="JSON",
        help="the request as a JSON string, file://relative/path or file:///absolute/path",
    )
    parser.set_defaults(_simulate_parser=sim)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    sim_parser = args._simulate_parser
    request = _read_input(sim_parser, args.cli_input_json)
    try:
        response = simulate_custom_policy(request)
    except MalformedPolicyDocument as exc:
        print(f"MalformedPolicyDocument: {exc.message}", file=sys.stderr)
        return 2
    except InvalidInput as exc:
        sim_parser.error(str(exc))
    print(json.dumps(response, indent=2))
    return 0
