"""Test settings: the project's settings with a fast hasher and plain-HTTP test clients."""

import os

os.environ.setdefault("HTTPS", "0")

from iamconsole.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# A file (not the in-memory default) so that threads in a test share the database the way
# server processes do: WAL and the busy timeout apply, and concurrency tests are real.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-iamconsole.sqlite3")}  # noqa: F405

# PostgreSQL: the tests' commits do not wait for the disk (a test database need not survive a
# crash of the machine; only this connection's commits, the cluster's settings are untouched).
if "postgresql" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    _options = DATABASES["default"].setdefault("OPTIONS", {})  # noqa: F405
    _options["options"] = (_options.get("options", "") + " -c synchronous_commit=off").strip()
