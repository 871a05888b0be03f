"""Benchmark: TOTP verification and access-key secret decryption, per call.

    .venv/bin/python benchmarks/credentials.py [--calls 20000]

Both sit on hot paths (sign-in; later every SigV4-signed API request), so both must stay
far below a millisecond. Prints median (p50), p99 and calls per second for each.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")

import django  # noqa: E402

django.setup()

from accounts import crypto, totp  # noqa: E402
from accounts.services.access_keys import new_secret_access_key  # noqa: E402


def measure(fn, calls: int) -> list[float]:
    samples = []
    for _ in range(calls):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    samples.sort()
    p50 = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    per_second = 1e6 / statistics.fmean(samples)
    verdict = "OK" if p99 < 1000 else "TOO SLOW"
    print(f"{name:<44} p50 {p50:8.1f} µs   p99 {p99:8.1f} µs   {per_second:10,.0f}/s   {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20000)
    calls = parser.parse_args().calls

    secret = totp.new_secret()
    now = totp.time_step()
    good = totp.code_at_step(secret, now)
    bad = "000000" if good != "000000" else "111111"
    token = crypto.encrypt(new_secret_access_key())

    print(f"{calls} calls each, one process, Python {sys.version.split()[0]}")
    report("TOTP verify, correct code (±1 step)", measure(lambda: totp.find_step(secret, good, now), calls))
    report("TOTP verify, wrong code (all 3 steps)", measure(lambda: totp.find_step(secret, bad, now), calls))
    report("Access-key secret decrypt (Fernet)", measure(lambda: crypto.decrypt(token), calls))
    report("Access-key secret encrypt (Fernet)", measure(lambda: crypto.encrypt("x" * 40), calls // 4))


if __name__ == "__main__":
    main()
