"""Benchmark of the SigV4 verifier (``accounts.api.sigv4``) on a typical boto3 request.

    python benchmarks/sigv4.py [--iterations 20000] [--presigned]

Captures the request a boto3 IAM client sends for ``ListUsers`` (its headers as sent: User-Agent,
Content-Type, X-Amz-Date, Authorization, amz-sdk-* …, and its form body) just before it would go
out, then times ``credential_of`` + ``verify`` together on it with ``time.perf_counter_ns`` and
prints p50, p99 and the mean in microseconds (wall clock), with the CPU time per call (which
another busy process on the machine disturbs less). The derived signing key is cached after the first
call, as it is for a server that sees the same access key again; the cold figure (the cache
emptied before each call) is printed too. ``--presigned`` times an STS presigned URL instead.
The target is p50 ≤ 100 µs for the warm case.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
from botocore.awsrequest import AWSResponse  # noqa: E402

from accounts.api import sigv4  # noqa: E402
from accounts.api.sigv4 import SignedRequest, credential_of, verify  # noqa: E402

ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE"
SECRET_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _client(service: str):
    session = boto3.session.Session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name="us-east-1"
    )
    return session.client(
        service,
        endpoint_url="http://localhost:8000",
        config=botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"}),
    )


def boto3_list_users() -> SignedRequest:
    """The IAM ListUsers request of a boto3 client, as the server receives it."""
    client = _client("iam")
    sent = []

    def capture(request, **kwargs):
        sent.append(request)

        class _Raw:
            def stream(self, *args, **kw):
                yield b""

        return AWSResponse(request.url, 599, {}, _Raw())

    client.meta.events.register("before-send", capture)
    with contextlib.suppress(botocore.exceptions.ClientError):
        client.list_users()
    prepared = sent[-1]
    parts = urlsplit(prepared.url)
    headers = [(n, v.decode() if isinstance(v, bytes) else v) for n, v in prepared.headers.items()]
    headers.append(("Host", parts.netloc))
    body = prepared.body if isinstance(prepared.body, bytes) else prepared.body.encode()
    return SignedRequest(prepared.method, parts.path or "/", parts.query, headers, body)


def sts_presigned() -> SignedRequest:
    url = _client("sts").generate_presigned_url("get_caller_identity", ExpiresIn=900)
    parts = urlsplit(url)
    return SignedRequest("POST", parts.path, parts.query, [("Host", parts.netloc)], b"")


def timings(request: SignedRequest, iterations: int, *, cold: bool) -> list[float]:
    """Wall-clock µs of each call; the CPU time of the whole run is kept in ``timings.cpu``."""
    now = datetime.now(UTC)
    samples = []
    gc.disable()
    cpu = time.process_time_ns()
    try:
        for _ in range(iterations):
            if cold:
                sigv4._KEY_CACHE.clear()
            start = time.perf_counter_ns()
            credential = credential_of(request)
            verify(request, SECRET_KEY, now=now)
            samples.append((time.perf_counter_ns() - start) / 1000)
            assert credential.access_key_id == ACCESS_KEY
    finally:
        gc.enable()
    timings.cpu = (time.process_time_ns() - cpu) / 1000 / iterations
    return samples


def report(label: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p50 = ordered[len(ordered) // 2]
    p99 = ordered[int(len(ordered) * 0.99) - 1]
    print(
        f"{label:<36} p50 {p50:6.1f} µs   p99 {p99:6.1f} µs   mean {statistics.fmean(samples):6.1f} µs"
        f"   CPU {timings.cpu:6.1f} µs/call   ({len(samples)} calls)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument(
        "--presigned", action="store_true", help="an STS presigned URL instead of IAM ListUsers"
    )
    args = parser.parse_args()
    request = sts_presigned() if args.presigned else boto3_list_users()
    what = "STS presigned GetCallerIdentity" if args.presigned else "boto3 iam ListUsers"
    print(
        f"{what}: {request.method} {request.path} ({len(request.headers)} headers, {len(request.body or b'')} bytes)"
    )
    timings(request, 500, cold=False)  # warm-up
    warm = timings(request, args.iterations, cold=False)
    report("credential_of + verify (key cached)", warm)
    report("credential_of + verify (cold key)", timings(request, max(args.iterations // 10, 100), cold=True))
    p50 = sorted(warm)[len(warm) // 2]
    print(f"target p50 ≤ 100 µs: {'met' if p50 <= 100 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
