"""`workdocs-users up` of 200 users against a flaky workdocs-local, and against a healthy one.

    .venv/bin/python benchmarks/faults_up.py [--users 200] [--unavailable 0.3] [--throttling 0.1]

For each run (healthy first, then flaky) a fresh workdocs-local subprocess (``:memory:``) and
a fresh file backend; the flaky run gets ``unavailable`` and ``throttling`` faults on every
operation with fixed seeds (through the control API). Timed: ``workdocs-users up`` in-process
(preview, then the update). Reported from the service's request log: requests by operation
and by error; every injected error was answered by a retry (the run succeeds), so their count
is the retry count. Afterwards the organization is listed and compared with the state
(duplicates, orphans). The provider runs with its defaults (adaptive, callTimeout 300 s);
a third run repeats the flaky one with ``workdocs:retryMode standard`` (no client-side rate).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import yaml
from load_workdocs_local import subprocess_service
from pulumi import automation as auto

from pulumi_workdocs.cli import main
from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.engine.state import read_state
from pulumi_workdocs.users_file import load


def control(url: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(f"{url}/_workdocs_local/{path}", data=data, method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def run(count: int, faults: list[dict[str, Any]], retry_mode: str | None = None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, subprocess_service(":memory:") as (url, organization_id, _):
        folder = Path(tmp)
        users = [
            {"username": f"user{i:03d}", "given_name": f"Given{i}", "surname": "Bench",
             "email_address": f"user{i:03d}@example.com"}
            for i in range(count)
        ]  # fmt: skip
        path = folder / "users.yaml"
        path.write_text(yaml.safe_dump({"organization_id": organization_id, "users": users}, sort_keys=False))
        if retry_mode:  # stack config, as a user sets it (`pulumi config set workdocs:retryMode ...`)
            stack = open_stack(load(path), "bench", str(folder / "state"), folder, endpoint=url)
            stack.set_config("workdocs:retryMode", auto.ConfigValue(value=retry_mode))
        for fault in faults:
            control(url, "POST", "faults", fault)
        argv = ["up", "--file", str(path), "--stack", "bench", "--backend", str(folder / "state"),
                "--endpoint", url, "--max-removals", "0"]  # fmt: skip
        started = time.perf_counter()
        code = main(argv)
        seconds = time.perf_counter() - started
        log = control(url, "GET", "requests")["requests"]
        control(url, "DELETE", "faults")
        client = boto3.client("workdocs", endpoint_url=url, region_name="us-east-1")
        pages = client.get_paginator("describe_users").paginate(
            OrganizationId=organization_id, Include="ALL", PaginationConfig={"PageSize": 999}
        )
        live = [u for page in pages for u in page["Users"]]
        state_ids = [r["id"] for r in read_state(str(folder / "state"), "bench", folder) if r["type"].endswith("User")]
        return {
            "exit": code,
            "seconds": seconds,
            "requests": len(log),
            "by_operation": Counter(e["operation"] for e in log),
            "by_error": Counter(e["error"] for e in log if e["error"]),
            "duplicates": len(state_ids) - len(set(state_ids)),
            "orphans": len({u["Id"] for u in live} - set(state_ids)),
            "in_state": len(state_ids),
        }


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--unavailable", type=float, default=0.3)
    parser.add_argument("--throttling", type=float, default=0.1)
    args = parser.parse_args()
    os.environ.update(
        AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
        PULUMI_CONFIG_PASSPHRASE="bench-only-passphrase",
    )  # fmt: skip
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_WORKDOCS"):
        os.environ.pop(name, None)
    flaky = [
        {"kind": "unavailable", "operation": "*", "probability": args.unavailable, "seed": 1101},
        {"kind": "throttling", "operation": "*", "probability": args.throttling, "seed": 1102},
    ]
    results = {
        "healthy": run(args.users, []),
        "flaky": run(args.users, flaky),
        "flaky, retryMode standard": run(args.users, flaky, "standard"),
    }
    print(f"\nworkdocs-users up of {args.users} users; flaky = {args.unavailable:.0%} unavailable + "
          f"{args.throttling:.0%} throttling on every operation")  # fmt: skip
    print("run                       exit  wall s  requests  retries  in state  duplicates  orphans  errors")
    for name, r in results.items():
        retries = sum(
            n for code, n in r["by_error"].items() if code in ("ServiceUnavailableException", "ThrottlingException")
        )
        print(
            f"{name:25} {r['exit']:4} {r['seconds']:7.1f} {r['requests']:9} {retries:8} {r['in_state']:9} "
            f"{r['duplicates']:11} {r['orphans']:8}  {dict(r['by_error'])}"
        )


if __name__ == "__main__":
    main_()
