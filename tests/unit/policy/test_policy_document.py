"""Parsing and validation: AWS's MalformedPolicyDocument messages, positions, immutability."""

import json

import pytest

from accounts.policy import MalformedPolicyDocument, Position, parse_policy
from tests.unit.policy.helpers import doc, policy, stmt

SYNTAX = "Syntax errors in policy."
VERSION = "Policy document must be version 2012-10-17 or greater."
LEGACY = "The policy failed legacy parsing"
NO_ACTIONS = "Policy statement must contain actions."
NO_RESOURCES = "Policy statement must contain resources."
VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
IAM_PATH = (
    'IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, '
    "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, "
    "oidc-provider/, report/, access-report/."
)


def malformed(document, **kwargs) -> MalformedPolicyDocument:
    with pytest.raises(MalformedPolicyDocument) as info:
        parse_policy(document, **kwargs)
    return info.value


# ------------------------------------------------------------------------- syntax errors

SYNTAX_CASES = {
    "empty text": "",
    "only whitespace": "   \n",
    "unterminated object": '{"Version": "2012-10-17"',
    "not an object": "[]",
    "a string": '"policy"',
    "null": "null",
    "trailing comma": '{"Version": "2012-10-17", "Statement": [],}',
    "single quotes": "{'Version': '2012-10-17'}",
    "extra data": doc(stmt()) + " {}",
    "duplicate top-level key": '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}',
    "duplicate statement key": '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Effect": "Deny",'
    ' "Action": "*", "Resource": "*"}}',
    "NaN is not JSON": '{"Version": NaN}',
    "unknown top-level element": json.dumps({"Version": "2012-10-17", "Statements": [stmt()]}),
    "missing Statement": json.dumps({"Version": "2012-10-17"}),
    "empty Statement list": json.dumps({"Version": "2012-10-17", "Statement": []}),
    "Statement is a string": json.dumps({"Version": "2012-10-17", "Statement": "Allow"}),
    "Statement item not an object": json.dumps({"Version": "2012-10-17", "Statement": [stmt(), 1]}),
    "Version not supported": doc(stmt(), version="2013-01-01"),
    "Version not a string": json.dumps({"Version": 2012, "Statement": [stmt()]}),
    "Id not a string": json.dumps({"Version": "2012-10-17", "Id": 7, "Statement": [stmt()]}),
    "unknown statement element": doc(stmt(Actions="s3:*")),
    "Effect missing": doc({"Action": "*", "Resource": "*"}),
    "Effect not Allow/Deny": doc(stmt(effect="Permit")),
    "Effect not a string": doc(stmt(effect=True)),
    "Action not string or list": doc(stmt(action=5)),
    "Action list with a number": doc(stmt(action=["s3:GetObject", 5])),
    "Action list with an object": doc(stmt(action=[{"a": 1}])),
    "Resource an object": doc(stmt(resource={"arn": "x"})),
    "both Action and NotAction": doc(stmt(NotAction="s3:*")),
    "both Resource and NotResource": doc(stmt(NotResource="arn:aws:s3:::b")),
    "Sid not a string": doc(stmt(Sid=1)),
    "Condition not an object": doc(stmt(Condition="StringEquals")),
    "Condition operator block not an object": doc(stmt(Condition={"StringEquals": "x"})),
    "unknown condition operator": doc(stmt(Condition={"StringEqual": {"aws:username": "kim"}})),
    "unknown set operator": doc(stmt(Condition={"ForSomeValues:StringEquals": {"aws:TagKeys": "a"}})),
    "Null cannot take IfExists": doc(stmt(Condition={"NullIfExists": {"aws:TokenIssueTime": "true"}})),
    "condition value an object": doc(stmt(Condition={"StringEquals": {"aws:username": {"a": "b"}}})),
    "condition value a nested list": doc(stmt(Condition={"StringEquals": {"aws:username": [["a"]]}})),
    "condition value null": doc(stmt(Condition={"StringEquals": {"aws:username": None}})),
}


@pytest.mark.parametrize("document", SYNTAX_CASES.values(), ids=SYNTAX_CASES.keys())
def test_syntax_errors(document):
    exc = malformed(document)
    assert exc.message == SYNTAX
    assert str(exc) == SYNTAX
    assert exc.code == "MalformedPolicyDocument"
    assert exc.status == 400


