"""Load benchmark for workdocs-local: 8 threads mixing CreateUser and DescribeUsers.

The service runs as a subprocess (``python -m workdocs_local serve``) by default: client
and server then each have their own interpreter and GIL, which on a 2-core machine is the
honest set-up (in-process, boto3's signing and parsing in 8 client threads would compete
with the server for one GIL and the figures would measure both at once). ``--in-process``
runs it the other way, for comparison.

Bounded and self-stopping: it ends after ``--requests`` calls or ``--max-seconds``,
whichever comes first, and always stops the service it started.

    .venv/bin/python benchmarks/load_workdocs_local.py --threads 8 --requests 4000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

BANNER = re.compile(r"workdocs-local listening on (http://\S+) organization=([^,\s]+)(?: site_admin=\S+)?")
START_TIMEOUT_S = 30.0


@dataclass
class Sample:
    operation: str
    seconds: float
    ok: bool


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, batch: list[Sample]) -> None:
        with self.lock:
            self.samples.extend(batch)


def _process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc (Linux); None elsewhere."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        fields = stat.rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


Service = tuple[str, str, Callable[[], float | None]]


@contextmanager
def subprocess_service(db: str) -> Iterator[Service]:
    command = [sys.executable, "-m", "workdocs_local", "serve", "--host", "127.0.0.1", "--port", "0"]
    process = subprocess.Popen([*command, "--db", db], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(START_TIMEOUT_S):
                raise RuntimeError("workdocs-local printed no banner")
        match = BANNER.fullmatch(process.stdout.readline().strip())
        if not match:
            raise RuntimeError("unexpected workdocs-local banner")
        yield match[1], match[2], lambda: _process_cpu_seconds(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def in_process_service(db: str) -> Iterator[Service]:
    from workdocs_local import WorkDocsLocalServer

    with WorkDocsLocalServer(host="127.0.0.1", port=0, db=db) as server:
        yield server.url, server.organization_id, lambda: None  # shares this process's CPU time


def make_client(url: str, threads: int) -> Any:
    return boto3.client(
        "workdocs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # One attempt per call: a retry would hide an error and blur the latency figures.
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}, max_pool_connections=threads),
    )


def worker(
    client: Any,
    organization_id: str,
    tickets: Iterator[int],
    ticket_lock: threading.Lock,
    total: int,
    deadline: float,
    create_every: int,
    results: Results,
) -> None:
    samples: list[Sample] = []
    while time.monotonic() < deadline:
        with ticket_lock:
            ticket = next(tickets)
        if ticket >= total:
            break
        operation = "CreateUser" if ticket % create_every == 0 else "DescribeUsers"
        started = time.perf_counter()
        try:
            if operation == "CreateUser":
                client.create_user(
                    OrganizationId=organization_id,
                    Username=f"load{ticket:07d}",
                    GivenName="Load",
                    Surname=f"User{ticket}",
                    Password="load-password",
                )
            else:
                client.describe_users(OrganizationId=organization_id, Limit=24)
            ok = True
        except (ClientError, BotoCoreError):
            ok = False
        samples.append(Sample(operation, time.perf_counter() - started, ok))
    results.add(samples)


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, round(fraction * len(sorted_values) + 0.5))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def report(samples: list[Sample], wall_seconds: float) -> list[str]:
    lines = [
        f"{'operation':<14} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}",
    ]
    groups: dict[str, list[Sample]] = {"CreateUser": [], "DescribeUsers": [], "overall": samples}
    for sample in samples:
        groups[sample.operation].append(sample)
    for name, group in groups.items():
        latencies = sorted(s.seconds * 1000 for s in group)
        errors = sum(not s.ok for s in group)
        lines.append(
            f"{name:<14} {len(group):>8} {errors:>6} {len(group) / wall_seconds:>8.1f}"
            f" {percentile(latencies, 0.50):>8.2f} {percentile(latencies, 0.99):>8.2f}"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--requests", type=int, default=4000, help="total requests (default 4000)")
    parser.add_argument("--max-seconds", type=float, default=120.0, help="stop after this long (default 120)")
    parser.add_argument(
        "--create-every",
        type=int,
        default=4,
        metavar="N",
        help="every Nth request is a CreateUser, the rest DescribeUsers (default 4, i.e. 1:3)",
    )
    parser.add_argument("--warmup", type=int, default=50, help="untimed DescribeUsers calls first (default 50)")
    parser.add_argument("--db", default=":memory:", help="service database (default :memory:)")
    parser.add_argument(
        "--in-process", action="store_true", help="run the service in this process instead of a subprocess"
    )
    args = parser.parse_args(argv)
    if args.threads < 1 or args.requests < 1 or args.create_every < 1:
        parser.error("--threads, --requests and --create-every must be at least 1")

    service = in_process_service if args.in_process else subprocess_service
    with service(args.db) as (url, organization_id, service_cpu):
        clients = [make_client(url, args.threads) for _ in range(args.threads)]
        for index in range(args.warmup):
            clients[index % args.threads].describe_users(OrganizationId=organization_id, Limit=1)
        urllib.request.urlopen(
            urllib.request.Request(f"{url}/_workdocs_local/requests", method="DELETE"), timeout=10
        ).close()

        results = Results()
        tickets = itertools.count()
        ticket_lock = threading.Lock()
        deadline = time.monotonic() + args.max_seconds
        threads = [
            threading.Thread(
                target=worker,
                args=(
                    client,
                    organization_id,
                    tickets,
                    ticket_lock,
                    args.requests,
                    deadline,
                    args.create_every,
                    results,
                ),
            )
            for client in clients
        ]
        server_cpu_before = service_cpu()
        client_cpu_before = time.process_time()
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        client_cpu = time.process_time() - client_cpu_before
        server_cpu_after = service_cpu()

        with urllib.request.urlopen(f"{url}/_workdocs_local/requests", timeout=10) as response:
            served = len(json.load(response)["requests"])

    mode = "in-process" if args.in_process else "subprocess"
    print(
        f"workdocs-local load: {len(results.samples)} requests, {args.threads} threads,"
        f" CreateUser:DescribeUsers = 1:{args.create_every - 1}, service {mode}, db {args.db}"
    )
    print(f"wall time {wall:.2f} s; the service logged {served} requests")
    if server_cpu_before is not None and server_cpu_after is not None:
        server_cpu = server_cpu_after - server_cpu_before
        print(
            f"CPU: service {server_cpu:.2f} s ({server_cpu / wall:.0%} of one core),"
            f" client {client_cpu:.2f} s ({client_cpu / wall:.0%})"
        )
    else:
        print(f"CPU: service and client together {client_cpu:.2f} s ({client_cpu / wall:.0%} of one core)")
    for line in report(results.samples, wall):
        print(line)
    return 0 if all(s.ok for s in results.samples) else 1


if __name__ == "__main__":
    sys.exit(main())
