"""Fixtures of the S3 tests: an object store of each test's own, buckets and objects made
through the services, and the demo's groups (ReadOnly, Developers) to act as carol and bob."""

from __future__ import annotations

import io

import pytest

READ_ONLY = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
EC2_FULL = "arn:aws:iam::aws:policy/AmazonEC2FullAccess"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture(autouse=True)
def object_store(settings, tmp_path):
    """Each test's own object store (and staging directory) under its tmp_path."""
    settings.STORAGES = {
        **settings.STORAGES,
        "s3objects": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "s3" / "objects")},
        },
    }
    return tmp_path / "s3"


def staged_files(store) -> list:
    staging = store / "staging"
    return sorted(p.name for p in staging.iterdir()) if staging.exists() else []


def blobs(store) -> list:
    objects = store / "objects"
    return (
        sorted(str(p.relative_to(objects)) for p in objects.rglob("*") if p.is_file())
        if objects.exists()
        else []
    )


@pytest.fixture
def make_bucket(db):
    """``make_bucket(actor, name, region=…)`` through CreateBucket."""
    from s3.services import buckets

    def make(actor, name, region="ap-northeast-2"):
        return buckets.create_bucket(
            actor, bucket=name, location_constraint=None if region == "us-east-1" else region
        )

    return make


@pytest.fixture
def put(db):
    """``put(actor, bucket, key, data=b"…", **options)`` through PutObject."""
    from s3.services import objects

    def make(actor, bucket, key, data=b"data", **options):
        return objects.put_object(
            actor, bucket=bucket, key=key, body=io.BytesIO(data), content_length=len(data), **options
        )

    return make


def read(actor, bucket, key, **options) -> bytes:
    from s3.services import objects

    body = objects.get_object(actor, bucket=bucket, key=key, **options)
    try:
        return body.file.read(body.content_length) if body.content_length else b""
    finally:
        body.file.close()


@pytest.fixture
def demo_groups(root, db):
    """The demo's groups: ReadOnly (AmazonS3ReadOnlyAccess), Developers (AmazonEC2FullAccess),
    Admins (AdministratorAccess)."""
    from accounts.services import groups, permissions

    for name, arn in (("ReadOnly", READ_ONLY), ("Developers", EC2_FULL), ("Admins", ADMIN)):
        groups.create_group(root, group_name=name)
        permissions.attach_group_policy(root, group_name=name, policy_arn=arn)


@pytest.fixture
def carol(user_factory, demo_groups):
    return user_factory("carol", groups=("ReadOnly",))


@pytest.fixture
def bob(user_factory, demo_groups):
    return user_factory("bob", groups=("Developers",))


@pytest.fixture
def alice(user_factory, demo_groups):
    return user_factory("alice", groups=("Admins",))


def principal(identity):
    from accounts.principals import principal_for_identity

    return principal_for_identity(identity, fresh=True)