@pytest.mark.parametrize(
    "principal",
    [[], {}, {"Users": "arn:aws:iam::123456789012:root"}, {"AWS": []}, {"AWS": 12}, 42],
    ids=["list", "empty map", "unknown type", "empty list", "number", "number element"],
)
def test_principal_shape_errors(principal):
    exc = malformed(
        doc({"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal}), kind="trust"
    )
    assert exc.message == SYNTAX


def test_non_text_inputs_are_syntax_errors():
    for value in (None, 42, 4.2, ["Statement"], object()):
        assert malformed(value).message == SYNTAX
    assert malformed(b"\xff\xfe{").message == SYNTAX  # not UTF-8
    assert malformed({"Version": "2012-10-17", "Statement": [stmt(Sid={1, 2})]}).message == SYNTAX
    assert malformed({"Version": "2012-10-17", "Statement": [stmt(Sid=float("nan"))]}).message == SYNTAX


def test_a_lone_surrogate_is_a_syntax_error_where_it_stands():
    """A ``\\ud800`` escape with no partner decodes to no character: no page or database can
    show it (the role list once failed on a trust policy that held one)."""
    escaped = '{"Version": "2012-10-17",\n "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::\\ud800"}]}'
    exc = malformed(escaped)
    assert (exc.message, exc.line) == (SYNTAX, 2)
    raw = json.dumps({"Version": "2012-10-17", "Statement": [stmt(resource="x\udfff")]}, ensure_ascii=False)
    assert malformed(raw).message == SYNTAX  # in the text itself (a caller's str, not HTTP)
    trust = doc(
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "ec2\ud800.amazonaws.com"}}
    )
    assert "\\ud800" in trust and malformed(trust, kind="trust").message == SYNTAX
    # a pair is one character, and fine
    pair = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::\\ud83d\\ude00"}]}'
    assert parse_policy(pair)


def test_deep_nesting_and_huge_numbers_do_not_escape():
    assert malformed("[" * 5000 + "]" * 5000).message == SYNTAX
    assert malformed('{"Version": ' + "9" * 6000 + "}").message == SYNTAX
    nested: dict = {}
    for _ in range(3000):
        nested = {"a": nested}
    assert malformed({"Version": "2012-10-17", "Statement": [stmt(Condition=nested)]}).message == SYNTAX


@pytest.mark.parametrize(
    "document",
    [
        "[" * 10_000 + "]" * 10_000,
        "[" * 10_000,
        '{"a": ' * 10_000 + "1" + "}" * 10_000,
        '{"Version": "2012-10-17", "Statement": ' + "[" * 10_000 + "]" * 10_000 + "}",
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", '
        '"Condition": ' + '{"x": ' * 10_000 + '"y"' + "}" * 10_000 + "}}",
        '{"Statement": ' + '[{"a": ' * 10_000 + "null" + "}]" * 10_000 + "}",
    ],
    ids=["arrays", "unclosed", "objects", "Statement", "Condition", "mixed"],
)
def test_ten_thousand_nested_brackets_are_syntax_errors(document):
    for kind in ("identity", "trust", "resource", "scp"):
        assert malformed(document, kind=kind).message == SYNTAX
        assert malformed(document.encode(), kind=kind).message == SYNTAX
    nested: object = "y"
    for _ in range(10_000):
        nested = [{"x": nested}]
    assert malformed({"Version": "2012-10-17", "Statement": nested}).message == SYNTAX


# ------------------------------------------------------------------------ positions


def test_error_positions_point_at_the_faulty_element():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow", "Acton": "*", "Resource": "*"}\n  ]\n}'
    exc = malformed(text)
    assert (exc.line, exc.column) == (4, 25)  # the unknown key "Acton"
    exc = malformed('{"Version": "2012-10-17",\n "Statement": {"Effect": "Allow",\n "Effect": "Deny"}}')
    assert (exc.line, exc.column) == (3, 2)  # the duplicate key
    exc = malformed('{"Version": "2012-10-17", "Statement": [\n')
    assert exc.line == 2


