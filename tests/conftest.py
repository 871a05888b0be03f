"""Factories and signed-in clients shared by every test (pytest functions, no leftovers)."""

import itertools

import pytest
from django.test import Client

from accounts.services import account as account_services
from accounts.services import groups as group_services
from accounts.services import users as user_services

ROOT_PASSWORD = "Root-Passw0rd!"
USER_PASSWORD = "User-Passw0rd!"
_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_authz_caches():
    """Each test starts with empty authorization caches (no decision leaks between tests)."""
    from accounts import authz

    authz.clear_caches()


@pytest.fixture
def root_factory(db):
    """Sign up a fresh account; returns its root identity."""

    def make(email=None, password=ROOT_PASSWORD, account_name=None):
        n = next(_seq)
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
        user, _ = user_services.console_create_user(
            actor or root,
            name=name or f"user{next(_seq)}",
            console_access=console,
            custom_password=password if console else None,
            password_reset_required=reset,
            group_names=tuple(groups),
        )
        return user

    return make


@pytest.fixture
def group_factory(root):
    def make(name=None, *, actor=None):
        return group_services.create_group(actor or root, name=name or f"group{next(_seq)}")

    return make


@pytest.fixture
def client_for(db):
    """A Django test client signed in as ``identity`` (through force_login)."""

    def make(identity, **kwargs):
        client = Client(**kwargs)
        client.force_login(identity, backend="accounts.backends.IAMUserBackend")
        return client

    return make


@pytest.fixture
def root_client(client_for, root):
    return client_for(root)
