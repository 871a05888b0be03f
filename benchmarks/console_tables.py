"""Benchmark: the console's tables and pickers with AWS's quota of users in one account.

    .venv/bin/python benchmarks/console_tables.py [--users 5000] [--groups 300] [--policies 1500] [--runs 40]

Builds, in a fresh SQLite database of its own (a temporary IAMCONSOLE_VAR_DIR, removed
afterwards; DEBUG off), one account holding ``--users`` IAM users (each in two groups, every
tenth with a console password, an access key and an attached policy), ``--groups`` groups
(each with two policies) and ``--policies`` customer managed policies beside the AWS managed
ones. The rows are written in bulk (the benchmark measures the pages, not the writes).

Then the root user's signed-in Django client asks each list page and picker ``--runs`` times
(after two warm-up requests) and the table gives, per page: the server time for the whole
request (middleware, view, queries, template) p50 and p95, the HTML size and the number of
queries. Targets (issue 10): p95 ≤ 50 ms and ≤ 150 KB for every list page and picker, and
queries constant in the number of rows.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VAR_DIR = tempfile.mkdtemp(prefix="iamconsole-tables-bench-")
os.environ.update(
    {
        "DEBUG": "0",
        "HTTPS": "0",
        "IAMCONSOLE_VAR_DIR": VAR_DIR,
        "ALLOWED_HOSTS": "testserver",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "tests.settings",  # the fast hasher, plain static files
    }
)
os.environ.pop("DATABASE_URL", None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

TARGET_MS = 50
TARGET_KB = 150


def build(users: int, groups: int, policies: int):
    """The account and its rows, written in bulk; returns the root user."""
    from accounts import identifiers
    from accounts.models import AccessKey, Group, GroupMembership, Identity, ManagedPolicy, PolicyVersion
    from accounts.services import account as account_services

    root = account_services.create_account(
        email="bench@example.com", password="Bench-Root-2026!", account_name="bench"
    )
    account = root.account
    aid = account.account_id
    group_rows = Group.objects.bulk_create(
        Group(account=account, name=f"group-{i:04d}", unique_id=identifiers.new_unique_id("group"))
        for i in range(groups)
    )
    document = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}'
    policy_rows = ManagedPolicy.objects.bulk_create(
        ManagedPolicy(
            account=account,
            name=f"policy-{i:05d}",
            arn=f"arn:aws:iam::{aid}:policy/policy-{i:05d}",
            unique_id=identifiers.new_unique_id("policy"),
            description=f"Benchmark policy {i}",
        )
        for i in range(policies)
    )
    PolicyVersion.objects.bulk_create(
        PolicyVersion(policy=p, version_id="v1", document=document, is_default=True) for p in policy_rows
    )
    user_rows = []
    for i in range(users):
        user = Identity(
            account=account,
            kind=Identity.USER,
            name=f"user-{i:05d}",
            unique_id=identifiers.new_unique_id("user"),
        )
        user.set_unusable_password()
        user_rows.append(user)
    user_rows = Identity.objects.bulk_create(user_rows, batch_size=1000)
    GroupMembership.objects.bulk_create(
        (
            GroupMembership(user=u, group=group_rows[(i + k) % groups])
            for i, u in enumerate(user_rows)
            for k in (0, 1)
        ),
        batch_size=2000,
    )
    Group.attached_policies.through.objects.bulk_create(
        Group.attached_policies.through(group_id=g.pk, managedpolicy_id=policy_rows[(i + k) % policies].pk)
        for i, g in enumerate(group_rows)
        for k in (0, 1)
    )
    every_tenth = user_rows[::10]
    Identity.attached_policies.through.objects.bulk_create(
        Identity.attached_policies.through(identity_id=u.pk, managedpolicy_id=policy_rows[i % policies].pk)
        for i, u in enumerate(every_tenth)
    )
    from accounts import crypto

    AccessKey.objects.bulk_create(
        AccessKey(
            identity=u,
            access_key_id=f"AKIA{i:016d}",
            secret_encrypted=crypto.encrypt("x" * 40),
        )
        for i, u in enumerate(every_tenth)
    )
    return root


def measure(client, method: str, url: str, data: dict | None, runs: int):
    send = client.post if method == "POST" else client.get
    for _ in range(2):
        response = send(url, data or {})
        assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = send(url, data or {})
        times.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        response = send(url, data or {})
    times.sort()
    p95 = times[max(0, int(len(times) * 0.95) - 1)]
    return statistics.median(times), p95, len(response.content) / 1024, len(queries.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--policies", type=int, default=1500)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        root = build(args.users, args.groups, args.policies)
        print(
            f"{args.users} users, {args.groups} groups, {args.policies} customer managed policies "
            f"(built in {time.perf_counter() - started:.1f} s); {args.runs} requests per page\n"
        )
        client = Client()
        client.force_login(root, backend="accounts.backends.RootUserBackend")
        picker = reverse("iam:picker", args=["users"])
        pages = [
            ("Users", "GET", reverse("iam:user_list"), None),
            ("Users, 100 per page", "GET", reverse("iam:user_list") + "?size=100", None),
            ("Users, sorted by groups", "GET", reverse("iam:user_list") + "?sort=groups", None),
            ("Users, filtered", "GET", reverse("iam:user_list") + "?q=user-04", None),
            ("Users, page 200", "GET", reverse("iam:user_list") + "?page=200", None),
            ("User groups", "GET", reverse("iam:group_list"), None),
            ("Roles", "GET", reverse("iam:role_list"), None),
            ("Policies", "GET", reverse("iam:policy_list"), None),
            ("Policies, filtered", "GET", reverse("iam:policy_list") + "?q=policy-01", None),
            ("Picker: users", "GET", picker + "?q=user-0&field=users", None),
            ("Picker: groups", "GET", reverse("iam:picker", args=["groups"]) + "?field=groups", None),
            (
                "Picker: policies",
                "GET",
                reverse("iam:picker", args=["policies"]) + "?q=pol&field=policy_arns",
                None,
            ),
            ("Create user group", "GET", reverse("iam:group_create"), None),
            (
                "Create user, Set permissions",
                "POST",
                reverse("iam:user_create"),
                {"user_name": "x", "step": "1", "go": "next"},
            ),
            ("Attach policies (user)", "GET", reverse("iam:user_attach_policies", args=["user-00010"]), None),
            ("Add users to group", "GET", reverse("iam:group_add_users", args=["group-0001"]), None),
            ("User details", "GET", reverse("iam:user_detail", args=["user-00010"]), None),
        ]
        print(f"{'page':<32} {'p50 ms':>8} {'p95 ms':>8} {'KB':>8} {'queries':>8}  verdict")
        failed = False
        for name, method, url, data in pages:
            p50, p95, kb, queries = measure(client, method, url, data, args.runs)
            ok = p95 <= TARGET_MS and kb <= TARGET_KB
            failed |= not ok
            verdict = "OK" if ok else "OVER TARGET"
            print(f"{name:<32} {p50:8.1f} {p95:8.1f} {kb:8.1f} {queries:8d}  {verdict}")
        print(f"\nTargets: p95 ≤ {TARGET_MS} ms and ≤ {TARGET_KB} KB per page.")
        sys.exit(1 if failed else 0)
    finally:
        shutil.rmtree(VAR_DIR, ignore_errors=True)


if __name__ == "__main__":
    main()
