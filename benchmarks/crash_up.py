"""SIGKILL an ``up`` half-way, look at what is left on disk, age it, rerun once, count.

    .venv/bin/python benchmarks/crash_up.py [--users 300] [--kill-after 150] [--engine-env K=V ...]
        [--shard-size S] [--kill group|engine] [--age-hours 2]

1. ``workdocs-users up`` of N users from a generated file (the same set-up as scale.py:
   workdocs-local as a subprocess, a file backend), or, with ``--shard-size``, the shards one
   after another, each its own stack;
2. once workdocs-local has answered ``--kill-after`` CreateUser calls: SIGKILL, of the whole
   process group (the CLI, the engine, the provider: a runner that dies) or of the engine
   (the ``pulumi`` process) alone;
3. on disk: each stack's checkpoint (users in it, pending operations), the lock files under
   ``.pulumi/locks``, the users live in WorkDocs and not in any state;
4. every user's CreatedTimestamp is moved ``--age-hours`` into the past (in workdocs-local's
   SQLite file), so the rerun comes "hours later";
5. the same command again, once; then, if it failed, what it said, and whether
   ``pulumi cancel`` plus one more run converges (the manual steps it takes);
6. the result: users in the file and not in a state (missing), live users in no state
   (orphans), two resources for one user (duplicates).
"""

from __future__ import annotations

import argparse
import contextlib
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


def descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (from /proc), to find the engine among what we started."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


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


def snapshot(backend: Path, stacks: list[str], client: Any, organization_id: str, names: list[str]) -> dict[str, Any]:
    """What is on disk and in WorkDocs now."""
    states = {s: state_of(backend, s) for s in stacks}
    in_state: dict[str, list[str]] = {}
    for state in states.values():
        for user, user_id in state["users"].items():
            in_state.setdefault(user, []).append(user_id)
    live = {u["Username"]: u["Id"] for u in list_users(client, organization_id)}
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


def age(db: Path, hours: float) -> None:
    with sqlite3.connect(db) as sql:
        sql.execute("UPDATE users SET created = created - ?", (hours * 3600,))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--kill-after", type=int, default=150, help="CreateUser calls answered before the kill")
    parser.add_argument("--engine-env", action="append", default=[], metavar="K=V")
    parser.add_argument("--shard-size", type=int, default=0)
    parser.add_argument("--kill", choices=["group", "engine"], default="group")
    parser.add_argument("--age-hours", type=float, default=2.0)
    args = parser.parse_args(argv)
    env = child_env(dict(item.split("=", 1) for item in args.engine_env))
    names = usernames(args.users)
    size = args.shard_size or args.users
    shards = [names[i : i + size] for i in range(0, args.users, size)]
    stacks = ["bench"] if len(shards) == 1 else [f"shard-{k:03d}" for k in range(len(shards))]
    root = Path(tempfile.mkdtemp(prefix="crash-"))
    work, backend, db, log = root / "users", root / "users" / "state", root / "workdocs.db", root / "commands.log"
    work.mkdir(parents=True)
    print(f"crash_up: {args.users} users, kill ({args.kill}) after {args.kill_after} CreateUser, "
          f"engine env {args.engine_env or '-'}, stacks {len(stacks)}; scratch {root}", flush=True)  # fmt: skip
    with service(db) as (url, organization_id):
        client = boto3.client("workdocs", endpoint_url=url, region_name="us-east-1",
                              aws_access_key_id="test", aws_secret_access_key="test")  # fmt: skip
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
                    engine = engine_pid(process.pid)
                    if args.kill == "engine" and engine:
                        os.kill(engine, signal.SIGKILL)
                        killed = f"engine pid {engine}"
                        with contextlib.suppress(subprocess.TimeoutExpired):
                            process.wait(timeout=30)  # the CLI's host notices and exits
                    else:
                        killed = f"process group {process.pid}"
                    # What the engine left is killed too (our own group), as a dead runner would leave it.
                    os.killpg(process.pid, signal.SIGKILL)
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
        after_kill = snapshot(backend, stacks, client, organization_id, names)
        print(f"after the kill: {brief(after_kill)}", flush=True)
        age(db, args.age_hours)
        request_log(url, clear=True)
        started = time.perf_counter()
        code, said = run_shards(commands, env, work, log)
        rerun = snapshot(backend, stacks, client, organization_id, names)
        print(f"rerun 1 (exit {code}, {time.perf_counter() - started:.1f} s, calls {dict(request_log(url))}): "
              f"{brief(rerun)}", flush=True)  # fmt: skip
        if said:
            print("  it said: " + said.replace("\n", "\n  "))
        steps = []
        if code != 0 and rerun["locks"]:
            for stack in stacks:
                cancel = [str(BIN / "pulumi"), "cancel", "--yes", "--stack", f"organization/{ROOT_PROJECT}/{stack}"]
                env_cancel = {**env, "PULUMI_BACKEND_URL": backend.resolve().as_uri()}
                subprocess.run(cancel, env=env_cancel, cwd=work, capture_output=True, check=False, timeout=120)
            steps.append("pulumi cancel")
            code, said = run_shards(commands, env, work, log)
            rerun = snapshot(backend, stacks, client, organization_id, names)
            print(f"after pulumi cancel, rerun 2 (exit {code}): {brief(rerun)}", flush=True)
            if said:
                print("  it said: " + said.replace("\n", "\n  "))
        converged = code == 0 and not (rerun["missing"] or rerun["orphans"] or rerun["duplicates"])
        print(f"result: {'converged' if converged else 'NOT converged'}; manual steps: {steps or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
