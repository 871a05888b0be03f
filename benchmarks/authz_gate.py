"""Benchmark: the full authorization gate of a console request (policies loaded from the database).

    .venv/bin/python benchmarks/authz_gate.py [--requests 10000]

Builds, in a throw-away SQLite database, the engine benchmark's realistic principal as real
rows — user kim in 3 groups, its managed policies attached to it and to the groups, inline
policies on it and on a group (about 100 statements with wildcards, conditions and
variables) — then times ``authz.decide(principal, action, resource)`` as a console request
calls it:

* cached: the principal's compiled policies are in the gate's cache (the normal case);
* reload: the account's generation moved (a policy or membership changed), so the gate
  reads the policies again (compiled documents still cached);
* cold: both caches empty (the first request of a process).

Target: at most 1 ms of authorization overhead per console request (p50, cached).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ["IAMCONSOLE_VAR_DIR"] = tempfile.mkdtemp(prefix="iamconsole-bench-")
os.environ.pop("DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

import django  # noqa: E402

django.setup()

import policy_engine as engine_bench  # noqa: E402
from django.core.management import call_command  # noqa: E402

from accounts import authz  # noqa: E402
from accounts.identifiers import iam_arn, new_unique_id  # noqa: E402
from accounts.models import (  # noqa: E402
    Account,
    Group,
    GroupMembership,
    Identity,
    InlinePolicy,
    ManagedPolicy,
    PolicyVersion,
)
from accounts.principals import principal_for_identity  # noqa: E402


def build_principal() -> Identity:
    """The engine benchmark's principal, as database rows (bypassing services: setup only)."""
    account = Account.objects.create(account_id=engine_bench.ACCOUNT, name="bench")
    kim = Identity.objects.create(
        account=account,
        kind=Identity.USER,
        name=engine_bench.USER_NAME,
        path="/engineering/",
        unique_id=new_unique_id("user"),
        password="!",
    )
    groups = [
        Group.objects.create(account=account, name=name, unique_id=new_unique_id("group"))
        for name in ("Engineering", "Data", "OnCall")
    ]
    for group in groups:
        GroupMembership.objects.create(group=group, user=kim)
    for i, (name, text) in enumerate(engine_bench._managed_documents()):
        policy = ManagedPolicy.objects.create(
            account=account,
            name=name,
            arn=iam_arn(account.account_id, "policy", "/", name),
            unique_id=new_unique_id("policy"),
        )
        PolicyVersion.objects.create(policy=policy, version_id="v1", document=text, is_default=True)
        if i % 4 == 0:
            policy.attached_users.add(kim)
        else:
            policy.attached_groups.add(groups[i % 3])
    for i, (name, text) in enumerate(engine_bench._inline_documents()):
        owner = {"user": kim} if i % 2 == 0 else {"group": groups[i % 3]}
        InlinePolicy.objects.create(name=name.replace("/", "-")[:128], document=text, **owner)
    return Identity.objects.select_related("account").get(pk=kim.pk)


def timed(fn, specs) -> list[int]:
    perf = time.perf_counter_ns
    out = []
    for action, resource, _context in specs:
        t0 = perf()
        fn(action, resource)
        out.append(perf() - t0)
    return out


def summary(name: str, samples: list[int]) -> str:
    samples = sorted(samples)
    p50 = samples[len(samples) // 2] / 1000
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] / 1000
    mean = statistics.fmean(samples) / 1000
    return f"{name:<8} p50 {p50:9.1f} µs   p99 {p99:9.1f} µs   mean {mean:9.1f} µs   {1e6 / mean:10,.0f} requests/s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10000)
    n = parser.parse_args().requests
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    call_command("migrate", verbosity=0)
    kim = principal_for_identity(build_principal(), fresh=True)  # built once, as a request does
    loaded = authz.policies_for(kim)
    statements = sum(len(p.statements) for p in loaded.policy_set.identity)
    print(
        f"principal {kim.arn}: {len(loaded.considered)} policies, {statements} statements, 3 groups; {n} requests"
    )
    specs = engine_bench.build_request_specs(n)

    def decide(action, resource):
        return authz.decide(kim, action, resource)

    for action, resource, _ in specs[:500]:
        decide(action, resource)  # warm-up
    cached = timed(decide, specs)
    verdicts = [decide(a, r).allowed for a, r, _ in specs]

    def reload(action, resource):
        kim.authz_generation += 1  # as after a change: the cached set no longer matches
        return authz.decide(kim, action, resource)

    reloads = timed(reload, specs[:500])

    def cold(action, resource):
        authz.clear_caches()
        kim.authz_generation += 1
        return authz.decide(kim, action, resource)

    colds = timed(cold, specs[:100])
    print(f"allowed {sum(verdicts)}, denied {len(verdicts) - sum(verdicts)}")
    print(summary("cached", cached))
    print(summary("reload", reloads) + "   (4 queries, documents already compiled)")
    print(summary("cold", colds) + "   (4 queries + parsing every document)")
    p50_ms = sorted(cached)[len(cached) // 2] / 1e6
    print(
        f"target: <= 1 ms per console request (cached p50): {'met' if p50_ms <= 1 else 'NOT met'} ({p50_ms * 1000:.1f} µs)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
