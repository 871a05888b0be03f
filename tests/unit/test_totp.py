"""TOTP maths against RFC 6238's SHA1 vectors, window edges and AWS's otpauth URI."""

from urllib.parse import parse_qs, urlparse

import pytest

from accounts import totp

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # base32 of ASCII "12345678901234567890"


@pytest.mark.parametrize(
    "unix_time,code8",
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_rfc6238_sha1_vectors_last_six_digits(unix_time, code8):
    step = totp.time_step(unix_time)
    assert totp.code_at_step(RFC_SECRET, step) == code8[-6:]
    assert totp.find_step(RFC_SECRET, code8[-6:], step) == step


def test_window_is_one_step_either_way():
    now = totp.time_step(1111111111)
    for offset, accepted in [(-2, False), (-1, True), (0, True), (1, True), (2, False)]:
        code = totp.code_at_step(RFC_SECRET, now + offset)
        found = totp.find_step(RFC_SECRET, code, now)
        assert (found == now + offset) if accepted else (found is None), offset


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 345", None])
def test_malformed_codes_never_match(code):
    assert totp.find_step(RFC_SECRET, code, 100) is None


def test_new_secret_is_160_bits_base32_and_random():
    secrets = {totp.new_secret() for _ in range(20)}
    assert len(secrets) == 20
    for s in secrets:
        assert len(s) == 32 and set(s) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_provisioning_uri_has_aws_shape():
    uri = totp.provisioning_uri("ABCDEF", "kim-phone", "acme", issuer="iamconsole")
    parsed = urlparse(uri)
    assert (parsed.scheme, parsed.netloc, parsed.path) == ("otpauth", "totp", "/kim-phone@acme")
    assert parse_qs(parsed.query) == {"secret": ["ABCDEF"], "issuer": ["iamconsole"]}
