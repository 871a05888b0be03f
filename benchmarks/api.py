"""Benchmark: the AWS API of this server under gunicorn beside moto_server, with boto3 clients.

    .venv/bin/python benchmarks/api.py [--users 50] [--calls 1000] [--workers 4] [--rounds 5]

Starts, each on its own free port on 127.0.0.1:

* this server: ``gunicorn iamconsole.wsgi`` (``--workers`` sync workers) with DEBUG=0, HTTPS=0,
  ALLOWED_HOSTS=127.0.0.1, a SECRET_KEY and its own IAMCONSOLE_VAR_DIR holding a freshly migrated
  SQLite database (a temporary directory, removed afterwards);
* ``moto_server`` (moto[server]'s Werkzeug server, in-memory).

Both get the same data through boto3 (``--users`` users ``user-0`` … under ``/bench/``), signed by
an access key of this server's account root (moto takes any key). Then one boto3 client per
server makes ``ListUsers`` and ``GetUser`` round trips one after another (after a warm-up), in
``--rounds`` alternating rounds so that a busy machine disturbs both sides alike, and the
table gives round trips per second, p50 and p99 latency for each, and the server processes' CPU
time per call (read from /proc: less disturbed than wall time by other work on the machine).

Then, in this process: SigV4 verification alone (``credential_of`` + ``verify`` on a boto3
ListUsers request, the signing key cached; the function of benchmarks/sigv4.py) and the
authorization gate for a role session, cached (``authz.decide`` on a principal built with
``accounts.principals.role_session_principal`` for a role holding benchmarks/authz_gate.py's
realistic policies, with and without a session policy).

Targets: at least moto's rate; SigV4 ≤ 100 µs p50; the gate ≤ 1 ms p50.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

VAR_DIR = tempfile.mkdtemp(prefix="iamconsole-api-bench-")
SERVER_ENV = {
    "DEBUG": "0",
    "HTTPS": "0",
    "IAMCONSOLE_VAR_DIR": VAR_DIR,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
}
os.environ.update(SERVER_ENV)
os.environ.pop("DATABASE_URL", None)
os.environ.pop("IAMCONSOLE_API_OPEN_ACCOUNT", None)

import django  # noqa: E402

django.setup()

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from django.core.management import call_command  # noqa: E402

MOTO_ACCOUNT_KEYS = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")


def sibling(name: str):
    """benchmarks/<name>.py, imported by its path (the directory is not put on sys.path: a
    benchmark named after an app, s3.py, would shadow the app)."""
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


live = sibling("live_servers")
free_port, server, process_tree, percentile = live.free_port, live.server, live.process_tree, live.percentile


def client(endpoint: str, keys: tuple[str, str]):
    return boto3.session.Session(
        aws_access_key_id=keys[0], aws_secret_access_key=keys[1], region_name="us-east-1"
    ).client(
        "iam",
        endpoint_url=endpoint,
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def seed(iam, users: int) -> None:
    for i in range(users):
        iam.create_user(UserName=f"user-{i}", Path="/bench/", Tags=[{"Key": "n", "Value": str(i)}])


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of ``pids`` so far (Linux /proc), in seconds."""
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def timed_calls(call, n: int) -> list[float]:
    perf = time.perf_counter
    out = []
    for _ in range(n):
        t0 = perf()
        call()
        out.append(perf() - t0)
    return out


