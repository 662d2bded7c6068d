"""SIGKILL an ``up`` half-way, look at what is left on disk, age it, rerun once, count.

    .venv/bin/python benchmarks/crash_up.py [--users 300] [--kill-after 150] [--engine-env K=V ...]
        [--shard-size S] [--kill group|engine] [--age-hours 2]

1. ``workdocs-users up`` of N users from a generated file (the same set-up as scale.py:
   workdocs-local as a subprocess, a file backend), or, with ``--shard-size``, the shards one
   after another, each its own stack;
2. once workdocs-local has answered ``--kill-after`` CreateUser calls: SIGKILL (or
   ``--signal TERM``/``INT``, then SIGKILL 30 s later), of the whole process group (the CLI,
   the engine, the provider: a runner that dies) or of the engine (``pulumi``) alone;
3. on disk: each stack's checkpoint (users in it, pending operations), the lock files under
   ``.pulumi/locks``, the users live in WorkDocs and not in any state;
4. every user's CreatedTimestamp (in workdocs-local's SQLite file) and the start of each run
   in the CLI's journal (``.workdocs-users/`` in the backend's folder) move ``--age-hours``
   into the past, so the rerun comes "hours later";
5. the same command again, once; then, if it failed, what it said, and whether
   ``pulumi cancel`` plus one more run converges (the manual steps it takes); with
   ``--import-pending-creates``, if that fails too, ``pulumi refresh --import-pending-creates``
   (each pending create's URN with the Id of the live user of its username) and one more run;
6. the result: users in the file and not in a state (missing), live users in no state
   (orphans), two resources for one user (duplicates).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from scale import BIN, ROOT_PROJECT, child_env, request_log, service, usernames, write_users

from pulumi_workdocs.aws import list_users
from tests.processes import descendants, kill_tree


def engine_pid(pid: int) -> int | None:
    for child in descendants(pid):
        try:
            if Path(f"/proc/{child}/exe").resolve() == (BIN / "pulumi").resolve():
                return child
        except OSError:
            continue
    return None


def up_command(backend: Path, file: Path, stack: str, url: str) -> list[str]:
    return [str(BIN / "workdocs-users"), "up", "--file", str(file), "--stack", stack, "--backend", str(backend),
            "--endpoint", url]  # fmt: skip


def run_shards(commands: list[list[str]], env: dict[str, str], cwd: Path, log: Path) -> tuple[int, str]:
    """Run the stacks one after another; (first failing exit code or 0, its last lines)."""
    for command in commands:
        with log.open("ab") as out:
            out.write(f"\n$ {' '.join(command)}\n".encode())
        result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=1200)
        with log.open("a") as out:
            out.write(result.stdout + result.stderr)
        if result.returncode != 0:
            return result.returncode, "\n".join(result.stderr.strip().splitlines()[-6:])
    return 0, ""


def state_of(backend: Path, stack: str) -> dict[str, Any]:
    path = backend / ".pulumi" / "stacks" / ROOT_PROJECT / f"{stack}.json"
    if not path.exists():
        return {"file": None, "users": {}, "pending": []}
    deployment = json.loads(path.read_text()).get("checkpoint", {}).get("latest") or {}
    users = {
        r["urn"].rsplit("::", 1)[1]: r.get("id")
        for r in deployment.get("resources", [])
        if r["type"].endswith("workdocs:User")
    }
    pending = [
        f"{p['type']} {p['resource']['urn'].rsplit('::', 1)[1]}" for p in deployment.get("pending_operations", [])
    ]
    return {"file": str(path), "bytes": path.stat().st_size, "users": users, "pending": pending}


def pending_urns(backend: Path, stack: str) -> list[str]:
    path = backend / ".pulumi" / "stacks" / ROOT_PROJECT / f"{stack}.json"
    deployment = json.loads(path.read_text())["checkpoint"]["latest"]
    return [p["resource"]["urn"] for p in deployment.get("pending_operations", []) if p["type"] == "creating"]


def snapshot(
    backend: Path, stacks: list[str], client: Any, organization_id: str, names: list[str], before: set[str]
) -> dict[str, Any]:
    """What is on disk and in WorkDocs now (``before``: the organization's own users, such as its site admin)."""
    states = {s: state_of(backend, s) for s in stacks}
    in_state: dict[str, list[str]] = {}
    for state in states.values():
        for user, user_id in state["users"].items():
            in_state.setdefault(user, []).append(user_id)
    live = {u["Username"]: u["Id"] for u in list_users(client, organization_id) if u["Username"] not in before}
    locks = sorted(str(p.relative_to(backend)) for p in (backend / ".pulumi" / "locks").rglob("*.json"))
    return {
        "users_in_state": sum(len(v) for v in in_state.values()),
        "pending_operations": {s: st["pending"] for s, st in states.items() if st["pending"]},
        "locks": locks,
        "live": len(live),
        "missing": sorted(set(names) - set(in_state)),
        "orphans": sorted(set(live) - set(in_state)),
        "duplicates": sorted(u for u, ids in in_state.items() if len(ids) > 1 or ids[0] != live.get(u)),
    }


def brief(snap: dict[str, Any]) -> str:
    pending = {s: (len(p), p[:4]) for s, p in snap["pending_operations"].items()}
    return (
        f"users in state {snap['users_in_state']}, live {snap['live']}, missing {len(snap['missing'])}, "
        f"orphans {len(snap['orphans'])} {snap['orphans'][:6]}, duplicates {len(snap['duplicates'])}, "
        f"pending operations {pending or 0}, lock files {snap['locks'] or 0}"
    )


def age(db: Path, backend: Path, hours: float) -> int:
    """Move the killed run into the past: its users' CreatedTimestamp and its journal's start."""
    with sqlite3.connect(db) as sql:
        sql.execute("UPDATE users SET created = created - ?", (hours * 3600,))
    journals = list((backend / ".workdocs-users").glob("**/*.journal.json"))
    for journal in journals:  # engine/journal.py: {"runs": [{"started": ISO 8601, "creates": [...]}]}
        runs = json.loads(journal.read_text())
        for run in runs["runs"]:
            run["started"] = (dt.datetime.fromisoformat(run["started"]) - dt.timedelta(hours=hours)).isoformat()
        journal.write_text(json.dumps(runs))
    return len(journals)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--kill-after", type=int, default=150, help="CreateUser calls answered before the kill")
    parser.add_argument("--engine-env", action="append", default=[], metavar="K=V")
    parser.add_argument("--shard-size", type=int, default=0)
    parser.add_argument("--kill", choices=["group", "engine"], default="group")
    parser.add_argument("--signal", choices=["KILL", "TERM", "INT"], default="KILL", help="then SIGKILL after 30 s")
    parser.add_argument("--age-hours", type=float, default=2.0)
    parser.add_argument(
        "--import-pending-creates",
        action="store_true",
        help="if the rerun after pulumi cancel fails: pulumi refresh --import-pending-creates, then once more",
    )
    args = parser.parse_args(argv)
    env = child_env(dict(item.split("=", 1) for item in args.engine_env))
    names = usernames(args.users)
    size = args.shard_size or args.users
    shards = [names[i : i + size] for i in range(0, args.users, size)]
    stacks = ["bench"] if len(shards) == 1 else [f"shard-{k:03d}" for k in range(len(shards))]
    root = Path(tempfile.mkdtemp(prefix="crash-"))
    work, backend, db, log = root / "users", root / "users" / "state", root / "workdocs.db", root / "commands.log"
    work.mkdir(parents=True)
    print(f"crash_up: {args.users} users, SIG{args.signal} ({args.kill}) after {args.kill_after} CreateUser, "
          f"engine env {args.engine_env or '-'}, stacks {len(stacks)}; scratch {root}", flush=True)  # fmt: skip
    with service(db) as (url, organization_id):
        client = boto3.client("workdocs", endpoint_url=url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
        before = {u["Username"] for u in list_users(client, organization_id)}
        commands = []
        for stack, shard in zip(stacks, shards, strict=True):
            file = work / f"{stack}.yaml"
            write_users(file, organization_id, shard)
            commands.append(up_command(backend, file, stack, url))
        request_log(url, clear=True)
        started = time.perf_counter()
        killed = None
        for command in commands:
            with log.open("ab") as out:
                out.write(f"\n$ {' '.join(command)}\n".encode())
                process = subprocess.Popen(command, env=env, cwd=work, stdout=out, stderr=subprocess.STDOUT,
                                           start_new_session=True)  # fmt: skip
            while process.poll() is None and killed is None:
                if request_log(url).get("CreateUser", 0) >= args.kill_after:
                    tree = descendants(process.pid)  # the engine starts its plugins in groups of their own
                    engine = engine_pid(process.pid)
                    sig = getattr(signal, f"SIG{args.signal}")
                    if args.kill == "engine" and engine:
                        os.kill(engine, sig)
                        killed = f"SIG{args.signal} to the engine, pid {engine}"
                    else:
                        os.killpg(process.pid, sig)
                        killed = f"SIG{args.signal} to process group {process.pid}"
                    if args.kill == "engine" or sig != signal.SIGKILL:
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            process.wait(timeout=30)  # the host notices, or the engine winds down
                    # What is left is killed too (our group, and the provider plugins in theirs), as a runner
                    # that dies leaves nothing running.
                    kill_tree(process.pid, tree)
                    break
                time.sleep(0.05)
            process.wait()
            if killed:
                break
        if not killed:
            print("the up finished before the kill point; lower --kill-after", file=sys.stderr)
            return 1
        calls = request_log(url)
        print(f"killed {killed} after {time.perf_counter() - started:.1f} s; API calls so far {dict(calls)}")
        time.sleep(1)  # a CreateUser the provider had sent may still land
        after_kill = snapshot(backend, stacks, client, organization_id, names, before)
        print(f"after the kill: {brief(after_kill)}", flush=True)
        journals = age(db, backend, args.age_hours)
        print(f"moved {args.age_hours} h into the past: the users' CreatedTimestamp, {journals} journal(s)")

        def rerun(label: str) -> tuple[int, dict[str, Any]]:
            request_log(url, clear=True)
            started = time.perf_counter()
            code, said = run_shards(commands, env, work, log)
            calls = dict(request_log(url))  # before snapshot(), whose DescribeUsers are not the rerun's
            snap = snapshot(backend, stacks, client, organization_id, names, before)
            print(f"{label} (exit {code}, {time.perf_counter() - started:.1f} s, calls {calls}): "
                  f"{brief(snap)}", flush=True)  # fmt: skip
            if said:
                print("  it said: " + said.replace("\n", "\n  "))
            return code, snap

        def pulumi(*argv: str) -> subprocess.CompletedProcess[str]:
            command = [str(BIN / "pulumi"), *argv]
            env_cli = {**env, "PULUMI_BACKEND_URL": backend.resolve().as_uri()}
            result = subprocess.run(command, env=env_cli, cwd=work, capture_output=True, text=True, timeout=600)
            with log.open("a") as out:
                out.write(f"\n$ {' '.join(command)}\n{result.stdout}{result.stderr}")
            return result

        code, state = rerun("rerun 1")
        steps = []
        if code != 0 and state["locks"]:
            for stack in stacks:
                pulumi("cancel", "--yes", "--stack", f"organization/{ROOT_PROJECT}/{stack}")
            steps.append("pulumi cancel")
            code, state = rerun("after pulumi cancel, rerun 2")
        if code != 0 and args.import_pending_creates and state["pending_operations"]:
            live = {u["Username"]: u["Id"] for u in list_users(client, organization_id)}
            for stack, operations in state["pending_operations"].items():
                urns = pending_urns(backend, stack)
                pairs = [arg for urn in urns for arg in ("--import-pending-creates", urn,
                         "--import-pending-creates", live[urn.rsplit("::", 1)[1]])]  # fmt: skip
                result = pulumi("refresh", "--yes", "--skip-preview", "--stack", f"organization/{ROOT_PROJECT}/{stack}",
                                *pairs)  # fmt: skip
                print(f"pulumi refresh --import-pending-creates ({len(urns)} of {len(operations)} in {stack}, each "
                      f"with the Id of the live user of that username): exit {result.returncode}")  # fmt: skip
            steps.append("pulumi refresh --import-pending-creates")
            code, state = rerun("rerun 3")
        converged = code == 0 and not (state["missing"] or state["orphans"] or state["duplicates"])
        print(f"result: {'converged' if converged else 'NOT converged'}; manual steps: {steps or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
