"""The API around the algorithm: the signing-key cache, credential_of then verify, threads."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import threading
from datetime import UTC, datetime

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from accounts.api import sigv4
from accounts.api.sigv4 import Credential, SigV4Error, credential_of, signing_key, verify
from tests.unit.api.helpers import ACCESS_KEY, SECRET_KEY, from_botocore


def _signed(user: str, *, key_id: str = ACCESS_KEY, secret: str = SECRET_KEY):
    request = AWSRequest(
        method="POST",
        url="https://iam.amazonaws.com/",
        data=f"Action=GetUser&UserName={user}&Version=2010-05-08",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )
    SigV4Auth(Credentials(key_id, secret), "iam", "us-east-1").add_auth(request)
    return from_botocore(request)


def _derived(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def test_signing_key_is_awss_derivation_and_cached():
    sigv4._KEY_CACHE.clear()
    first = signing_key(SECRET_KEY, "20150830", "us-east-1", "iam")
    assert first == _derived(SECRET_KEY, "20150830", "us-east-1", "iam")
    assert signing_key(SECRET_KEY, "20150830", "us-east-1", "iam") is first
    assert signing_key(SECRET_KEY + "x", "20150830", "us-east-1", "iam") != first
    assert signing_key(SECRET_KEY, "20150830", "us-east-1", "sts") != first


def test_the_cache_is_bounded_and_never_holds_the_secret():
    sigv4._KEY_CACHE.clear()
    for day in range(sigv4._KEY_CACHE_SIZE + 50):
        signing_key(SECRET_KEY, f"D{day}", "us-east-1", "iam")
    assert len(sigv4._KEY_CACHE) == sigv4._KEY_CACHE_SIZE
    assert ("D0" not in {k[1] for k in sigv4._KEY_CACHE}) and ("D49" not in {k[1] for k in sigv4._KEY_CACHE})
    for cache_key in sigv4._KEY_CACHE:
        assert SECRET_KEY not in cache_key
        assert cache_key[0] == hashlib.sha256(SECRET_KEY.encode()).digest()


def test_credential_of_then_verify_of_another_request():
    alice, bob = _signed("alice"), _signed("bob", key_id="AKIDBOB", secret="bob-secret")
    assert credential_of(alice).access_key_id == ACCESS_KEY
    # verify() on another request object parses that one, not the one credential_of saw.
    assert verify(bob, "bob-secret", now=datetime.now(UTC)).credential.access_key_id == "AKIDBOB"
    with pytest.raises(SigV4Error):
        verify(bob, SECRET_KEY, now=datetime.now(UTC))
    assert credential_of(alice) == Credential(ACCESS_KEY, alice_day(alice), "us-east-1", "iam")
    verify(alice, SECRET_KEY, now=datetime.now(UTC))


def alice_day(request) -> str:
    return next(v for n, v in request.headers if n == "X-Amz-Date")[:8]


def test_an_equal_but_changed_request_is_parsed_again():
    alice = _signed("alice")
    credential_of(alice)
    tampered = dataclasses.replace(alice, body=alice.body.replace(b"alice", b"admin"))
    with pytest.raises(SigV4Error) as caught:
        verify(tampered, SECRET_KEY, now=datetime.now(UTC))
    assert caught.value.code == "SignatureDoesNotMatch"


def test_threads():
    requests = [_signed(f"user{i}", key_id=f"AKID{i}", secret=f"secret-{i}") for i in range(8)]
    failures = []

    def work(index: int):
        request = requests[index]
        for _ in range(200):
            credential = credential_of(request)
            if credential.access_key_id != f"AKID{index}":
                failures.append((index, credential))
            try:
                verify(request, f"secret-{index}", now=datetime.now(UTC))
            except SigV4Error as error:  # pragma: no cover - reported below
                failures.append((index, error))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
