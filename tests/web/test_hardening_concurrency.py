"""Concurrency: simultaneous creates of one name, the one-time CSV download, and what runs
inside a transaction. Threads share the test database (a file for SQLite), so these tests use
transactional databases and run on SQLite and PostgreSQL alike.

No test waits a fixed time: a ``Gate`` holds the threads that reach a point until every thread
has either reached it or finished without it, and a barrier (PostgreSQL only: SQLite runs one
writer at a time, so it cannot interleave there) lines the creates up after their checks.
"""

import threading

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import (
    Account,
    AuditEvent,
    Group,
    Identity,
    InstanceProfile,
    ManagedPolicy,
    MFADevice,
    PendingDownload,
    Role,
)
from tests.web.test_hardening_throttle import SAFETY_TIMEOUT, run_concurrently


def line_up_first_save(monkeypatch, model, n: int) -> None:
    """On PostgreSQL, hold each thread's first ``model.save`` until all ``n`` threads are there:
    every thread has passed the service's own name check before any row is written."""
    if connection.vendor != "postgresql":
        return
    barrier = threading.Barrier(n)
    seen = threading.local()
    real_save = model.save

    def save(self, *args, **kwargs):
        if not getattr(seen, "done", False):
            seen.done = True
            barrier.wait(SAFETY_TIMEOUT)
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(model, "save", save)


N = 20
POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}'


def _create(kind: str, actor, name: str):
    from accounts.services import account, groups, instance_profiles, mfa, policies, roles, users

    if kind == "user":
        return users.create_user(actor, user_name=name)
    if kind == "group":
        return groups.create_group(actor, group_name=name)
    if kind == "role":
        return roles.create_role(
            actor, role_name=name, assume_role_policy_document=roles.service_trust_policy("ec2.amazonaws.com")
        )
    if kind == "policy":
        return policies.create_policy(actor, policy_name=name, policy_document=POLICY)
    if kind == "alias":
        return account.create_account_alias(actor, account_alias=name)
    if kind == "mfa":
        return mfa.create_virtual_mfa_device(actor, virtual_mfa_device_name=name)
    if kind == "instance_profile":
        return instance_profiles.create_instance_profile(actor, instance_profile_name=name)
    raise AssertionError(kind)


