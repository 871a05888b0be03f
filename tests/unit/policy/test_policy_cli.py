"""``python -m accounts.policy simulate-custom-policy`` (SimulateCustomPolicy shapes)."""

import contextlib
import io
import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.policy.simulate import InvalidInput, main, simulate_custom_policy
from tests.unit.policy.conftest import ROOT
from tests.unit.policy.helpers import ACCOUNT, USER, doc, stmt

AWS_EXAMPLE_POLICY = (
    '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
    '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
)


def aws_example(when):
    return {
        "PolicyInputList": [AWS_EXAMPLE_POLICY],
        "ActionNames": ["dynamodb:CreateBackup"],
        "ContextEntries": [
            {"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [when], "ContextKeyType": "date"}
        ],
    }


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_aws_cli_example_allowed(tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(aws_example("2019-04-25T11:00:00Z")))
    code, out, err = run(["simulate-custom-policy", "--cli-input-json", f"file://{case}"], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "EvaluationResults": [
            {
                "EvalActionName": "dynamodb:CreateBackup",
                "EvalResourceName": "*",
                "EvalDecision": "allowed",
                "MatchedStatements": [
                    {
                        "SourcePolicyId": "PolicyInputList.1",
                        "SourcePolicyType": "IAM Policy",
                        "StartPosition": {"Line": 1, "Column": 38},
                        "EndPosition": {"Line": 1, "Column": 167},
                    }
                ],
                "MissingContextValues": [],
            }
        ],
        "IsTruncated": False,
    }
    assert out.startswith('{\n  "EvaluationResults": [\n')  # indent 2


def test_aws_cli_example_denied_from_a_raw_json_argument(capsys):
    code, out, _err = run(
        ["simulate-custom-policy", "--cli-input-json", json.dumps(aws_example("2014-04-25T11:00:00Z"))],
        capsys,
    )
    result = json.loads(out)["EvaluationResults"][0]
    assert code == 0
    assert (result["EvalDecision"], result["MatchedStatements"]) == ("implicitDeny", [])


def test_relative_file_url(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "case.json").write_text(json.dumps(aws_example("2019-04-25T11:00:00Z")))
    code, out, _err = run(["simulate-custom-policy", "--cli-input-json", "file://case.json"], capsys)
    assert code == 0 and json.loads(out)["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_malformed_policy_exits_2_with_aws_message(capsys):
    request = {"PolicyInputList": [doc(stmt(action="iam"))], "ActionNames": ["iam:GetUser"]}
    code, out, err = run(["simulate-custom-policy", "--cli-input-json", json.dumps(request)], capsys)
    assert code == 2
    assert out == ""
    assert (
        err
        == "MalformedPolicyDocument: Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.\n"
    )
    request = {"PolicyInputList": ["{"], "ActionNames": ["iam:GetUser"]}
    code, out, err = run(["simulate-custom-policy", "--cli-input-json", json.dumps(request)], capsys)
    assert (code, out, err) == (2, "", "MalformedPolicyDocument: Syntax errors in policy.\n")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["simulate-custom-policy"],
        ["simulate-principal-policy", "--cli-input-json", "{}"],
        ["simulate-custom-policy", "--cli-input-json", "not json"],
        ["simulate-custom-policy", "--cli-input-json", "[]"],
        ["simulate-custom-policy", "--cli-input-json", "file:///no/such/file.json"],
        ["simulate-custom-policy", "--cli-input-json", '{"ActionNames": ["s3:GetObject"]}'],
        ["simulate-custom-policy", "--cli-input-json", '{"PolicyInputList": ["{}"]}'],
        ["simulate-custom-policy", "--cli-input-json", '{"PolicyInputList": [1], "ActionNames": ["a:b"]}'],
    ],
)
def test_bad_usage_is_an_argparse_error(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    assert "usage:" in capsys.readouterr().err


def test_resource_arns_give_resource_specific_results():
    response = simulate_custom_policy(
        {
            "PolicyInputList": [doc(stmt(action="s3:GetObject", resource="arn:aws:s3:::b/*"))],
            "ActionNames": ["s3:GetObject", "s3:PutObject"],
            "ResourceArns": ["arn:aws:s3:::b/k", "arn:aws:s3:::c/k"],
        }
    )
    results = response["EvaluationResults"]
    assert [(r["EvalActionName"], r["EvalResourceName"], r["EvalDecision"]) for r in results] == [
        ("s3:GetObject", "arn:aws:s3:::b/k", "allowed"),
        ("s3:GetObject", "arn:aws:s3:::c/k", "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::b/k", "implicitDeny"),
        ("s3:PutObject", "arn:aws:s3:::c/k", "implicitDeny"),
    ]
    first = results[0]
    assert first["EvalDecisionDetails"] == {}
    assert first["ResourceSpecificResults"] == [
        {
            "EvalResourceName": "arn:aws:s3:::b/k",
            "EvalResourceDecision": "allowed",
            "MatchedStatements": first["MatchedStatements"],
            "MissingContextValues": [],
            "EvalDecisionDetails": {},
        }
    ]


def test_context_entries_types_and_missing_values():
    policy = doc(
        stmt(
            Condition={
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]},
                "NumericLessThanEquals": {"s3:max-keys": "10"},
                "Bool": {"aws:SecureTransport": "true"},
                "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                "StringEquals": {"aws:username": "kim"},
            }
        )
    )

    def entry(name, values, kind):
        return {"ContextKeyName": name, "ContextKeyValues": values, "ContextKeyType": kind}

    entries = [
        entry("aws:TagKeys", ["team"], "stringList"),
        entry("s3:max-keys", ["5"], "numeric"),
        entry("aws:SecureTransport", ["true"], "boolean"),
        entry("aws:SourceIp", ["203.0.113.9"], "ip"),
    ]
    request = {"PolicyInputList": [policy], "ActionNames": ["s3:ListBucket"], "ContextEntries": entries}
    result = simulate_custom_policy(request)["EvaluationResults"][0]
    assert result["EvalDecision"] == "implicitDeny"
    assert result["MissingContextValues"] == ["aws:username"]
    request["ContextEntries"].append(entry("aws:username", ["kim"], "string"))
    result = simulate_custom_policy(request)["EvaluationResults"][0]
    assert result["EvalDecision"] == "allowed"
    assert result["MissingContextValues"] == []


