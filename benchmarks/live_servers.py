"""What the benchmarks that start servers share (benchmarks/api.py, benchmarks/s3.py): a free
port, a server process started and stopped with its process group, this server's root access
key, a process's descendants, percentiles. Imported by path (``load``), never from sys.path."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 - our own local server
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up in {timeout} s")


@contextlib.contextmanager
def server(command: list[str], port: int, *, env: dict | None = None, log: Path):
    with log.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/", process)
            yield process
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def this_servers_root_keys(email: str, account_name: str) -> tuple[str, str]:
    """A fresh account and its root's access key, made through the services (setup only;
    Django is set up by the benchmark)."""
    from accounts.services import access_keys
    from accounts.services import account as account_services

    root = account_services.create_account(
        email=email, password="Bench-Passw0rd!x", account_name=account_name
    )
    key = access_keys.create_access_key(root)
    return key.access_key_id, key.secret_access_key


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (gunicorn's workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, ()))
    return out


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]
