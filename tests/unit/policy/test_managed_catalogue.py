"""The shipped AWS managed policies (accounts/policy/managed/): AWS's key order and descriptions."""

import json

from accounts.policy.managed import refresh

SHIPPED = json.loads(refresh.SHIPPED.read_text())


def test_sorted_keys_take_awss_order():
    document = {
        "Statement": [
            {"Action": "s3:*", "Condition": {}, "Effect": "Allow", "Resource": "*", "Sid": "A"},
            {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
        ],
        "Version": "2012-10-17",
    }
    ordered = refresh.aws_key_order(document)
    assert list(ordered) == ["Version", "Statement"]
    assert [list(s) for s in ordered["Statement"]] == [
        ["Sid", "Effect", "Action", "Resource", "Condition"],
        ["Effect", "NotAction", "Resource"],
    ]


def test_an_order_that_was_kept_is_left_alone():
    document = {"Version": "2012-10-17", "Statement": {"Resource": "*", "Effect": "Allow", "Action": "s3:*"}}
    ordered = refresh.aws_key_order(document)
    assert list(ordered) == ["Version", "Statement"]
    assert list(ordered["Statement"]) == ["Resource", "Effect", "Action"]  # not sorted: the author's


def test_every_shipped_policy_has_version_first_and_a_description():
    assert len(SHIPPED) == 30
    for name, item in SHIPPED.items():
        document = item["Document"]
        assert list(document)[0] == "Version", name
        assert item["Description"], name
        for statement in document["Statement"]:
            keys = [k for k in refresh.STATEMENT_ORDER if k in statement]
            assert list(statement)[: len(keys)] == keys, name
    assert (
        SHIPPED["AdministratorAccess"]["Description"] == "Provides full access to AWS services and resources."
    )
    assert SHIPPED["ViewOnlyAccess"]["Description"].endswith("metadata across all AWS services")
