"""Benchmark: S3 PutObject/GetObject of this server under gunicorn beside moto_server, with boto3.

    .venv/bin/python benchmarks/s3.py [--small 300] [--large 16] [--workers 3] [--rounds 6] [--connection-per-request]

Starts, each on its own free port on 127.0.0.1:

* this server: ``gunicorn iamconsole.wsgi`` (``--workers`` workers as the project's ``gunicorn.conf.py``
  sets them up: threaded, connections kept alive) with DEBUG=0, HTTPS=0,
  ALLOWED_HOSTS=127.0.0.1, a SECRET_KEY and its own IAMCONSOLE_VAR_DIR holding a freshly migrated
  SQLite database and the object store (a temporary directory, removed afterwards);
* ``moto_server`` (moto[server]'s Werkzeug server; objects in memory).

One boto3 client per server (path-style, signed by an access key of this server's account root;
moto takes any key) creates a bucket, then PutObject and GetObject of 1 KiB objects (``--small``
each) and of 8 MiB objects (``--large`` each), in ``--rounds`` alternating rounds so that a busy
machine disturbs both sides alike. The table gives objects/s, MB/s and p50 latency.

Memory: while 8 MiB and then 64 MiB objects are put and got (``--memory-objects`` each), the
resident set size of every process of each server is sampled every 5 ms; the table gives the
peak above the server's size before (RSS growth). A server that streams bodies grows about the
same for both sizes; one that holds whole bodies grows with the object size.

``--connection-per-request`` is a what-if: this server's SQLite connection opened and closed by
every request (IAMCONSOLE_CONN_MAX_AGE=0) instead of kept by each worker (the project's setting):
each request then registers Django's SQL functions, sets the pragmas and closes the connection,
and the last close of a WAL database checkpoints it (an fsync after every write).

Target: at least moto's rate, and memory flat in object size.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

VAR_DIR = tempfile.mkdtemp(prefix="iamconsole-s3-bench-")
SERVER_ENV = {
    "DEBUG": "0",
    "HTTPS": "0",
    "IAMCONSOLE_VAR_DIR": VAR_DIR,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_SETTINGS_MODULE": "iamconsole.settings",
}
os.environ.update(SERVER_ENV)
for name in (
    "DATABASE_URL",
    "IAMCONSOLE_API_OPEN_ACCOUNT",
    "IAMCONSOLE_S3_MAX_OBJECT_SIZE",
    "IAMCONSOLE_CONN_MAX_AGE",
):
    os.environ.pop(name, None)

import django  # noqa: E402

django.setup()

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from django.core.management import call_command  # noqa: E402


def _live_servers():
    """benchmarks/live_servers.py, imported by its path (as benchmarks/api.py imports its siblings)."""
    spec = importlib.util.spec_from_file_location(
        "benchmarks_live_servers", ROOT / "benchmarks" / "live_servers.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


live = _live_servers()
free_port, server, tree, percentile = live.free_port, live.server, live.process_tree, live.percentile

MOTO_KEYS = ("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
OURS, MOTO = "iamconsole (gunicorn)", "moto_server"
KIB, MIB = 1024, 1024 * 1024


def client(endpoint: str, keys: tuple[str, str]):
    return boto3.session.Session(
        aws_access_key_id=keys[0], aws_secret_access_key=keys[1], region_name="us-east-1"
    ).client(
        "s3",
        endpoint_url=endpoint,
        config=botocore.config.Config(
            retries={"max_attempts": 1, "mode": "standard"},
            s3={"addressing_style": "path"},
            max_pool_connections=4,
        ),
    )


# ----------------------------------------------------------------------------- memory


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class PeakRSS:
    """The largest RSS of any one process of a server while the block runs (sampled)."""

    def __init__(self, pid: int, interval: float = 0.005):
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.before = 0
        self._stop = threading.Event()

    def _sample(self) -> int:
        return max((rss_kib(p) for p in tree(self.pid)), default=0)

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            time.sleep(self.interval)

    def __enter__(self):
        self.before = self._sample()
        self.peak = self.before
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._sample())

    @property
    def growth_mib(self) -> float:
        return (self.peak - self.before) / 1024


# ----------------------------------------------------------------------------- timing


def put_and_get(s3, bucket: str, prefix: str, body: bytes, count: int) -> tuple[list[float], list[float]]:
    perf = time.perf_counter
    puts, gets = [], []
    for i in range(count):
        key = f"{prefix}/{i % 8}"
        t0 = perf()
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        puts.append(perf() - t0)
        t0 = perf()
        data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        gets.append(perf() - t0)
        assert len(data) == len(body)
    return puts, gets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=300, help="1 KiB puts and gets per server")
    parser.add_argument("--large", type=int, default=16, help="8 MiB puts and gets per server")
    parser.add_argument(
        "--memory-objects", type=int, default=4, help="puts and gets per size for the RSS test"
    )
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--connection-per-request",
        action="store_true",
        help="what-if: a SQLite connection per request (IAMCONSOLE_CONN_MAX_AGE=0)",
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    keys = live.this_servers_root_keys("s3-bench@example.com", "S3 benchmark")
    ours_port, moto_port = free_port(), free_port()
    env = {**os.environ, **SERVER_ENV}
    if args.connection_per_request:
        env["IAMCONSOLE_CONN_MAX_AGE"] = "0"
    gunicorn = [
        str(BIN / "gunicorn"),
        "iamconsole.wsgi",
        "--workers",
        str(args.workers),
        "--bind",
        f"127.0.0.1:{ours_port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
    ]
    moto = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(moto_port)]
    logs = Path(VAR_DIR)
    small, large = os.urandom(KIB), os.urandom(8 * MIB)
    results: dict = {}
    memory: dict = {}
    try:
        with (
            server(gunicorn, ours_port, env=env, log=logs / "gunicorn.log") as ours_process,
            server(moto, moto_port, env=env, log=logs / "moto.log") as moto_process,
        ):
            clients = {
                OURS: client(f"http://127.0.0.1:{ours_port}", keys),
                MOTO: client(f"http://127.0.0.1:{moto_port}", MOTO_KEYS),
            }
            processes = {OURS: ours_process.pid, MOTO: moto_process.pid}
            for s3 in clients.values():
                s3.create_bucket(Bucket="bench-bucket")
                put_and_get(s3, "bench-bucket", "warmup", small, 20)
                put_and_get(s3, "bench-bucket", "warmup-large", large, 2)
            for name in clients:
                for size in ("1 KiB", "8 MiB"):
                    results[(name, size)] = ([], [])
            for r in range(args.rounds):
                order = list(clients) if r % 2 == 0 else list(reversed(clients))
                for name in order:
                    for size, body, count in (("1 KiB", small, args.small), ("8 MiB", large, args.large)):
                        puts, gets = put_and_get(
                            clients[name],
                            "bench-bucket",
                            size.replace(" ", ""),
                            body,
                            max(count // args.rounds, 1),
                        )
                        results[(name, size)][0].extend(puts)
                        results[(name, size)][1].extend(gets)
            for name, s3 in clients.items():
                for size_mib in (8, 64):
                    body = os.urandom(size_mib * MIB)
                    with PeakRSS(processes[name]) as peak:
                        put_and_get(s3, "bench-bucket", f"memory-{size_mib}", body, args.memory_objects)
                    memory[(name, size_mib)] = (peak.before / 1024, peak.growth_mib)
                    del body
    finally:
        shutil.rmtree(VAR_DIR, ignore_errors=True)

    print()
    worker = os.environ.get("GUNICORN_CMD_ARGS") or "gunicorn.conf.py"
    connections = "a SQLite connection per request (what-if)" if args.connection_per_request else "SQLite"
    print(
        f"S3 PutObject/GetObject through boto3 ({args.rounds} alternating rounds; "
        f"gunicorn --workers {args.workers} ({worker}), DEBUG=0, {connections}; moto_server in memory)"
    )
    header = f"{'operation':<16} {'server':<24} {'objects/s':>10} {'MB/s':>9} {'p50 ms':>9} {'vs moto':>8}"
    print(header)
    print("-" * len(header))
    met = True
    for size, nbytes in (("1 KiB", KIB), ("8 MiB", 8 * MIB)):
        for index, op in enumerate(("PutObject", "GetObject")):
            rates = {}
            for name in (OURS, MOTO):
                samples = results[(name, size)][index]
                rates[name] = len(samples) / sum(samples)
            for name in (OURS, MOTO):
                samples = results[(name, size)][index]
                rate = rates[name]
                ratio = rate / rates[MOTO]
                print(
                    f"{op + ' ' + size:<16} {name:<24} {rate:10.1f} {rate * nbytes / 1e6:9.1f} "
                    f"{percentile(samples, 0.5) * 1000:9.2f} {ratio:7.2f}x"
                )
            met = met and rates[OURS] >= rates[MOTO]
    print()
    print(f"Server memory while putting and getting {args.memory_objects} objects of each size")
    header = f"{'server':<24} {'RSS before MiB':>15} {'growth 8 MiB':>13} {'growth 64 MiB':>14}"
    print(header)
    print("-" * len(header))
    for name in (OURS, MOTO):
        before, grow8 = memory[(name, 8)]
        _, grow64 = memory[(name, 64)]
        print(f"{name:<24} {before:15.1f} {grow8:12.1f}M {grow64:13.1f}M")
    ours8, ours64 = memory[(OURS, 8)][1], memory[(OURS, 64)][1]
    flat = ours64 <= ours8 + 8  # 64 MiB objects cost no more than the 8 MiB ones (within 8 MiB)
    print()
    print(
        f"target: at least moto's rate: {'met' if met else 'NOT met'}; memory flat in object size: {'met' if flat else 'NOT met'}"
    )
    return 0 if met and flat else 1


if __name__ == "__main__":
    sys.exit(main())