def test_caller_arn_supplies_aws_username():
    policy = doc(stmt(action="iam:ChangePassword", resource="arn:aws:iam::*:user/${aws:username}"))
    request = {
        "PolicyInputList": [policy],
        "ActionNames": ["iam:ChangePassword"],
        "ResourceArns": [USER],
    }
    assert simulate_custom_policy(request)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"
    request["CallerArn"] = USER
    assert simulate_custom_policy(request)["EvaluationResults"][0]["EvalDecision"] == "allowed"


def test_boundary_resource_policy_scps_and_session():
    bucket = doc(
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:DeleteObject",
            "Resource": "arn:aws:s3:::b/*",
        }
    )
    request = {
        "PolicyInputList": [doc(stmt())],
        "PermissionsBoundaryPolicyInputList": [doc(stmt(action="s3:*"))],
        "ServiceControlPolicyInputList": [[doc(stmt())], [doc(stmt(action=["s3:*", "ec2:*"]))]],
        "SessionPolicy": doc(stmt(action=["s3:Get*", "s3:Delete*", "ec2:*"])),
        "ResourcePolicy": bucket,
        "CallerArn": USER,
        "ActionNames": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "ec2:RunInstances", "iam:GetUser"],
        "ResourceArns": ["arn:aws:s3:::b/k"],
    }
    results = {r["EvalActionName"]: r for r in simulate_custom_policy(request)["EvaluationResults"]}
    assert results["s3:GetObject"]["EvalDecision"] == "allowed"
    assert {m["SourcePolicyId"] for m in results["s3:GetObject"]["MatchedStatements"]} == {
        "PolicyInputList.1",
        "PermissionsBoundaryPolicyInputList.1",
        "SessionPolicy",
        "ServiceControlPolicyInputList.1.1",
        "ServiceControlPolicyInputList.2.1",
    }
    assert results["s3:GetObject"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": True
    }
    assert results["s3:GetObject"]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": True}
    assert results["s3:PutObject"]["EvalDecision"] == "implicitDeny"  # the session policy
    deny = results["s3:DeleteObject"]
    assert deny["EvalDecision"] == "explicitDeny"
    assert [(m["SourcePolicyId"], m["SourcePolicyType"]) for m in deny["MatchedStatements"]] == [
        ("ResourcePolicy", "Resource Policy")
    ]
    assert results["ec2:RunInstances"]["PermissionsBoundaryDecisionDetail"] == {
        "AllowedByPermissionsBoundary": False
    }
    assert results["iam:GetUser"]["OrganizationsDecisionDetail"] == {"AllowedByOrganizations": False}


