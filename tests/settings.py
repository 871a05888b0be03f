"""Test settings: the project's settings with a fast hasher and plain-HTTP test clients."""

import os

os.environ.setdefault("HTTPS", "0")

from iamconsole.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
