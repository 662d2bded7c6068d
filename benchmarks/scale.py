"""Scale of the root stack against the engine floor, interleaved in one run.

    .venv/bin/python benchmarks/scale.py [--users 1000 5000 | --quick] [--engine-env K=V ...]
        [--shard-size S [--shard-parallel P]] [--phases up,plan,preview,refresh,drift] [--json FILE]

For each N (a fresh workdocs-local subprocess on a free 127.0.0.1 port, fresh file
backends), phase by phase, the engine floor and then the users:

* up: the floor's preview + up of N no-op dynamic resources (``_noop.py``, the same engine,
  the same file backend) against ``workdocs-users up`` from a generated users file of N
  users; both preview with a refresh, then update with a refresh and
  ``PULUMI_SKIP_CHECKPOINTS=true``, as ``workdocs-users up`` does;
* plan: the floor's no-change preview (with a refresh) against a no-change
  ``workdocs-users plan`` (which previews only when something may change);
* preview: the same floor against ``workdocs-users plan --always-preview``: the engine's
  preview with a refresh, as every plan with a change runs it;
* refresh: Automation API ``stack.refresh()`` of the floor's stack and of the root stack
  (``engine.root_stack.open_stack``);
* drift: ``workdocs-users drift --format json``; its floor is ``pulumi stack export`` of the
  floor's stack (drift reads the state that way);
* state: ``pulumi stack export`` bytes per resource, and how many of them are the recorded
  stack traces.

Every engine run is a new interpreter (imports included, as a user runs it). API calls per
phase come from workdocs-local's request log, cleared before each phase. ``--engine-env``
sets engine variables for both sides (``workdocs-users up`` sets its own
``PULUMI_SKIP_CHECKPOINTS=true`` over them; ``--engine-env PULUMI_SKIP_CHECKPOINTS=false``
gives the floor the engine's default, a whole-checkpoint rewrite after every step);
``--shard-size`` splits the users (and the floor) over stacks of at most S, run
``--shard-parallel`` at a time, and measures ``up`` only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))  # the repository: tests.processes

from tests.processes import kill_tree  # noqa: E402

BIN = Path(sys.executable).parent
PASSPHRASE = "scale-benchmark-only-passphrase"  # for throw-away state; not a secret
FLOOR_PROJECT = "scale-floor"
ROOT_PROJECT = "workdocs-users"  # root_stack.PROJECT
STACK = "bench"
SKIP = "PULUMI_SKIP_CHECKPOINTS"
PHASE_ORDER = ["up", "state", "plan", "preview", "refresh", "drift"]
NO_STACK_TRACE = "SCALE_NO_STACK_TRACE"  # benchmark-only experiment: record no program stack trace


@dataclass
class Row:
    """One timed command."""

    n: int
    phase: str
    side: str  # floor | users
    wall: float
    cpu: float  # CPU of the command's whole process tree (engine, provider, program)
    load: float  # 1-minute load average when it started
    exit: int
    calls: dict[str, int] = field(default_factory=dict)
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def usernames(n: int) -> list[str]:
    return [f"user{i:05d}" for i in range(n)]


def write_users(path: Path, organization_id: str, names: list[str]) -> None:
    users = [
        {
            "username": u,
            "given_name": f"Given{u[4:]}",
            "surname": f"Surname{u[4:]}",
            "email_address": f"{u}@example.com",
        }
        for u in names
    ]
    defaults = {"storage": "50 GB", "time_zone_id": "Europe/Paris"}
    path.write_text(yaml.safe_dump({"organization_id": organization_id, "defaults": defaults, "users": users}))


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """What every engine command gets: test credentials, the passphrase, _noop importable."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PULUMI_"))}
    env.update(
        AWS_ACCESS_KEY_ID="test",  # workdocs-local's default key
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION="us-east-1",
        # A safety net: a call that names no endpoint goes to a closed loopback port, never to AWS.
        AWS_ENDPOINT_URL="http://127.0.0.1:9",
        PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK="true",
        PYTHONPATH=os.pathsep.join(p for p in (str(BENCH), env.get("PYTHONPATH", "")) if p),
    )
    env.update(extra)
    return env