def test_request_validation():
    with pytest.raises(InvalidInput):
        simulate_custom_policy({"PolicyInputList": [doc(stmt())], "ActionNames": []})
    with pytest.raises(InvalidInput):
        simulate_custom_policy(
            {
                "PolicyInputList": [doc(stmt())],
                "ActionNames": ["s3:GetObject"],
                "ResourcePolicy": doc(stmt(Principal="*")),
            }
        )
    with pytest.raises(InvalidInput):
        simulate_custom_policy(
            {
                "PolicyInputList": [doc(stmt())],
                "ActionNames": ["s3:GetObject"],
                "PermissionsBoundaryPolicyInputList": [doc(stmt()), doc(stmt())],
            }
        )
    with pytest.raises(InvalidInput):
        simulate_custom_policy(
            {
                "PolicyInputList": [doc(stmt())],
                "ActionNames": ["s3:GetObject"],
                "ContextEntries": [
                    {"ContextKeyName": "a:b", "ContextKeyValues": ["x"], "ContextKeyType": "text"}
                ],
            }
        )


def test_cross_account_resource_owner():
    bucket = doc(
        {
            "Effect": "Allow",
            "Principal": {"AWS": ACCOUNT},
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::b/*",
        }
    )
    request = {
        "PolicyInputList": [doc(stmt(action="s3:GetObject"))],
        "ActionNames": ["s3:GetObject"],
        "ResourceArns": ["arn:aws:s3:::b/k"],
        "ResourcePolicy": bucket,
        "ResourceOwner": "arn:aws:iam::210987654321:root",
        "CallerArn": USER,
    }
    assert simulate_custom_policy(request)["EvaluationResults"][0]["EvalDecision"] == "allowed"
    request["PolicyInputList"] = [doc(stmt(action="s3:PutObject"))]
    assert simulate_custom_policy(request)["EvaluationResults"][0]["EvalDecision"] == "implicitDeny"


def test_module_entry_point(tmp_path):
    case = tmp_path / "case.json"
    case.write_text(json.dumps(aws_example("2019-04-25T11:00:00Z")))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "accounts.policy",
            "simulate-custom-policy",
            "--cli-input-json",
            f"file://{case}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["EvaluationResults"][0]["EvalDecision"] == "allowed"
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps({"PolicyInputList": ['{"Version": "2012-10-17"}'], "ActionNames": ["s3:GetObject"]})
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "accounts.policy",
            "simulate-custom-policy",
            "--cli-input-json",
            f"file://{bad}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == "MalformedPolicyDocument: Syntax errors in policy.\n"


# ------------------------------------------------------------------ deep nesting, bad input

DEEP = 10_000


def nested_policies():
    """Policy documents with 10,000 nested brackets in different places."""
    statement = '{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": %s}'
    return {
        "arrays": "[" * DEEP + "]" * DEEP,
        "objects": '{"a": ' * DEEP + "1" + "}" * DEEP,
        "unclosed": "[" * DEEP,
        "in Statement": '{"Version": "2012-10-17", "Statement": ' + "[" * DEEP + "]" * DEEP + "}",
        "in Condition": '{"Version": "2012-10-17", "Statement": '
        + statement % ('{"x": ' * DEEP + '"y"' + "}" * DEEP)
        + "}",
        "mixed": '{"Statement": ' + '[{"a": ' * DEEP + "null" + "}]" * DEEP + "}",
    }


@pytest.mark.parametrize("policy", nested_policies().values(), ids=nested_policies().keys())
def test_deeply_nested_policy_is_a_syntax_error(policy, tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"PolicyInputList": [policy], "ActionNames": ["s3:GetObject"]}))
    code, out, err = run(["simulate-custom-policy", "--cli-input-json", f"file://{case}"], capsys)
    assert (code, out, err) == (2, "", "MalformedPolicyDocument: Syntax errors in policy.\n")
    request = {
        "PolicyInputList": [doc(stmt())],
        "ActionNames": ["s3:GetObject"],
        "PermissionsBoundaryPolicyInputList": [policy],
    }
    code, out, err = run(["simulate-custom-policy", "--cli-input-json", json.dumps(request)], capsys)
    assert (code, out, err) == (2, "", "MalformedPolicyDocument: Syntax errors in policy.\n")


@pytest.mark.parametrize(
    "text",
    [
        "[" * DEEP + "]" * DEEP,
        '{"PolicyInputList": ' + "[" * DEEP + "]" * DEEP + ', "ActionNames": ["s3:GetObject"]}',
        '{"PolicyInputList": [], "ActionNames": ["s3:GetObject"], "ContextEntries": '
        + '[{"x": ' * DEEP
        + "1"
        + "}]" * DEEP
        + "}",
        "[" * DEEP,
    ],
    ids=["whole input", "PolicyInputList", "ContextEntries", "unclosed"],
)
def test_deeply_nested_cli_input_is_invalid_json(text, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["simulate-custom-policy", "--cli-input-json", text])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert "usage:" in err
    assert err.endswith("error: argument --cli-input-json: invalid JSON: nested too deeply\n")
    case = tmp_path / "case.json"
    case.write_text(text)
    with pytest.raises(SystemExit) as info:
        main(["simulate-custom-policy", "--cli-input-json", f"file://{case}"])
    assert info.value.code == 2
    assert "invalid JSON: nested too deeply" in capsys.readouterr().err


def test_deep_nesting_from_the_command_line(tmp_path):
    """The reported case: ``python -m accounts.policy`` printed a RecursionError traceback."""
    policy_case = tmp_path / "policy.json"
    policy_case.write_text(
        json.dumps({"PolicyInputList": ["[" * DEEP + "]" * DEEP], "ActionNames": ["s3:GetObject"]})
    )
    input_case = tmp_path / "input.json"
    input_case.write_text('{"PolicyInputList": ' + "[" * DEEP + "]" * DEEP + "}")
    results = []
    for case in (policy_case, input_case):
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "accounts.policy",
                "simulate-custom-policy",
                "--cli-input-json",
                f"file://{case}",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "Traceback" not in proc.stderr
        results.append((proc.returncode, proc.stdout, proc.stderr.splitlines()[-1]))
    assert results == [
        (2, "", "MalformedPolicyDocument: Syntax errors in policy."),
        (
            2,
            "",
            "python -m accounts.policy simulate-custom-policy: error: argument --cli-input-json: "
            "invalid JSON: nested too deeply",
        ),
    ]


def test_input_that_is_not_utf8_or_has_odd_types_is_an_argparse_error(tmp_path, capsys):
    case = tmp_path / "case.json"
    case.write_bytes(b'\xff{"PolicyInputList": []}')
    with pytest.raises(SystemExit) as info:
        main(["simulate-custom-policy", "--cli-input-json", f"file://{case}"])
    assert info.value.code == 2
    assert "not UTF-8 text" in capsys.readouterr().err
    entry = {"ContextKeyName": "a:b", "ContextKeyValues": ["x"], "ContextKeyType": ["string"]}
    request = {"PolicyInputList": [doc(stmt())], "ActionNames": ["s3:GetObject"], "ContextEntries": [entry]}
    with pytest.raises(SystemExit) as info:
        main(["simulate-custom-policy", "--cli-input-json", json.dumps(request)])
    assert info.value.code == 2
    assert "invalid ContextKeyType" in capsys.readouterr().err


request_keys = st.sampled_from(
    [
        "PolicyInputList",
        "ActionNames",
        "ResourceArns",
        "ContextEntries",
        "CallerArn",
        "ResourceOwner",
        "ResourcePolicy",
        "ResourceHandlingOption",
        "PermissionsBoundaryPolicyInputList",
        "ServiceControlPolicyInputList",
        "SessionPolicy",
    ]
)
json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=6)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)
    ),
    max_leaves=12,
)
context_entries = st.lists(
    st.fixed_dictionaries(
        {"ContextKeyName": st.sampled_from(["aws:username", "a:b"]) | json_values},
        optional={
            "ContextKeyValues": st.lists(st.text(max_size=4), max_size=2) | json_values,
            "ContextKeyType": st.sampled_from(["string", "stringList", "date", "text"]) | json_values,
        },
    ),
    max_size=2,
)
request_values = (
    json_values
    | context_entries
    | st.just([doc(stmt())])
    | st.just(["s3:GetObject", "iam:*"])
    | st.just(doc(stmt(Principal="*")))
    | st.just(USER)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(request_keys, request_values, max_size=6) | json_values)
def test_the_cli_answers_any_json_with_a_result_or_status_2(request):
    """Exit status 0 with a response, or 2 with a message: never a traceback."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["simulate-custom-policy", "--cli-input-json", json.dumps(request)])
        except SystemExit as exc:
            code = exc.code
    assert code in (0, 2)
    if code == 0:
        assert "EvaluationResults" in json.loads(out.getvalue())
    else:
        assert err.getvalue() and not out.getvalue()