def test_error_position_unknown_for_dict_input():
    exc = malformed({"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]})
    assert exc.message == NO_ACTIONS
    assert exc.line is None and exc.column is None


def test_statement_positions_follow_the_simulator():
    # AWS CLI documentation example: StartPosition {1, 38}, EndPosition {1, 167}
    text = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
    )
    ref = parse_policy(text).statements[0].ref
    assert ref.start == Position(1, 38)
    assert ref.end == Position(1, 167)
    # AdministratorAccess as AWS stores it (two-space indent): {3, 17} .. {8, 6}
    admin = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": "*",\n      "Resource": "*"\n    }\n  ]\n}'
    ref = parse_policy(admin).statements[0].ref
    assert (ref.start, ref.end) == (Position(3, 17), Position(8, 6))


def test_second_statement_starts_after_the_first():
    text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}'
    first, second = (s.ref for s in parse_policy(text).statements)
    assert first.start == Position(1, 38)
    assert first.end == Position(1, 84)
    assert second.start == first.end
    assert second.end == Position(1, len(text) - 1)
    assert (second.index, second.effect) == (1, "Deny")


def test_positions_count_tabs_as_one_column():
    text = '{\n\t"Version": "2012-10-17",\n\t"Statement": [\n\t\t{\n\t\t\t"Effect": "Allow",\n\t\t\t"Action": "*",\n\t\t\t"Resource": "*"\n\t\t}\n\t]\n}'
    ref = parse_policy(text).statements[0].ref
    assert (ref.start, ref.end) == (Position(3, 16), Position(8, 4))


# --------------------------------------------------------------------- version rules


def test_missing_version_is_accepted_as_legacy_unless_strict():
    p = parse_policy(doc(stmt(), version=None))
    assert p.version is None
    assert malformed(doc(stmt(), version=None), strict_version=True).message == VERSION
    assert malformed(doc(stmt(), version="2008-10-17"), strict_version=True).message == VERSION
    assert parse_policy(doc(stmt()), strict_version=True).version == "2012-10-17"
    assert parse_policy(doc(stmt(), version="2008-10-17")).version == "2008-10-17"


def test_version_error_comes_after_syntax_errors():
    assert malformed(json.dumps({"Statement": [stmt(Foo=1)]}), strict_version=True).message == SYNTAX


# ------------------------------------------------------------------- legacy parser


@pytest.mark.parametrize(
    "statement",
    [
        stmt(effect="allow"),
        stmt(effect="DENY"),
        stmt(Condition={"DateGreaterThan": {"aws:CurrentTime": "yesterday-ish"}}),
        stmt(Condition={"DateLessThan": {"aws:CurrentTime": "2020-13-01T00:00:00Z"}}),
        stmt(Condition={"DateEquals": {"aws:EpochTime": "-5"}}),
        stmt(resource="arn:aws:s3::bucket"),
        stmt(resource="arn:aws::"),
    ],
    ids=[
        "allow lower-case",
        "DENY upper-case",
        "not a date",
        "month 13",
        "negative epoch",
        "4 colons with ::",
        "empty vendor",
    ],
)
def test_legacy_parsing_errors(statement):
    assert malformed(doc(statement)).message == LEGACY


def test_valid_dates_pass_the_legacy_parser():
    for value in (
        "2020-01-01",
        "2020-01-01T10:00Z",
        "2020-01-01T10:00:00.123+02:00",
        "1700000000",
        1700000000,
    ):
        parse_policy(doc(stmt(Condition={"DateGreaterThan": {"aws:CurrentTime": value}})))


# -------------------------------------------------------------------------- Sids


def test_sids_must_be_unique():
    exc = malformed(doc(stmt(Sid="A"), stmt(Sid="B"), stmt(Sid="A")))
    assert exc.message == "Statement IDs (SID) in a single policy must be unique."
    parse_policy(doc(stmt(Sid=""), stmt(Sid="")))  # empty Sids are not compared


def test_sids_must_be_alphanumeric_except_in_resource_policies():
    expected = (
        "Statement IDs (SID) must be alpha-numeric. "
        "Check that your input satisfies the regular expression [0-9A-Za-z]*"
    )
    assert malformed(doc(stmt(Sid="autogenerated-id"))).message == expected
    assert malformed(doc(stmt(Sid="has space"))).message == expected
    parse_policy(doc(stmt(Sid="Allow use of the key", Principal="*")), kind="resource")


# ----------------------------------------------------------------------- actions


