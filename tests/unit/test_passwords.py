import pytest

from accounts.passwords import IAM_DEFAULT, PasswordRules, check_password, generate_password


def test_iam_default_needs_eight_chars_and_three_classes():
    assert check_password("Abcdef1!", IAM_DEFAULT) == []
    assert check_password("abcdef12", IAM_DEFAULT) == [
        "Password should meet 1 more of the following requirements: "
        "Password should have at least one uppercase letter, Password should have at least one symbol"
    ]
    assert "Password should have a minimum length of 8" in check_password("Ab1!", IAM_DEFAULT)


def test_iam_default_refuses_account_name_and_email():
    problems = check_password("Example-Co1", IAM_DEFAULT, forbidden=("example-co1", "a@b.c"))
    assert problems == ["Password should not be the same as the account name or email address"]


def test_custom_policy_rules():
    rules = PasswordRules(
        minimum_password_length=10,
        require_uppercase_characters=True,
        require_lowercase_characters=True,
        require_numbers=True,
        require_symbols=True,
    )
    assert check_password("Abcdefgh1!", rules) == []
    assert check_password("abcdefghij", rules) == [
        "Password should have at least one uppercase letter",
        "Password should have at least one number",
        "Password should have at least one symbol",
    ]
    assert check_password("Ab1!", rules)[0] == "Password should have a minimum length of 10"


def test_custom_policy_without_class_rules_accepts_simple_password():
    assert check_password("aaaaaa", PasswordRules(minimum_password_length=6)) == []


def test_too_long_and_bad_characters():
    assert "Password should have a maximum length of 128" in check_password("Aa1!" * 40, IAM_DEFAULT)
    assert "Password contains characters that are not allowed" in check_password(
        "Abc1!efg\u20ac", IAM_DEFAULT
    )


@pytest.mark.parametrize(
    "rules", [IAM_DEFAULT, PasswordRules(minimum_password_length=40, require_symbols=True)]
)
def test_generated_passwords_satisfy_rules_and_are_csv_safe(rules):
    for _ in range(50):
        password = generate_password(rules)
        assert check_password(password, rules) == []
        assert password[0] not in "=+-@"
    assert len({generate_password(IAM_DEFAULT) for _ in range(20)}) == 20
