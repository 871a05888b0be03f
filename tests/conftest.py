"""Factories and signed-in clients shared by every test (pytest functions, no leftovers).

Django is imported inside the fixtures, so that the pure engine's tests also run without it:
``pytest tests/unit/policy -p no:django``.
"""

import itertools

import pytest

ROOT_PASSWORD = "Root-Passw0rd!"
USER_PASSWORD = "User-Passw0rd!"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_authz_caches(request):
    """Each test starts with empty authorization caches (no decision leaks between tests)."""
    if not request.config.pluginmanager.hasplugin("django"):
        return  # the pure engine's tests, run with -p no:django
    from accounts import authz

    authz.clear_caches()


@pytest.fixture
def root_factory(db):
    """Sign up a fresh account; returns its root identity."""

    def make(email=None, password=ROOT_PASSWORD, account_name=None):
        n = next(_seq)
        from accounts.services import account as account_services

        return account_services.create_account(
            email=email or f"owner{n}@example.com",
            password=password,
            account_name=account_name or f"Account {n}",
        )

    return make


@pytest.fixture
def root(root_factory):
    return root_factory()


@pytest.fixture
def user_factory(root):
    """Create an IAM user in ``root``'s account (with a console password by default)."""

    def make(name=None, *, actor=None, password=USER_PASSWORD, console=True, reset=False, groups=()):
        from accounts.models import Identity
        from accounts.services import users as user_services

        user, _ = user_services.console_create_user(
            actor or root,
            user_name=name or f"user{next(_seq)}",
            console_access=console,
            custom_password=password if console else None,
            password_reset_required=reset,
            group_names=tuple(groups),
        )
        return Identity.objects.select_related("account").get(unique_id=user.user_id)

    return make


@pytest.fixture
def group_factory(root):
    def make(name=None, *, actor=None):
        from accounts.services import groups as group_services

        return stored(group_services.create_group(actor or root, group_name=name or f"group{next(_seq)}"))

    return make


@pytest.fixture
def client_for(db):
    """A Django test client signed in as ``identity`` (through force_login)."""

    def make(identity, **kwargs):
        from django.test import Client

        client = Client(**kwargs)
        client.force_login(identity, backend="accounts.backends.IAMUserBackend")
        return client

    return make


@pytest.fixture
def root_client(client_for, root):
    return client_for(root)


def stored(shape):
    """The stored row behind a shape a service returned (a User, Group, Role, Policy or key)."""
    from accounts import models, shapes

    if isinstance(shape, shapes.User):
        return models.Identity.objects.select_related("account").get(unique_id=shape.user_id)
    if isinstance(shape, shapes.Group):
        return models.Group.objects.get(unique_id=shape.group_id)
    if isinstance(shape, shapes.Role):
        return models.Role.objects.select_related("account").get(unique_id=shape.role_id)
    if isinstance(shape, shapes.Policy):
        return models.ManagedPolicy.objects.get(arn=shape.arn)
    if isinstance(shape, shapes.AccessKey | shapes.AccessKeyMetadata):
        return models.AccessKey.objects.get(access_key_id=shape.access_key_id)
    raise TypeError(f"no stored row for {shape!r}")


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the tests that never touch a database ``nodb`` (the policy engine, SigV4, the
    protocol codec …): bin/test's PostgreSQL pass skips them, they ran on the SQLite pass."""
    for item in items:
        uses_db = item.get_closest_marker("django_db") is not None or DATABASE_FIXTURES & set(
            getattr(item, "fixturenames", ())
        )
        if not uses_db:
            item.add_marker(pytest.mark.nodb)