def run_command(
    command: list[str], env: dict[str, str], cwd: Path, log: Path, timeout: float
) -> tuple[int, float, float]:
    """(exit code, wall seconds, CPU seconds of the tree); a run past ``timeout`` is killed (its group)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("ab") as out:
        out.write(f"\n$ {' '.join(command)}\n".encode())
        out.flush()
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            code = process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_tree(process.pid)  # what this call started, nothing else
            process.wait()
            code = -9
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return code, wall, cpu


def request_log(url: str, clear: bool = False) -> Counter[str]:
    request = urllib.request.Request(f"{url}/_workdocs_local/requests", method="DELETE" if clear else "GET")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return Counter(e["operation"] for e in json.loads(answer.read())["requests"])


@dataclass
class Setup:
    """One N: the service, the users file, the two backends, where logs go."""

    n: int
    url: str
    organization_id: str
    root: Path
    engine_env: dict[str, str]
    timeout: float
    shards: list[list[str]]  # one list of usernames per stack
    shard_parallel: int

    @property
    def users_dir(self) -> Path:
        return self.root / "users"

    @property
    def floor_dir(self) -> Path:
        return self.root / "floor"

    @property
    def log(self) -> Path:
        return self.root / "commands.log"

    def stack_names(self) -> list[str]:
        return [STACK] if len(self.shards) == 1 else [f"shard-{k:03d}" for k in range(len(self.shards))]

    def users_file(self, stack: str) -> Path:
        return self.users_dir / ("users.yaml" if stack == STACK else f"{stack}.yaml")


def _users_cli(setup: Setup, command: str, stack: str, *extra: str) -> list[str]:
    file = setup.users_file(stack)
    common = [
        "--file",
        str(file),
        "--stack",
        stack,
        "--backend",
        str(setup.users_dir / "state"),
        "--endpoint",
        setup.url,
    ]
    if os.environ.get(NO_STACK_TRACE) or setup.engine_env.get(NO_STACK_TRACE):
        return [sys.executable, __file__, "child", "cli", command, *common, *extra]
    return [str(BIN / "workdocs-users"), command, *common, *extra]


def _floor_child(setup: Setup, action: str, stack: str, names: list[str]) -> list[str]:
    names_file = setup.floor_dir / f"{stack}.names"
    names_file.write_text("\n".join(names))
    command = [sys.executable, __file__, "child", action, "--stack", stack, "--names", str(names_file)]
    command += ["--backend", str(setup.floor_dir / "state"), "--work", str(setup.floor_dir)]
    return command


def _run_all(setup: Setup, commands: list[list[str]], cwd: Path, env: dict[str, str]) -> tuple[int, float, float]:
    """Run shard commands ``shard_parallel`` at a time; (worst exit, wall, CPU)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    worst = 0
    pending = list(commands)
    running: list[tuple[subprocess.Popen[bytes], Any]] = []
    deadline = started + setup.timeout
    while pending or running:
        while pending and len(running) < setup.shard_parallel:
            out = setup.log.open("ab")
            command = pending.pop(0)
            out.write(f"\n$ {' '.join(command)}\n".encode())
            out.flush()
            process = subprocess.Popen(
                command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
            running.append((process, out))
        time.sleep(0.05)
        for process, out in list(running):
            code = process.poll()
            if code is None and time.perf_counter() > deadline:
                kill_tree(process.pid)
                code = process.wait()
            if code is not None:
                out.close()
                running.remove((process, out))
                worst = code if code != 0 and worst == 0 else worst
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return worst, wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(setup: Setup, phase: str, side: str, commands: list[list[str]], env_extra: dict[str, str]) -> Row:
    env = child_env({**setup.engine_env, **env_extra})
    cwd = setup.users_dir if side == "users" else setup.floor_dir
    if side == "users":
        request_log(setup.url, clear=True)
    load = os.getloadavg()[0]
    if len(commands) == 1:
        code, wall, cpu = run_command(commands[0], env, cwd, setup.log, setup.timeout)
    else:
        code, wall, cpu = _run_all(setup, commands, cwd, env)
    calls = dict(request_log(setup.url)) if side == "users" else {}
    row = Row(setup.n, phase, side, wall, cpu, load, code, calls)
    if side == "floor" and len(commands) == 1:  # the floor's own split: open, preview, up (seconds)
        marks = [line for line in setup.log.read_text().splitlines() if line.startswith('{"marks"')]
        row.extra["marks"] = json.loads(marks[-1])["marks"] if marks else None
    if code not in (0, 2, 3):  # plan exits 2 on changes, drift 3 on unapplied changes only
        row.note = f"exit {code}; see {setup.log}"
    return row


def stack_export(setup: Setup, side: str, stack: str) -> tuple[float, dict[str, Any]]:
    project = FLOOR_PROJECT if side == "floor" else ROOT_PROJECT
    work = setup.floor_dir if side == "floor" else setup.users_dir
    env = child_env({"PULUMI_BACKEND_URL": (work / "state").resolve().as_uri()})
    started = time.perf_counter()
    out = subprocess.run(
        [str(BIN / "pulumi"), "stack", "export", "--stack", f"organization/{project}/{stack}"],
        env=env, cwd=work, capture_output=True, check=True, timeout=setup.timeout,
    )  # fmt: skip
    wall = time.perf_counter() - started
    deployment = json.loads(out.stdout)
    resources = [r for r in deployment["deployment"].get("resources", []) if r["type"].startswith("pulumi-python:")]
    resource_bytes = sum(len(json.dumps(r)) for r in resources)
    traces = sum(
        len(json.dumps(r.get("stackTrace", []))) + len(json.dumps(r.get("sourcePosition", ""))) for r in resources
    )
    pending = deployment["deployment"].get("pending_operations", [])
    return wall, {
        "bytes": len(out.stdout),
        "resources": len(resources),
        "resource_bytes": resource_bytes,
        "trace_bytes": traces,
        "pending_operations": len(pending),
    }


def run_n(setup: Setup, phases: list[str], repeat: int, rows: list[Row]) -> None:
    stacks = setup.stack_names()
    for stack, names in zip(stacks, setup.shards, strict=True):
        write_users(setup.users_file(stack), setup.organization_id, names)
    if "up" in phases:
        for side in ("floor", "users"):
            if side == "floor":
                commands = [
                    _floor_child(setup, "floor-up", s, names) for s, names in zip(stacks, setup.shards, strict=True)
                ]
            else:
                commands = [_users_cli(setup, "up", s) for s in stacks]
            # As workdocs-users up does: one checkpoint at the end (--engine-env can say otherwise).
            row = measure(setup, "up", side, commands, {SKIP: setup.engine_env.get(SKIP, "true")})
            rows.append(row)
            report_row(row)
        for side in ("floor", "users"):
            total: dict[str, Any] = Counter()
            for stack in stacks:
                wall, info = stack_export(setup, side, stack)
                total.update(info)
                total["export_s"] += wall
            rows.append(Row(setup.n, "state", side, total["export_s"], 0.0, os.getloadavg()[0], 0, extra=dict(total)))
            report_row(rows[-1])
    if len(stacks) > 1:
        return  # one organization view (plan, refresh, drift of every shard) is not what this measures
    for index in range(repeat):
        order = ("floor", "users") if index % 2 == 0 else ("users", "floor")
        for phase in ("plan", "preview", "refresh", "drift"):
            if phase not in phases:
                continue
            for side in order:
                if side == "floor":
                    if phase == "drift":
                        wall, _ = stack_export(setup, "floor", STACK)
                        row = Row(
                            setup.n, "drift", "floor", wall, 0.0, os.getloadavg()[0], 0, note="pulumi stack export"
                        )
                    else:
                        action = "floor-refresh" if phase == "refresh" else "floor-preview"
                        row = measure(setup, phase, side, [_floor_child(setup, action, STACK, setup.shards[0])], {})
                elif phase == "refresh":
                    command = [sys.executable, __file__, "child", "root-refresh", "--stack", STACK]
                    command += ["--names", str(setup.users_file(STACK)), "--backend", str(setup.users_dir / "state")]
                    command += ["--work", str(setup.users_dir), "--endpoint", setup.url]
                    row = measure(setup, phase, side, [command], {})
                elif phase == "preview":  # the plan through the engine's preview, as any plan with a change
                    row = measure(setup, phase, side, [_users_cli(setup, "plan", STACK, "--always-preview")], {})
                else:
                    extra_args = ["--format", "json"] if phase == "drift" else []
                    row = measure(setup, phase, side, [_users_cli(setup, phase, STACK, *extra_args)], {})
                row.extra["repeat"] = index
                rows.append(row)
                report_row(row)


def report_row(row: Row) -> None:
    calls = ", ".join(f"{k} {v}" for k, v in sorted(row.calls.items())) or "-"
    extra = f" {row.extra}" if row.extra else ""
    print(
        f"N={row.n:<5} {row.phase:<8} {row.side:<6} {row.wall:8.2f} s  {1000 * row.wall / row.n:7.1f} ms/user  "
        f"cpu {row.cpu:7.1f} s  load {row.load:4.1f}  exit {row.exit}  calls: {calls}{extra} {row.note}",
        flush=True,
    )


def summary(rows: list[Row]) -> list[str]:
    """Markdown: per N and phase the median wall of each side, the ratio, ms/user, calls/user, state."""
    lines = [
        "| N | phase | floor | users | ratio | floor ms/res | users ms/user | CPU s floor / users "
        "| API calls per user (per run) | note |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    keys = sorted({(r.n, r.phase) for r in rows}, key=lambda k: (k[0], PHASE_ORDER.index(k[1])))
    for n, phase in keys:
        sides = {s: [r for r in rows if r.n == n and r.phase == phase and r.side == s] for s in ("floor", "users")}
        if phase == "state":
            f, u = sides["floor"][0].extra, sides["users"][0].extra
            lines.append(
                f"| {n} | state bytes | {f['bytes'] / n:,.0f} B/res | {u['bytes'] / n:,.0f} B/user | "
                f"{u['bytes'] / f['bytes']:.2f} | resource {f['resource_bytes'] / n:,.0f} B, of which stack trace "
                f"{f['trace_bytes'] / n:,.0f} B | resource {u['resource_bytes'] / n:,.0f} B, of which stack trace "
                f"{u['trace_bytes'] / n:,.0f} B | - | - | "
                f"export {f['export_s']:.2f} s / {u['export_s']:.2f} s |"
            )
            continue
        med = {s: sorted(r.wall for r in rs)[len(rs) // 2] if rs else math.nan for s, rs in sides.items()}
        cpu = {s: sorted(r.cpu for r in rs)[len(rs) // 2] if rs else math.nan for s, rs in sides.items()}
        users = sides["users"]
        calls: Counter[str] = Counter()
        for r in users:
            calls.update(r.calls)
        runs = max(len(users), 1)
        per_user = ", ".join(f"{op} {c / n / runs:.3g} ({c / runs:.0f})" for op, c in sorted(calls.items())) or "0"
        notes = "; ".join(sorted({r.note for r in sides["floor"] + users if r.note}))
        spread = {
            s: f" ({min(r.wall for r in rs):.1f}–{max(r.wall for r in rs):.1f})" if len(rs) > 1 else ""
            for s, rs in sides.items()
        }
        lines.append(
            f"| {n} | {phase} | {med['floor']:.1f} s{spread['floor']} | {med['users']:.1f} s{spread['users']} | "
            f"{med['users'] / med['floor']:.2f} | {1000 * med['floor'] / n:.1f} | {1000 * med['users'] / n:.1f} | "
            f"{cpu['floor']:.1f} / {cpu['users']:.1f} | {per_user} | {notes} |"
        )
    ns = sorted({r.n for r in rows})
    if len(ns) > 1:
        lo, hi = ns[0], ns[-1]
        for phase in ("up", "plan", "preview", "refresh", "drift"):
            for side in ("floor", "users"):
                a = [r.wall for r in rows if r.n == lo and r.phase == phase and r.side == side]
                b = [r.wall for r in rows if r.n == hi and r.phase == phase and r.side == side]
                if a and b:
                    growth = (min(b) / hi) / (min(a) / lo)
                    lines.append(f"growth of ms/user, N={hi} vs N={lo}, {phase}, {side}: {growth:.2f}x")
    return lines


@contextlib.contextmanager
def service(db: Path) -> Iterator[tuple[str, str]]:
    sys.path.insert(0, str(BENCH))
    from load_workdocs_local import subprocess_service

    with subprocess_service(str(db)) as (url, organization_id, _cpu):
        yield url, organization_id


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, nargs="+", default=[1000, 5000], help="the N values (default 1000 5000)")
    parser.add_argument("--quick", action="store_true", help="N = 100 300")
    parser.add_argument("--phases", default="up,plan,preview,refresh,drift")
    parser.add_argument("--repeat", type=int, default=1, help="runs of plan, refresh and drift per N")
    parser.add_argument("--engine-env", action="append", default=[], metavar="K=V", help="for both sides")
    parser.add_argument("--shard-size", type=int, default=0, help="users per stack (0: one stack)")
    parser.add_argument("--shard-parallel", type=int, default=1, help="shards run at once")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per command (killed past it)")
    parser.add_argument("--json", type=Path, default=None, help="write every row here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (state, logs)")
    args = parser.parse_args(argv)
    engine_env = dict(item.split("=", 1) for item in args.engine_env)
    phases = args.phases.split(",")
    ns = [100, 300] if args.quick else args.users
    rows: list[Row] = []
    print(f"scale: N={ns} phases={phases} engine env={engine_env or '-'} shard size={args.shard_size or '-'} "
          f"x{args.shard_parallel}; {os.cpu_count()} CPUs, load {os.getloadavg()}", flush=True)  # fmt: skip
    scratch = Path(tempfile.mkdtemp(prefix="scale-"))
    try:
        for n in ns:
            root = scratch / f"n{n}"
            for sub in ("users", "floor"):
                (root / sub).mkdir(parents=True)
            names = usernames(n)
            size = args.shard_size or n
            shards = [names[i : i + size] for i in range(0, n, size)]
            with service(root / "workdocs.db") as (url, organization_id):
                setup = Setup(n, url, organization_id, root, engine_env, args.timeout, shards,
                              args.shard_parallel)  # fmt: skip
                run_n(setup, phases, args.repeat, rows)
    finally:
        if args.json:
            args.json.write_text(json.dumps([asdict(r) for r in rows], indent=1))
        if args.keep:
            print(f"scratch kept: {scratch}")
        else:
            subprocess.run(["rm", "-rf", str(scratch)], check=False)
    print("\n".join(["", *summary(rows)]))
    return 1 if any(r.note.startswith("exit") for r in rows) else 0


def quadratic_fit(points: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Least squares t = a + b*N + c*N^2 (normal equations, three unknowns)."""
    rows = [
        [sum(n ** (i + j) for n, _ in points) for j in range(3)] + [sum(t * n**i for n, t in points)] for i in range(3)
    ]
    for col in range(3):
        pivot = max(range(col, 3), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        for r in range(3):
            if r != col:
                factor = rows[r][col] / rows[col][col]
                rows[r] = [x - factor * y for x, y in zip(rows[r], rows[col], strict=True)]
    a, b, c = (rows[i][3] / rows[i][i] for i in range(3))
    return a, b, c


def fit(argv: list[str]) -> int:
    """``scale.py fit RESULTS.json ... --to 5000``: extrapolate each side's up from a quadratic fit."""
    parser = argparse.ArgumentParser(prog="scale.py fit")
    parser.add_argument("results", type=Path, nargs="+")
    parser.add_argument("--to", type=int, nargs="+", default=[5000])
    parser.add_argument("--phase", default="up")
    args = parser.parse_args(argv)
    rows = [r for path in args.results for r in json.loads(path.read_text())]
    for side in ("floor", "users"):
        # Rows with a note ran otherwise (PULUMI_SKIP_CHECKPOINTS past the limit) or failed.
        points = [
            (float(r["n"]), r["wall"]) for r in rows if r["phase"] == args.phase and r["side"] == side and not r["note"]
        ]
        if len(points) < 3:
            print(f"{side}: {len(points)} points, at least 3 needed")
            continue
        a, b, c = quadratic_fit(points)
        measured = ", ".join(f"N={n:.0f} {t:.1f} s" for n, t in sorted(points))
        guesses = ", ".join(
            f"N={n}: {a + b * n + c * n * n:,.0f} s ({(a + b * n + c * n * n) / n * 1000:.0f} ms/user)" for n in args.to
        )
        print(
            f"{side} {args.phase}: t = {a:.2f} + {b * 1000:.2f} ms*N + {c * 1e6:.3f} us*N^2 from {measured}; {guesses}"
        )
    return 0


# -- child processes: one engine run each, in a fresh interpreter ------------------------------


def _no_stack_trace() -> None:
    """Benchmark-only: the SDK records no program stack trace (the checkpoint shrinks)."""
    from pulumi.runtime import resource as runtime_resource
    from pulumi.runtime.proto import source_pb2

    runtime_resource._get_stack_trace = source_pb2.StackTrace


def child(argv: list[str]) -> int:
    if os.environ.get(NO_STACK_TRACE):
        _no_stack_trace()
    if argv[0] == "cli":
        from pulumi_workdocs.cli import main as cli_main

        return cli_main(argv[1:])
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["floor-up", "floor-preview", "floor-refresh", "root-refresh"])
    parser.add_argument("--stack", required=True)
    parser.add_argument("--names", type=Path, required=True, help="floor: usernames; root-refresh: the users file")
    parser.add_argument("--backend", required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--endpoint", default=None, help="root-refresh: workdocs-local's URL (never AWS)")
    args = parser.parse_args(argv)
    marks = [time.perf_counter()]
    if args.action == "root-refresh":
        from pulumi_workdocs.engine.root_stack import open_stack
        from pulumi_workdocs.users_file import load

        if not args.endpoint:
            raise SystemExit("root-refresh needs --endpoint: the benchmark talks to workdocs-local only")
        stack = open_stack(load(args.names), args.stack, args.backend, args.work, endpoint=args.endpoint)
        marks.append(time.perf_counter())
        stack.refresh(on_output=print)
    else:
        from _noop import program

        from pulumi_workdocs.engine import inline_stack

        names = args.names.read_text().split()
        stack = inline_stack(FLOOR_PROJECT, args.stack, program(names), args.backend, args.work)
        marks.append(time.perf_counter())
        if args.action in ("floor-up", "floor-preview"):
            stack.preview(refresh=True)  # as workdocs-users plan and up do
            marks.append(time.perf_counter())
        if args.action == "floor-up":
            stack.up(on_output=print, refresh=True)
        if args.action == "floor-refresh":
            stack.refresh(on_output=print)
    marks.append(time.perf_counter())
    print(json.dumps({"marks": [round(b - a, 3) for a, b in zip(marks, marks[1:], strict=False)]}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("child", "fit"):
        sys.exit({"child": child, "fit": fit}[sys.argv[1]](sys.argv[2:]))
    sys.exit(main())
