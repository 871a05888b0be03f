"""Password rules: the account password policy, the IAM default, and generated passwords.

Pure Python: the rules are data (``PasswordRules``) and the checks are functions, so the
forms, the services and the tests share them.
"""

import secrets
import string
from dataclasses import dataclass

# The symbols AWS's password policy counts as "non-alphanumeric characters".
SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
MAX_PASSWORD_LENGTH = 128

_CLASS_MESSAGES = {
    "uppercase": "Password should have at least one uppercase letter",
    "lowercase": "Password should have at least one lowercase letter",
    "numbers": "Password should have at least one number",
    "symbols": "Password should have at least one symbol",
}


@dataclass(frozen=True)
class PasswordRules:
    """What a new password must satisfy; mirrors AWS's PasswordPolicy fields."""

    minimum_password_length: int = 8
    require_uppercase_characters: bool = False
    require_lowercase_characters: bool = False
    require_numbers: bool = False
    require_symbols: bool = False
    # IAM default only: at least this many of the four character classes.
    minimum_character_classes: int = 0
    password_reuse_prevention: int = 0
    max_password_age: int = 0
    allow_users_to_change_password: bool = False
    hard_expiry: bool = False
    is_default: bool = False


# AWS's "IAM default" when no custom policy is set: 8+ characters, 3 of the 4 classes,
# not the account name or email, never expires.
IAM_DEFAULT = PasswordRules(minimum_character_classes=3, is_default=True)


def character_classes(password: str) -> dict[str, bool]:
    return {
        "uppercase": any(c in string.ascii_uppercase for c in password),
        "lowercase": any(c in string.ascii_lowercase for c in password),
        "numbers": any(c in string.digits for c in password),
        "symbols": any(c in SYMBOLS for c in password),
    }


def check_password(password: str, rules: PasswordRules, *, forbidden: tuple[str, ...] = ()) -> list[str]:
    """Messages for each rule ``password`` breaks (empty when it is acceptable).

    ``forbidden`` holds values the password may not equal (the account name and email
    under the IAM default).
    """
    problems = []
    if len(password) < rules.minimum_password_length:
        problems.append(f"Password should have a minimum length of {rules.minimum_password_length}")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Password should have a maximum length of {MAX_PASSWORD_LENGTH}")
    if any(not ("\x20" <= c <= "\xff" or c in "\t\n\r") for c in password):
        problems.append("Password contains characters that are not allowed")
    classes = character_classes(password)
    required = {
        "uppercase": rules.require_uppercase_characters,
        "lowercase": rules.require_lowercase_characters,
        "numbers": rules.require_numbers,
        "symbols": rules.require_symbols,
    }
    problems += [_CLASS_MESSAGES[k] for k, need in required.items() if need and not classes[k]]
    if rules.minimum_character_classes:
        missing = [k for k, present in classes.items() if not present]
        short_by = rules.minimum_character_classes - sum(classes.values())
        if short_by > 0:
            listed = ", ".join(_CLASS_MESSAGES[k] for k in missing)
            problems.append(f"Password should meet {short_by} more of the following requirements: {listed}")
    if rules.is_default and any(f and password.lower() == f.lower() for f in forbidden):
        problems.append("Password should not be the same as the account name or email address")
    return problems


def generate_password(rules: PasswordRules, length: int = 16) -> str:
    """A random password from a CSPRNG that satisfies ``rules``.

    It never starts with ``= + - @`` so that it survives a spreadsheet unescaped.
    """
    length = max(length, rules.minimum_password_length)
    alphabet = string.ascii_letters + string.digits + SYMBOLS
    while True:
        chars = [secrets.choice(alphabet) for _ in range(length)]
        candidate = "".join(chars)
        if candidate[0] in "=+-@":
            continue
        if all(character_classes(candidate).values()) and not check_password(candidate, rules):
            return candidate
