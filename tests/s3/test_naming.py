"""S3's naming rules: bucket names (with the console's words for each rule) and object keys."""

import pytest

from s3 import naming


@pytest.mark.parametrize(
    "name",
    ["abc", "my-bucket", "my.bucket.2024", "a" * 63, "0bucket9", "xn-bucket", "bucket-s3alias-not-suffix"],
)
def test_valid_bucket_names(name):
    assert naming.bucket_name_problem(name) is None


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("ab", "between 3 and 63 characters"),
        ("a" * 64, "between 3 and 63 characters"),
        ("", "between 3 and 63 characters"),
        ("MyBucket", "must not contain uppercase characters"),
        ("my_bucket", "only of lowercase letters, numbers, periods (.), and hyphens (-)"),
        ("my bucket", "only of lowercase letters, numbers, periods (.), and hyphens (-)"),
        ("bücket", "only of lowercase letters, numbers, periods (.), and hyphens (-)"),
        ("-bucket", "begin and end with a letter or number"),
        ("bucket.", "begin and end with a letter or number"),
        ("my..bucket", "two adjacent periods"),
        ("192.168.5.4", "formatted as an IP address"),
        ("xn--bucket", 'prefix "xn--"'),
        ("sthree-bucket", 'prefix "sthree-"'),
        ("amzn-s3-demo-bucket", 'prefix "amzn-s3-demo-"'),
        ("bucket-s3alias", 'suffix "-s3alias"'),
        ("bucket--ol-s3", 'suffix "--ol-s3"'),
        ("bucket.mrap", 'suffix ".mrap"'),
        ("bucket--x-s3", 'suffix "--x-s3"'),
        ("bucket--table-s3", 'suffix "--table-s3"'),
    ],
)
def test_invalid_bucket_names_say_which_rule(name, rule):
    problem = naming.bucket_name_problem(name)
    assert problem is not None and rule in problem
    assert not naming.is_valid_bucket_name(name)


def test_an_address_like_name_that_is_no_address_is_valid():
    assert naming.bucket_name_problem("192.168.5.256") is None
    assert naming.bucket_name_problem("1.2.3") is None


def test_keys():
    assert naming.key_problem("") == "empty"
    assert naming.key_problem("a" * 1024) is None
    assert naming.key_problem("é" * 512) is None  # 1,024 bytes
    assert naming.key_problem("é" * 513) == "too-long"
    assert naming.key_problem("\ud800") == "invalid"


def test_successor_bounds_every_key_with_the_prefix():
    assert naming.successor(b"photos/") == b"photos0"
    assert naming.successor(b"a\xff\xff") == b"b"
    assert naming.successor(b"\xff") is None
    assert naming.successor(b"") is None