def round_trips(clients: dict, pids: dict, operations: dict, calls: int, rounds: int, warmup: int):
    """{(server, operation): [seconds per call]} from alternating rounds, and the server
    processes' CPU seconds spent on them (less disturbed by a busy machine than wall time)."""
    for iam in clients.values():
        for op in operations.values():
            timed_calls(lambda op=op, iam=iam: op(iam), warmup)
    samples: dict = {(s, o): [] for s in clients for o in operations}
    cpu: dict = {(s, o): 0.0 for s in clients for o in operations}
    per_round = max(calls // rounds, 1)
    for r in range(rounds):
        order = list(clients) if r % 2 == 0 else list(reversed(clients))
        for name in order:
            for op_name, op in operations.items():
                before = cpu_seconds(pids[name])
                samples[(name, op_name)] += timed_calls(lambda op=op, iam=clients[name]: op(iam), per_round)
                cpu[(name, op_name)] += cpu_seconds(pids[name]) - before
    return samples, cpu


def sigv4_p50(iterations: int) -> tuple[float, float]:
    sigv4_bench = sibling("sigv4")

    request = sigv4_bench.boto3_list_users()
    sigv4_bench.timings(request, 500, cold=False)  # warm-up
    samples = sigv4_bench.timings(request, iterations, cold=False)
    return percentile(samples, 0.5), sigv4_bench.timings.cpu


def role_session_gate(requests: int) -> dict[str, tuple[float, float, int, int]]:
    """p50/p99 µs of authz.decide for a role session (cached), without and with a session
    policy, on authz_gate.py's realistic documents attached to a role."""
    engine_bench = sibling("policy_engine")

    from accounts import authz
    from accounts.identifiers import iam_arn, new_unique_id
    from accounts.models import Account, InlinePolicy, ManagedPolicy, PolicyVersion, Role
    from accounts.principals import role_session_principal

    account = Account.objects.create(account_id=engine_bench.ACCOUNT, name="gate bench")
    role = Role.objects.create(
        account=account,
        name="Engineering",
        path="/",
        unique_id=new_unique_id("role"),
        assume_role_policy_document='{"Version":"2012-10-17","Statement":[]}',
    )
    for name, text in engine_bench._managed_documents():
        policy = ManagedPolicy.objects.create(
            account=account,
            name=name,
            arn=iam_arn(account.account_id, "policy", "/", name),
            unique_id=new_unique_id("policy"),
        )
        PolicyVersion.objects.create(policy=policy, version_id="v1", document=text, is_default=True)
        policy.attached_roles.add(role)
    for name, text in engine_bench._inline_documents():
        InlinePolicy.objects.create(name=name.replace("/", "-")[:128], document=text, role=role)
    session_policy = (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","ec2:*","iam:Get*",'
        '"iam:List*","dynamodb:*"],"Resource":"*"}]}'
    )
    specs = engine_bench.build_request_specs(requests)
    out = {}
    for label, session_policies in (
        ("role session", ()),
        ("role session + session policy", (session_policy,)),
    ):
        principal = role_session_principal(
            account_id=account.account_id,
            role_id=role.pk,
            role_name=role.name,
            role_path=role.path,
            role_unique_id=role.unique_id,
            session_name="bench",
            source_arn=f"arn:aws:iam::{account.account_id}:user/kim",
            session_policies=session_policies,
            authz_generation=account.authz_generation,
        )
        loaded = authz.policies_for(principal)
        statements = sum(len(p.statements) for p in loaded.policy_set.identity)
        for action, resource, _ in specs[:500]:
            authz.decide(principal, action, resource)  # warm-up: policies loaded and compiled
        perf = time.perf_counter_ns
        samples = []
        for action, resource, _ in specs:
            t0 = perf()
            authz.decide(principal, action, resource)
            samples.append(perf() - t0)
        out[label] = (
            percentile(samples, 0.5) / 1000,
            percentile(samples, 0.99) / 1000,
            len(loaded.considered),
            statements,
        )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--calls", type=int, default=1000, help="round trips per operation and server")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sigv4-iterations", type=int, default=20000)
    parser.add_argument("--gate-requests", type=int, default=10000)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory and server logs")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    keys = live.this_servers_root_keys("bench@example.com", "API benchmark")
    ours_port, moto_port = free_port(), free_port()
    env = {**os.environ, **SERVER_ENV}
    gunicorn = [
        str(BIN / "gunicorn"),
        "iamconsole.wsgi",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{ours_port}",
        "--log-level",
        "warning",
    ]
    moto = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)]
    logs = Path(VAR_DIR)
    try:
        with (
            server(gunicorn, ours_port, env=env, log=logs / "gunicorn.log") as ours_process,
            server(moto, moto_port, env=env, log=logs / "moto.log") as moto_process,
        ):
            pids = {
                "iamconsole (gunicorn)": process_tree(ours_process.pid),
                "moto_server": process_tree(moto_process.pid),
            }
            clients = {
                "iamconsole (gunicorn)": client(f"http://127.0.0.1:{ours_port}", keys),
                "moto_server": client(f"http://127.0.0.1:{moto_port}", MOTO_ACCOUNT_KEYS),
            }
            for iam in clients.values():
                seed(iam, args.users)
                listed = iam.list_users(PathPrefix="/bench/")["Users"]
                assert len(listed) == min(args.users, 100), len(listed)
            target = f"user-{args.users // 2}"
            operations = {
                "ListUsers": lambda iam: iam.list_users(),
                "GetUser": lambda iam: iam.get_user(UserName=target),
            }
            samples, cpu = round_trips(clients, pids, operations, args.calls, args.rounds, args.warmup)
        sigv4_p50_us, sigv4_cpu = sigv4_p50(args.sigv4_iterations)
        gate = role_session_gate(args.gate_requests)
    finally:
        if not args.keep:
            shutil.rmtree(VAR_DIR, ignore_errors=True)

    print(
        f"\nboto3 round trips, one client at a time, {args.users} users, {args.calls} calls per row "
        f"({args.rounds} alternating rounds, {args.warmup} warm-up calls); gunicorn --workers {args.workers}"
    )
    header = (
        f"{'operation':<11} {'server':<24} {'round trips/s':>14} {'p50 ms':>8} {'p99 ms':>8} {'vs moto':>8}"
        f" {'server CPU ms/call':>19}"
    )
    print(header)
    print("-" * len(header))
    rates = {}
    for op_name in operations:
        for name in clients:
            s = samples[(name, op_name)]
            rates[(name, op_name)] = len(s) / sum(s)
        moto_rate = rates[("moto_server", op_name)]
        for name in clients:
            s = samples[(name, op_name)]
            rate = rates[(name, op_name)]
            per_call_cpu = cpu[(name, op_name)] / len(s) * 1000
            print(
                f"{op_name:<11} {name:<24} {rate:14.0f} {percentile(s, 0.5) * 1000:8.2f} "
                f"{percentile(s, 0.99) * 1000:8.2f} {rate / moto_rate:7.2f}x {per_call_cpu:19.2f}"
            )
    print()
    width = 46
    print(f"{'in-process':<{width}} {'p50':>10} {'p99':>10}   target")
    print(
        f"{'SigV4 credential_of + verify (key cached)':<{width}} {sigv4_p50_us:7.1f} µs {'':>10}   ≤ 100 µs"
        f"   (CPU {sigv4_cpu:.1f} µs/call)"
    )
    for label, (p50, p99, policies, statements) in gate.items():
        print(
            f"{'gate, ' + label + ' (cached)':<{width}} {p50:7.1f} µs {p99:7.1f} µs   ≤ 1000 µs"
            f"   ({policies} policies, {statements} statements)"
        )
    met = all(rates[("iamconsole (gunicorn)", op)] >= rates[("moto_server", op)] for op in operations)
    gate_ok = all(p50 <= 1000 for p50, *_ in gate.values())
    print(
        f"\ntargets: rate ≥ moto's {'met' if met else 'NOT met'}; SigV4 p50 ≤ 100 µs "
        f"{'met' if sigv4_p50_us <= 100 else 'NOT met'}; gate p50 ≤ 1 ms {'met' if gate_ok else 'NOT met'}"
    )
    if args.keep:
        print(f"logs and database kept in {VAR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
