import re

import pytest

from accounts import identifiers
from accounts.errors import ValidationError


def test_account_id_is_twelve_digit_string_and_may_start_with_zero(monkeypatch):
    monkeypatch.setattr(identifiers.secrets, "randbelow", lambda n: 42)
    assert identifiers.new_account_id() == "000000000042"


def test_unique_ids_have_aws_prefixes_and_21_chars():
    for kind, prefix in [("user", "AIDA"), ("group", "AGPA"), ("role", "AROA"), ("policy", "ANPA")]:
        uid = identifiers.new_unique_id(kind)
        assert len(uid) == 21 and uid.startswith(prefix)
        assert re.fullmatch(r"[A-Z2-7]{21}", uid)


def test_arns():
    assert identifiers.iam_arn("123456789012", "root") == "arn:aws:iam::123456789012:root"
    assert identifiers.iam_arn("123456789012", "user", "/", "kim") == "arn:aws:iam::123456789012:user/kim"
    assert (
        identifiers.iam_arn("123456789012", "user", "/dev/", "kim")
        == "arn:aws:iam::123456789012:user/dev/kim"
    )
    assert identifiers.dashed_account_id("123456789012") == "1234-5678-9012"


@pytest.mark.parametrize("name", ["kim", "a", "x" * 64, "kim+test=1,2.3@example-_"])
def test_valid_user_names(name):
    assert identifiers.validate_name("user", name) == name


@pytest.mark.parametrize("name", ["", "x" * 65, "kim lee", "kim/lee", "김", "kim!"])
def test_invalid_user_names(name):
    with pytest.raises(ValidationError):
        identifiers.validate_name("user", name)


def test_group_names_allow_128_chars():
    assert identifiers.validate_name("group", "g" * 128)
    with pytest.raises(ValidationError):
        identifiers.validate_name("group", "g" * 129)


@pytest.mark.parametrize("alias", ["abc", "my-company", "a1b2", "x" * 63, "0-1"])
def test_valid_aliases(alias):
    assert identifiers.validate_account_alias(alias) == alias


@pytest.mark.parametrize(
    "alias", ["ab", "x" * 64, "-abc", "abc-", "a--b", "ABC", "my_company", "123456789012", "12345"]
)
def test_invalid_aliases(alias):
    with pytest.raises(ValidationError):
        identifiers.validate_account_alias(alias)


@pytest.mark.parametrize("path", ["/", "/dev/", "/a/b/c/"])
def test_valid_paths(path):
    assert identifiers.validate_path(path) == path


@pytest.mark.parametrize("path", ["dev", "/dev", "dev/", "/a//b/", "/" + "x" * 512 + "/"])
def test_invalid_paths(path):
    with pytest.raises(ValidationError):
        identifiers.validate_path(path)
