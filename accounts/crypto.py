"""Encryption at rest for secrets that must stay usable (access-key secrets, TOTP seeds).

Fernet (AES-128-CBC + HMAC-SHA256) under the keys in ``settings.ENCRYPTION_KEYS``; the first
key encrypts, every key decrypts, so keys can be rotated.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.ENCRYPTION_KEYS))


def encrypt(plaintext: str) -> str:
    return _current().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    return _current().decrypt(token.encode()).decode()