CREATES = {
    # kind: (model whose save is lined up, IAM action, AWS's message for the losers)
    "user": (Identity, "iam:CreateUser", "User with name {name} already exists."),
    "group": (Group, "iam:CreateGroup", "Group with name {name} already exists."),
    "role": (Role, "iam:CreateRole", "Role with name {name} already exists."),
    "policy": (
        ManagedPolicy,
        "iam:CreatePolicy",
        "A policy called {name} already exists. Duplicate names are not allowed.",
    ),
    "alias": (Account, "iam:CreateAccountAlias", "The account alias {name} already exists."),
    "mfa": (
        MFADevice,
        "iam:CreateVirtualMFADevice",
        "MFADevice entity at the same path and name already exists.",
    ),
    "instance_profile": (
        InstanceProfile,
        "iam:CreateInstanceProfile",
        "Instance Profile {name} already exists.",
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", sorted(CREATES))
def test_simultaneous_creates_of_one_name(root_factory, monkeypatch, kind):
    """Twenty creates of one name at once: one succeeds, nineteen get EntityAlreadyExists with
    AWS's message, and every attempt has its audit row (PostgreSQL gave 19 × 500, no rows)."""
    from accounts.errors import EntityAlreadyExists

    model, action, message = CREATES[kind]
    name = "shared-name" if kind == "alias" else "SharedName"
    # An alias is unique across accounts: twenty accounts race for it; the rest, one account.
    roots = [root_factory() for _ in range(N)] if kind == "alias" else [root_factory()] * N
    ids = [r.pk for r in roots]
    line_up_first_save(monkeypatch, model, N)

    def attempt(i):
        actor = Identity.objects.select_related("account").get(pk=ids[i])
        # Names of users, groups, roles, policies, instance profiles are case-insensitive.
        typed = name.upper() if i % 2 and kind not in ("alias", "mfa") else name
        return _create(kind, actor, typed)

    results = run_concurrently(N, attempt)
    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == N - 1, results
    assert all(isinstance(e, EntityAlreadyExists) for e in errors), errors
    assert {e.message for e in errors} <= {message.format(name=name), message.format(name=name.upper())}
    events = AuditEvent.objects.filter(action=action)
    assert events.count() == N
    assert events.filter(result="Success").count() == 1
    assert events.filter(result="EntityAlreadyExists").count() == N - 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_through_the_console_answer_409(root_factory, monkeypatch):
    """The console's Create user wizard: the losers see AWS's message on the form (409), not a 500."""
    root = root_factory()
    line_up_first_save(monkeypatch, Identity, 8)

    def attempt(i):
        client = Client(raise_request_exception=False)
        client.force_login(Identity.objects.get(pk=root.pk), backend="accounts.backends.RootUserBackend")
        return client.post(reverse("iam:user_create"), {"user_name": "lee"})

    responses = run_concurrently(8, attempt)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] + [409] * 7, statuses
    assert all(
        "User with name lee already exists." in r.content.decode() for r in responses if r.status_code == 409
    )
    assert Identity.objects.filter(name="lee").count() == 1


@pytest.mark.django_db(transaction=True)
def test_csv_download_serves_concurrent_clicks_on_the_step_and_nobody_after_it(root_factory):
    """Eight simultaneous POSTs of one download token while the Retrieve step is open all get
    the same CSV; once the session loads another page, none does and the bytes are gone."""
    root = root_factory()
    client = Client()
    client.force_login(root, backend="accounts.backends.RootUserBackend")
    page = client.post(reverse("iam:user_create"), {"user_name": "kim", "console_access": "on"})
    token = page.context["download_token"]
    cookies = client.cookies

    def attempt(i):
        other = Client()
        other.cookies = cookies
        return other.post(reverse("iam:credentials_download", args=[token]))

    responses = run_concurrently(8, attempt)
    assert sorted(r.status_code for r in responses) == [200] * 8
    assert len({r.content for r in responses}) == 1
    client.get(reverse("iam:user_list"))
    assert client.post(reverse("iam:credentials_download", args=[token])).status_code == 404
    assert not PendingDownload.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_console_create_user_hashes_outside_the_transaction(root_factory, monkeypatch):
    """PBKDF2 takes ~350 ms: hashing inside the transaction held SQLite's write lock (and, on
    PostgreSQL, the rows it had locked) that long."""
    from django.contrib.auth.hashers import MD5PasswordHasher

    from accounts.services import users as user_services

    root = root_factory()
    in_transaction = []
    real_encode = MD5PasswordHasher.encode

    def encode(self, password, salt):
        in_transaction.append(connection.in_atomic_block)
        return real_encode(self, password, salt)

    monkeypatch.setattr(MD5PasswordHasher, "encode", encode)
    user_services.console_create_user(
        root, user_name="kim", console_access=True, custom_password="Abcdefg1!", password_reset_required=False
    )
    assert in_transaction == [False]
    kim = Identity.objects.get(name="kim")
    assert kim.check_password("Abcdefg1!") and kim.has_login_profile
    # Audited as before: CreateUser and CreateLoginProfile.
    assert list(AuditEvent.objects.filter(result="Success").order_by("id").values_list("action", flat=True))[
        -2:
    ] == ["iam:CreateUser", "iam:CreateLoginProfile"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", ["update_login_profile", "change_password"])
def test_password_changes_hash_and_verify_outside_the_transaction(root_factory, monkeypatch, change):
    from django.contrib.auth.hashers import MD5PasswordHasher

    from accounts.services import account as account_services
    from accounts.services import credentials
    from accounts.services import users as user_services

    root = root_factory()
    account_services.update_account_password_policy(root, password_reuse_prevention=5)
    user_services.console_create_user(root, user_name="kim", console_access=True, custom_password="Abcdefg1!")
    in_transaction = []
    for name in ("encode", "verify"):
        real = getattr(MD5PasswordHasher, name)

        def wrapped(self, *args, _real=real):
            in_transaction.append(connection.in_atomic_block)
            return _real(self, *args)

        monkeypatch.setattr(MD5PasswordHasher, name, wrapped)
    if change == "update_login_profile":
        user_services.update_login_profile(root, user_name="kim", password="Fresh-Pass1!")
    else:
        credentials.change_password(
            Identity.objects.get(name="kim"), old_password="Abcdefg1!", new_password="Fresh-Pass1!"
        )
    assert in_transaction and not any(in_transaction), in_transaction
    assert Identity.objects.get(name="kim").check_password("Fresh-Pass1!")


@pytest.mark.django_db(transaction=True)
def test_password_changed_meanwhile_is_checked_again_under_the_lock(root_factory):
    """Reuse prevention ran before the transaction; a hash that changed since is checked again."""
    from accounts.errors import PasswordPolicyViolation
    from accounts.services import account as account_services
    from accounts.services import credentials
    from accounts.services import users as user_services

    root = root_factory()
    account_services.update_account_password_policy(root, password_reuse_prevention=5)
    user_services.console_create_user(root, user_name="kim", console_access=True, custom_password="Abcdefg1!")
    kim = Identity.objects.get(name="kim")
    prepared = credentials.prepare_new_password(kim, "Second-Pass1!")
    user_services.update_login_profile(root, user_name="kim", password="Second-Pass1!")  # meanwhile
    with pytest.raises(PasswordPolicyViolation):
        user_services.update_login_profile(root, user_name="kim", password=prepared)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has no row locks")
@pytest.mark.django_db(transaction=True)
def test_row_locks_name_only_their_own_table(root, user_factory, group_factory):
    """select_for_update(of=("self",)): a lock on a user or the account never takes the joined
    rows (the account, the password policy) with it."""
    from django.test.utils import CaptureQueriesContext

    from accounts.principals import as_principal
    from accounts.services import lookups

    user_factory("kim")
    group_factory("Admins")
    actor = as_principal(root)
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        lookups.account_of(actor, for_update=True)  # PostgreSQL refused it before (outer join)
        lookups.find_user(actor, "kim", for_update=True)
        lookups.find_group(actor, "admins", for_update=True)
    locks = [q["sql"] for q in queries.captured_queries if "FOR UPDATE" in q["sql"]]
    assert len(locks) == 3
    assert all(" FOR UPDATE OF " in sql for sql in locks), locks