def test_statements_must_have_actions():
    assert malformed(doc({"Effect": "Allow", "Resource": "*"})).message == NO_ACTIONS
    assert malformed(doc(stmt(action=[]))).message == NO_ACTIONS
    assert malformed(doc({"Effect": "Allow", "NotAction": [], "Resource": "*"})).message == NO_ACTIONS


@pytest.mark.parametrize(
    ("action", "message"),
    [
        ("iam", VENDOR),
        ("CreateUser", VENDOR),
        ("iam:Create:User", "Actions/Condition can contain only one colon."),
        ("i am:CreateUser", "Vendor i am is not valid"),
        ("s3_x:GetObject", "Vendor s3_x is not valid"),
    ],
)
def test_action_format_errors(action, message):
    assert malformed(doc(stmt(action=["s3:GetObject", action]))).message == message


def test_action_wildcards_are_valid():
    for action in ("*", "iam:*", "iam:List*", "*:*", "s3-object-lambda:Get?bject", "IAM:listusers"):
        parse_policy(doc(stmt(action=action)))


def test_condition_keys_need_a_vendor():
    assert malformed(doc(stmt(Condition={"StringEquals": {"username": "kim"}}))).message == VENDOR
    parse_policy(doc(stmt(Condition={"StringEquals": {"ec2:ResourceTag:TagKey1": "v"}})))
    parse_policy(doc(stmt(Condition={"StringEquals": {"oidc.eks.amazonaws.com/id/ABC:sub": "system:x"}})))


# --------------------------------------------------------------------- resources


@pytest.mark.parametrize(
    ("resource", "message"),
    [
        ("bucket", 'Resource bucket must be in ARN format or "*".'),
        ("arn:foo:s3:::bucket", 'Partition "foo" is not valid for resource "arn:foo:s3:::bucket".'),
        ("arn:awss:iam", 'Partition "awss" is not valid for resource "arn:awss:iam:*:*:*".'),
        ("arn:aws", "Resource vendor must be fully qualified and cannot contain regexes."),
        (
            "arn:aws:iam:us-east-1:123456789012:user/kim",
            "IAM resource arn:aws:iam:us-east-1:123456789012:user/kim cannot contain region information.",
        ),
        ("arn:aws:iam::123456789012:people/kim", IAM_PATH),
        ("arn:aws:iam::123456789012:root", IAM_PATH),
        ("arn:aws:s3:*", "Resource arn:aws:s3:* can not contain region information."),
        (
            "arn:aws:s3:us-east-1::bucket",
            "Resource arn:aws:s3:us-east-1::bucket can not contain region information.",
        ),
    ],
)
def test_resource_format_errors(resource, message):
    assert malformed(doc(stmt(resource=resource))).message == message


def test_valid_resources():
    for resource in (
        "*",
        "arn:aws:iam::123456789012:user/*",
        "arn:aws:iam::*:*",
        "arn:*:iam::*:role/x",
        "arn:aws:s3:::bucket/key:with:colons",
        "arn:aws:ec2:*",
        "arn:aws-cn:s3:::bucket",
        "arn:aws:s3:us-east-1:123456789012:accesspoint/ap",
        "arn:aws:ec2:*:*:instance/*",
        "arn:aws:logs:eu-west-1:123456789012:log-group:g:log-stream:s",
    ):
        parse_policy(doc(stmt(resource=resource)))


def test_identity_policies_need_resources():
    assert malformed(doc(stmt(resource=None))).message == NO_RESOURCES
    assert malformed(doc(stmt(resource=[]))).message == NO_RESOURCES
    assert malformed(doc(stmt(resource=None, Principal="*")), kind="resource").message == NO_RESOURCES


def test_scp_resource_is_optional():
    p = parse_policy(doc(stmt(effect="Deny", action="s3:*", resource=None)), kind="scp")
    assert p.statements[0].resource_any


# --------------------------------------------------------------------- principals


def test_identity_policies_must_not_name_a_principal():
    message = "Policy document should not specify a principal."
    assert malformed(doc(stmt(Principal="*"))).message == message
    assert malformed(doc(stmt(NotPrincipal={"AWS": "123456789012"}))).message == message
    assert malformed(doc(stmt(Principal="*")), kind="scp").message == message


def test_trust_and_resource_policies_need_a_principal():
    assert malformed(doc(stmt(action="sts:AssumeRole", resource=None)), kind="trust").message == (
        "Missing required field Principal"
    )
    assert malformed(
        doc(stmt(action="s3:GetObject", resource="arn:aws:s3:::b/*")), kind="resource"
    ).message == ("Missing required field Principal")


