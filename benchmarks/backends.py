"""``up`` and a no-change plan with the state in a bucket (``s3://``) against a folder (``file://``),
each against the engine floor on the same backend, interleaved in one run.

    .venv/bin/python benchmarks/backends.py [--users 1000] [--repeat 3] [--json FILE]

An S3-compatible server (moto's, ``tests/s3_server.py``) runs on 127.0.0.1; each backend has
its own workdocs-local subprocess (a fresh organization: ``up`` creates N users in each).
In order: the floor's ``up`` of N no-op resources (``_noop.py``, as in ``scale.py``) on
file, then on s3, then ``workdocs-users up`` of N users on file, then on s3; then
``--repeat`` rounds of the no-change plan, floor and users, file and s3, the order turned
each round. Figures are ratios: users/floor on each backend, and s3/file for each side.
The s3 side measures the engine's S3 client against moto on loopback, not S3's latency.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent))

from scale import (  # noqa: E402
    BIN,
    SKIP,
    STACK,
    Row,
    child_env,
    request_log,
    run_command,
    service,
    usernames,
    write_users,
)

from tests.s3_server import S3Server  # noqa: E402

KINDS = ("file", "s3")


class Side:
    """One backend: its workdocs-local, its users folder and its floor folder, their two state URLs."""

    def __init__(self, kind: str, root: Path, url: str, organization_id: str, s3: S3Server) -> None:
        self.kind, self.url, self.organization_id = kind, url, organization_id
        self.users_dir, self.floor_dir = root / kind / "users", root / kind / "floor"
        for folder in (self.users_dir, self.floor_dir):
            folder.mkdir(parents=True)
        if kind == "file":
            self.users_state, self.floor_state = str(self.users_dir / "state"), str(self.floor_dir / "state")
        else:
            self.users_state, self.floor_state = s3.url("users"), s3.url("floor")

    def users(self, command: str) -> list[str]:
        return [str(BIN / "workdocs-users"), command, "--file", str(self.users_dir / "users.yaml"), "--stack", STACK,
                "--backend", self.users_state, "--endpoint", self.url]  # fmt: skip

    def floor(self, action: str) -> list[str]:
        names = self.floor_dir / "names"
        return [sys.executable, str(BENCH / "scale.py"), "child", action, "--stack", STACK, "--names", str(names),
                "--backend", self.floor_state, "--work", str(self.floor_dir)]  # fmt: skip


def measure(side: Side, phase: str, who: str, log: Path, n: int, timeout: float, s3: S3Server) -> Row:
    env = child_env({SKIP: "true"} if phase == "up" else {})
    # The engine's S3 client reads these too: moto's keys, and no AWS_ENDPOINT_URL over the URL's.
    if side.kind == "s3":
        del env["AWS_ENDPOINT_URL"]
    command = side.floor("floor-up" if phase == "up" else "floor-preview") if who == "floor" else side.users(phase)
    request_log(side.url, clear=True)
    load = os.getloadavg()[0]
    code, wall, cpu = run_command(command, env, side.users_dir if who == "users" else side.floor_dir, log, timeout)
    row = Row(
        n, phase, f"{side.kind}/{who}", wall, cpu, load, code, dict(request_log(side.url)) if who == "users" else {}
    )
    if code not in (0, 2):
        row.note = f"exit {code}; see {log}"
    if side.kind == "s3":
        row.extra["objects"] = len(s3.object_keys())
    print(f"{phase:5} {side.kind:4} {who:6} {wall:7.1f} s  cpu {cpu:6.1f} s  load {load:4.1f}  exit {code}", flush=True)
    return row


def summary(rows: list[Row]) -> list[str]:
    def med(phase: str, side: str) -> float:
        return statistics.median(r.wall for r in rows if r.phase == phase and r.side == side)

    def spread(phase: str, side: str) -> str:
        walls = sorted(r.wall for r in rows if r.phase == phase and r.side == side)
        return f" ({walls[0]:.1f}–{walls[-1]:.1f})" if len(walls) > 1 else ""

    lines = [
        "| phase | file: floor | file: users | s3: floor | s3: users | users/floor file | users/floor s3 "
        "| s3/file floor | s3/file users | load |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for phase in dict.fromkeys(r.phase for r in rows):
        m = {s: med(phase, s) for s in ("file/floor", "file/users", "s3/floor", "s3/users")}
        loads = [r.load for r in rows if r.phase == phase]
        lines.append(
            f"| {phase} | " + " | ".join(f"{m[s]:.1f} s{spread(phase, s)}" for s in m) + " | "
            f"{m['file/users'] / m['file/floor']:.2f} | {m['s3/users'] / m['s3/floor']:.2f} | "
            f"{m['s3/floor'] / m['file/floor']:.2f} | {m['s3/users'] / m['file/users']:.2f} | "
            f"{min(loads):.1f}–{max(loads):.1f} |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=1000, help="N (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the no-change plan (default 3)")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per command (killed past it)")
    parser.add_argument("--json", type=Path, default=None, help="write every row here")
    args = parser.parse_args(argv)
    n, rows = args.users, []
    print(f"backends: N={n}, repeat {args.repeat}; {os.cpu_count()} CPUs, load {os.getloadavg()}", flush=True)
    scratch = Path(tempfile.mkdtemp(prefix="backends-"))
    log = scratch / "commands.log"
    try:
        with S3Server(bucket="bench-state") as s3, contextlib.ExitStack() as services:
            sides = [
                Side(kind, scratch, *services.enter_context(service(scratch / f"{kind}.db")), s3) for kind in KINDS
            ]
            for side in sides:
                write_users(side.users_dir / "users.yaml", side.organization_id, usernames(n))
                (side.floor_dir / "names").write_text("\n".join(usernames(n)))
            for who in ("floor", "users"):
                for side in sides:
                    rows.append(measure(side, "up", who, log, n, args.timeout, s3))
            for round_ in range(args.repeat):
                order = sides if round_ % 2 == 0 else sides[::-1]
                for who in ("floor", "users") if round_ % 2 == 0 else ("users", "floor"):
                    for side in order:
                        rows.append(measure(side, "plan", who, log, n, args.timeout, s3))
    finally:
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))
        subprocess.run(["rm", "-rf", str(scratch)], check=False)
    print("\n".join(["", *summary(rows)]))
    return 1 if any(r.note for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
