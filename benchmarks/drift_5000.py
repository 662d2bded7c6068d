"""Drift check of a 5,000-user organization: API calls (from the service's request log) and time.

    .venv/bin/python benchmarks/drift_5000.py [--users 5000] [--repeat 3]

Set-up (not timed):

* users: written straight into workdocs-local's SQLite file through the backend's SQL
  (a fast path: 5,000 CreateUser calls would take about 15 s and add nothing), then the
  service starts on that file as a subprocess (its own interpreter, as in the load benchmark);
* users.yaml: the same 5,000 users (``adopt: true`` in defaults);
* state: one real ``up`` of the first user (the provider writes a genuine resource), whose
  resource is then copied for all 5,000 users (each with the live user's outputs, as
  ``read()`` would leave them) and loaded with ``pulumi stack import``;
* drift, made through the WorkDocs API: 10 users changed, 5 deleted, 20 unmanaged.

Timed: ``workdocs-users drift --format json`` in-process (state export, DescribeUsers pages,
compare, render), ``--repeat`` times, and its phases once more one by one.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import boto3
import yaml
from load_workdocs_local import subprocess_service
from pulumi import automation as auto

from pulumi_workdocs.aws import list_users
from pulumi_workdocs.cli import main
from pulumi_workdocs.commands.context import Context
from pulumi_workdocs.core.drift import compute_drift
from pulumi_workdocs.core.drift_render import render_json
from pulumi_workdocs.core.user import outputs_from_user
from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.users_file import load
from workdocs_local.models import WorkDocsBackend, new_organization_id

MAX_CALLS = 10
STACK = "bench"
QUOTA = 50 * 10**9


def seed(db: Path, organization_id: str, count: int) -> None:
    """Insert ``count`` users with the backend's own SQL (no HTTP, no password hashing)."""
    backend = WorkDocsBackend(str(db), [organization_id])
    now = time.time()
    rows = [
        (
            f"{i:064x}", organization_id, f"user{i:05d}", f"user{i:05d}", f"user{i:05d}@example.com",
            f"Given{i}", f"Surname{i}", "ACTIVE", "USER", now, now, "Europe/Paris", "default",
            "QUOTA", QUOTA, 0, f"r{i:063x}", f"b{i:063x}", "seeded-not-a-password",
        )
        for i in range(count)
    ]  # fmt: skip
    with backend._transaction() as sql:
        sql.executemany(
            "INSERT INTO users (id, organization_id, username, username_lower, email_address, given_name,"
            " surname, status, type, created_timestamp, modified_timestamp, time_zone_id, locale, storage_type,"
            " storage_allocated_in_bytes, storage_utilized_in_bytes, root_folder_id, recycle_bin_folder_id,"
            " password_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    backend.close()


def users_file(path: Path, organization_id: str, count: int) -> None:
    users = [
        {"username": f"user{i:05d}", "given_name": f"Given{i}", "surname": f"Surname{i}",
         "email_address": f"user{i:05d}@example.com"}
        for i in range(count)
    ]  # fmt: skip
    defaults = {"adopt": True, "storage": "50 GB", "time_zone_id": "Europe/Paris"}
    path.write_text(yaml.safe_dump({"organization_id": organization_id, "defaults": defaults, "users": users}))


def build_state(stack: auto.Stack, client: Any, organization_id: str) -> int:
    """Copy the one real WorkDocsUser resource for every live user; ``pulumi stack import``."""
    deployment = stack.export_stack()
    state = dict(deployment.deployment or {})
    resources = state["resources"]
    template = next(r for r in resources if r["type"].endswith("workdocs:User"))
    others = [r for r in resources if not r["type"].endswith("workdocs:User")]
    prefix = template["urn"].rsplit("::", 1)[0]
    users = list_users(client, organization_id)
    copies = []
    for user in users:
        outputs: dict[str, Any] = {**outputs_from_user(user, {"deletion_policy": "DEACTIVATE", "adopt": True})}
        outputs["__provider"] = template["outputs"]["__provider"]
        inputs = dict(template["inputs"])
        inputs.update({k: outputs[k] for k in ("username", "given_name", "surname", "email_address")})
        copies.append({**template, "urn": f"{prefix}::{user['Username']}", "id": user["Id"], "inputs": inputs,
                       "outputs": outputs})  # fmt: skip
    state["resources"] = others + copies
    stack.import_stack(auto.Deployment(version=deployment.version, deployment=state))
    return len(copies)


def make_drift(client: Any, organization_id: str) -> None:
    """10 changed, 5 deleted, 20 unmanaged: through the API, as a person would."""
    for i in range(10):
        client.update_user(UserId=f"{i:064x}", GivenName=f"Renamed{i}")
    for i in range(10, 15):
        client.delete_user(UserId=f"{i:064x}")
    for i in range(20):
        client.create_user(
            OrganizationId=organization_id, Username=f"stranger{i:02d}", GivenName="Strange",
            Surname=f"Person{i}", Password="Stranger-Pass-1",
        )  # fmt: skip


def request_log(url: str, clear: bool = False) -> list[dict[str, Any]]:
    method = "DELETE" if clear else "GET"
    with urllib.request.urlopen(urllib.request.Request(f"{url}/_workdocs_local/requests", method=method)) as answer:
        entries: list[dict[str, Any]] = json.loads(answer.read())["requests"]
        return entries


def run(args: argparse.Namespace) -> int:
    # workdocs-local's default key when started without --access-key.
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1")
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_WORKDOCS"):
        os.environ.pop(name, None)
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        db, work, backend = root / "workdocs.db", root / "org", root / "state"
        work.mkdir()
        organization_id = new_organization_id()
        started = time.perf_counter()
        seed(db, organization_id, args.users)
        print(f"seeded {args.users} users with SQL in {time.perf_counter() - started:.2f} s")
        with subprocess_service(str(db)) as (url, _, _cpu):
            client = boto3.client("workdocs", endpoint_url=url, region_name="us-east-1")
            path = work / "users.yaml"
            users_file(path, organization_id, 1)
            stack = open_stack(load(path), STACK, backend, work, endpoint=url)
            stack.up()  # one real resource to copy
            started = time.perf_counter()
            copied = build_state(stack, client, organization_id)
            users_file(path, organization_id, args.users)
            print(f"state: {copied} WorkDocsUser resources imported in {time.perf_counter() - started:.2f} s")
            make_drift(client, organization_id)

            argv = ["drift", "--format", "json", "--file", str(path), "--stack", STACK]
            argv += ["--backend", str(backend), "--endpoint", url]
            walls, calls = [], []
            for _ in range(args.repeat):
                request_log(url, clear=True)
                out = io.StringIO()
                started = time.perf_counter()
                with contextlib.redirect_stdout(out):
                    code = main(argv)
                walls.append(time.perf_counter() - started)
                log = request_log(url)
                calls.append(len(log))
                operations = sorted({e["operation"] for e in log})
                report = json.loads(out.getvalue())
            print(f"workdocs-users drift: exit {code}, summary {report['summary']}")
            print(
                f"API calls per check: {calls} (operations: {', '.join(operations)}); "
                f"wall time: median {statistics.median(walls):.2f} s, min {min(walls):.2f} s, "
                f"max {max(walls):.2f} s over {args.repeat} runs"
            )

            ctx = Context(path, STACK, str(backend), url, work)
            marks = [time.perf_counter()]
            desired = load(path)
            marks.append(time.perf_counter())
            state = ctx.state()
            marks.append(time.perf_counter())
            live = [dict(u) for u in list_users(ctx.client(), organization_id)]
            marks.append(time.perf_counter())
            phase_report = compute_drift(desired, live, state)
            marks.append(time.perf_counter())
            render_json(phase_report)
            marks.append(time.perf_counter())
            names = ("load users.yaml", "pulumi stack export", "DescribeUsers pages", "compute_drift", "render json")
            spans = zip(names, marks, marks[1:], strict=False)
            print("phases: " + ", ".join(f"{name} {end - start:.2f} s" for name, start, end in spans))
    if code != 2 or max(calls) > MAX_CALLS:
        print(f"unexpected: exit {code}, {max(calls)} calls (at most {MAX_CALLS} expected)", file=sys.stderr)
        return 1
    return 0


def main_bench(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main_bench())