def test_principal_values():
    ok = [
        "*",
        {"AWS": "*"},
        {"AWS": "123456789012"},
        {"AWS": ["arn:aws:iam::123456789012:root", "arn:aws:iam::123456789012:user/kim"]},
        {"AWS": "AIDAJQABLZS4A3QDU576Q"},
        {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
        {"Federated": "arn:aws:iam::123456789012:saml-provider/okta"},
        {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
    ]
    for principal in ok:
        parse_policy(doc(stmt(action="sts:AssumeRole", resource=None, Principal=principal)), kind="trust")
    exc = malformed(
        doc(
            stmt(
                action="sts:AssumeRole", resource=None, Principal={"AWS": "arn:aws:iam::123456789012:user/*"}
            )
        ),
        kind="trust",
    )
    assert exc.message == 'Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/*"'
    exc = malformed(doc(stmt(action="sts:AssumeRole", resource=None, Principal={"AWS": "kim"})), kind="trust")
    assert exc.message == 'Invalid principal in policy: "AWS":"kim"'


# -------------------------------------------------------------------- trust policies


def test_trust_policies_prohibit_resources():
    exc = malformed(doc(stmt(action="sts:AssumeRole", resource="*", Principal="*")), kind="trust")
    assert exc.message == "Has prohibited field Resource."


@pytest.mark.parametrize(
    "action",
    [
        "sts:AssumeRole",
        "sts:AssumeRoleWithSAML",
        "sts:AssumeRoleWithWebIdentity",
        "sts:TagSession",
        "sts:SetSourceIdentity",
        "sts:SetContext",
        "sts:*",
        "sts:Assume*",
        "STS:assumerole",
        "*",
    ],
)
def test_trust_policy_actions_allowed(action):
    parse_policy(
        doc(stmt(action=action, resource=None, Principal={"Service": "ec2.amazonaws.com"})), kind="trust"
    )


@pytest.mark.parametrize("action", ["s3:GetObject", "sts:GetCallerIdentity", "sts:Get*", "iam:PassRole"])
def test_trust_policy_actions_rejected(action):
    exc = malformed(doc(stmt(action=["sts:AssumeRole", action], resource=None, Principal="*")), kind="trust")
    assert exc.message == "AssumeRole policy may only specify STS AssumeRole actions."


# ------------------------------------------------------------------- the Policy object


def test_policy_object():
    p = parse_policy(
        doc(stmt(Sid="One"), stmt(effect="Deny", action="s3:*")), policy_id="mine", version_id="v3"
    )
    assert (p.policy_id, p.version_id, p.kind, p.version) == ("mine", "v3", "identity", "2012-10-17")
    assert [s.sid for s in p.statements] == ["One", None]
    assert [s.ref.effect for s in p.statements] == ["Allow", "Deny"]
    assert p.document["Statement"][0]["Sid"] == "One"
    p.document["Statement"].clear()  # a copy: the policy is unchanged
    assert len(p.document["Statement"]) == 2
    with pytest.raises(AttributeError):
        p.kind = "trust"
    assert p != parse_policy(doc(stmt(Sid="One"), stmt(effect="Deny", action="s3:*")))
    assert {p: 1}[p] == 1
    assert p.text is not None and '"One"' in p.text


def test_dict_and_bytes_input():
    from_dict = parse_policy(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
    )
    assert from_dict.statements[0].ref.start is None
    assert from_dict.text is None
    from_bytes = parse_policy(doc(stmt()).encode())
    assert from_bytes.statements[0].ref.start == Position(3, 17)


def test_statement_object_or_list():
    assert len(policy(stmt()).statements) == 1
    single = parse_policy(json.dumps({"Version": "2012-10-17", "Statement": stmt()}))
    assert len(single.statements) == 1


def test_numbers_and_booleans_in_conditions_keep_their_text():
    p = parse_policy(
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",'
        '"Condition":{"NumericLessThan":{"s3:max-keys":[10, 2.50]},"Bool":{"aws:SecureTransport":true}}}}'
    )
    conditions = p.statements[0].conditions
    assert conditions[0].values == ("10", "2.50")
    assert conditions[1].values == ("true",)


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_policy(doc(stmt()), kind="bucket")
