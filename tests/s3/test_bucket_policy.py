"""PutBucketPolicy's validation with S3's messages (and where the fault is), and "The meaning of
public" that Block Public Access applies."""

import json

import pytest

from s3 import bucket_policy as bp

BUCKET = "reports"
ACCOUNT = "123456789012"
USER = f"arn:aws:iam::{ACCOUNT}:user/carol"
KNOWN = {f"arn:aws:iam::{ACCOUNT}:root", USER}


def exists(arn):
    return arn in KNOWN


def doc(*statements, **top):
    return json.dumps({"Version": "2012-10-17", **top, "Statement": list(statements)}, indent=2)


def stmt(**overrides):
    base = {
        "Effect": "Allow",
        "Principal": {"AWS": USER},
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{BUCKET}/*",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def problem(text):
    with pytest.raises(bp.PolicyProblem) as caught:
        bp.validate(text, bucket=BUCKET, principal_exists=exists)
    return caught.value


def test_a_valid_policy_passes():
    bp.validate(doc(stmt()), bucket=BUCKET, principal_exists=exists)
    bp.validate(
        doc(
            stmt(
                Action=["s3:ListBucket", "s3:GetObject"],
                Resource=[f"arn:aws:s3:::{BUCKET}", f"arn:aws:s3:::{BUCKET}/*"],
            )
        ),
        bucket=BUCKET,
        principal_exists=exists,
    )
    bp.validate(
        doc(stmt(Principal="*", Sid="Public read, with spaces")), bucket=BUCKET, principal_exists=exists
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", bp.FIRST_BYTE),
        ("policy.json", bp.FIRST_BYTE),
        ('["Statement"]', bp.FIRST_BYTE),
        ('{"Version": "2012-10-17", "Statement": [}', bp.INVALID_JSON),
        ('{"Version": "2012-10-17"}', "Missing required field Statement"),
        ('{"Version": "2012-10-17", "Statement": []}', "Could not parse the policy: Statement is empty!"),
        (doc(stmt(Effect=None)), "Missing required field Effect"),
        (doc(stmt(Effect="Alow")), "Invalid effect: Alow"),
        (doc(stmt(Principal=None)), "Missing required field Principal"),
        (doc(stmt(Principal={"AWS": f"arn:aws:iam::{ACCOUNT}:user/nobody"})), bp.INVALID_PRINCIPAL),
        (doc(stmt(Principal={"AWS": "arn:aws:iam::*:root"})), bp.INVALID_PRINCIPAL),
        (doc(stmt(Principal={"Group": "x"})), bp.INVALID_PRINCIPAL),
        (doc(stmt(Principal={"AWS": "999999999999"})), bp.INVALID_PRINCIPAL),
        (doc(stmt(Action="s3:GetObjects")), bp.INVALID_ACTION),
        (doc(stmt(Action="iam:CreateUser")), bp.INVALID_ACTION),
        (doc(stmt(Action=None)), "Missing required field Action"),
        (doc(stmt(Resource="arn:aws:s3:::another-bucket/*")), bp.INVALID_RESOURCE),
        (doc(stmt(Resource="reports/*")), bp.INVALID_RESOURCE),
        (doc(stmt(Resource=None)), "Missing required field Resource"),
        (doc(stmt(Resource=f"arn:aws:s3:::{BUCKET}")), bp.ACTION_NOT_APPLICABLE),
        (doc(stmt(Action="s3:ListBucket")), bp.ACTION_NOT_APPLICABLE),
        (doc(stmt(Action="s3:ListAllMyBuckets")), bp.ACTION_NOT_APPLICABLE),
        (doc(stmt(Condition={"StringEquals": {"prefix": "x"}})), bp.INVALID_CONDITION_KEY),
        (doc(stmt(Condition={"StringEqualz": {"s3:prefix": "x"}})), "Invalid Condition type : StringEqualz"),
        (doc(stmt(Sidd="x")), "Unknown field Sidd"),
    ],
)
def test_s3_messages(text, message):
    assert problem(text).message == message


def test_the_fault_is_located():
    text = doc(stmt(), stmt(Effect="Alow"))
    found = problem(text)
    line = text.splitlines()[found.line - 1]
    assert '"Effect": "Alow"' in line
    found = problem('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {,\n  ]\n}')
    assert (found.message, found.line) == (bp.INVALID_JSON, 4)


def test_the_size_limit():
    big = doc(*[stmt(Sid=f"S{i}", Resource=f"arn:aws:s3:::{BUCKET}/{'x' * 200}{i}") for i in range(120)])
    assert problem(big).code == "PolicyTooLarge"


@pytest.mark.parametrize(
    ("statement", "public"),
    [
        (stmt(Principal="*"), True),
        (stmt(Principal={"AWS": "*"}), True),
        (stmt(Principal={"AWS": ["*", USER]}), True),
        (stmt(), False),
        (stmt(Principal={"AWS": ACCOUNT}), False),
        (stmt(Principal="*", Effect="Deny"), False),
        (stmt(Principal="*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}), False),
        (stmt(Principal="*", Condition={"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}), True),
        (stmt(Principal="*", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}), False),
        (stmt(Principal="*", Condition={"StringEquals": {"aws:SourceAccount": ACCOUNT}}), False),
        (stmt(Principal="*", Condition={"StringLike": {"aws:SourceAccount": "12*"}}), True),
        (stmt(Principal="*", Condition={"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}), False),
        (stmt(Principal="*", Condition={"StringEqualsIfExists": {"aws:SourceAccount": ACCOUNT}}), True),
        (stmt(Principal="*", Condition={"StringLike": {"aws:userid": "AROAEXAMPLE:*"}}), True),
        (stmt(Principal="*", Condition={"Bool": {"aws:SecureTransport": "true"}}), True),
        (stmt(Principal="*", Action="s3:GetBucketLocation", Resource=f"arn:aws:s3:::{BUCKET}"), True),
    ],
)
def test_the_meaning_of_public(statement, public):
    assert bp.is_public(doc(statement)) is public


def test_a_not_principal_allow_is_public():
    text = doc({"Effect": "Allow", "NotPrincipal": {"AWS": USER}, "Action": "s3:GetObject", "Resource": "*"})
    assert bp.is_public(text)
