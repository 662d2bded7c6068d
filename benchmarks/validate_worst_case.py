"""Time and memory of `workdocs-users validate` on the costliest files the budget lets through.

Issue 11: no input may make validate crash, hang past 5 s or use more than 200 MB. The
budget (yaml_load.MAX_BYTES, MAX_NODES, MAX_NODES_FULL_LOADER, MAX_DEPTH) refuses larger
inputs at once; this measures the files just inside it, each shaped to cost the most per
byte on one path (typed scalars, yaml.load's full loader, aliases, many problems). Each
runs as users run it (a new interpreter); peak memory from the child's rusage.

Run: .venv/bin/python benchmarks/validate_worst_case.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pulumi_workdocs.yaml_load import MAX_BYTES, MAX_NODES, MAX_NODES_FULL_LOADER

HEAD = "organization_id: d-1234567890\n"
NODES = MAX_NODES - 100  # just inside the budget (the head's nodes included)
FULL = MAX_NODES_FULL_LOADER - 100


def user(i: int, extra: str = "") -> str:
    return f"  - {{username: user{i:06d}, given_name: Given{i}, surname: Surname{i}, type: USER{extra}}}\n"


def flow(item: str, count: int) -> str:
    return "[" + f"{item}," * count + f"{item}]"


ALIASED = "u: &u {username: a, given_name: b, surname: c, type: X}\n"
SHAPES = {  # name: (what it costs, the file)
    "valid users, 4 MiB": ("the common path at its largest", HEAD + "users:\n" + "".join(map(user, range(45_000)))),
    "wrong users, 4 MiB": ("a problem in every user", HEAD + "users:\n" + "".join(user(i, "x") for i in range(45_000))),
    "distinct integers": (
        "typed scalars are built in Python",
        HEAD + "users: []\nx: [0" + "".join(f",{i}" for i in range(1, NODES)) + "]\n",
    ),
    "dates": (
        "the costliest typed scalar",
        HEAD + "users: []\nx: " + flow("2020-01-01", (MAX_BYTES - 100) // 11) + "\n",
    ),
    "unknown keys": (
        "a problem each, cut at 100",
        HEAD + "users: []\n" + "".join(f"k{i}: 1\n" for i in range(NODES // 2)),
    ),
    "empty users": ("3 problems each, checked user by user", HEAD + "users: " + flow("{}", NODES) + "\n"),
    "full loader": ("an anchor: yaml.load builds it", HEAD + "a: &a 1\nusers: []\nx: " + flow("s", FULL) + "\n"),
    "aliased wrong users": (
        "aliases up to the node budget",
        HEAD + ALIASED + "users: " + flow("*u", NODES // 10) + "\n",
    ),
}


def run(path: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak MB of the child, and the first line it printed."""
    started = time.perf_counter()
    command = [str(Path(sys.executable).with_name("workdocs-users")), "validate", str(path)]
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert child.stderr is not None
    said = child.stderr.read()
    _, _, usage = os.wait4(child.pid, 0)
    took = time.perf_counter() - started
    assert "Traceback" not in said, said
    first = said.splitlines()[0].split(": ", 1)[1] if said else "valid"
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, first


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths: dict[str, Path] = {}
        for name, (_, text) in SHAPES.items():
            paths[name] = Path(folder) / f"{len(paths)}.yaml"
            paths[name].write_text(text)
        runs: dict[str, list[tuple[float, float, float, str]]] = {name: [] for name in SHAPES}
        for _ in range(args.repeat):
            for name, path in paths.items():
                runs[name].append(run(path))
        print(f"validate, worst cases inside the budget: median (max) of {args.repeat} runs, peak memory the max")
        for name, results in runs.items():
            wall, cpu = [r[0] for r in results], [r[1] for r in results]
            size = paths[name].stat().st_size / 2**20
            print(
                f"  {name:20} {size:4.1f} MiB  wall {statistics.median(wall):5.2f} s ({max(wall):5.2f})  "
                f"CPU {statistics.median(cpu):5.2f} s  {max(r[2] for r in results):4.0f} MB  {SHAPES[name][0]}"
            )
            print(f"  {'':20} says: {results[0][3][:110]}")


if __name__ == "__main__":
    main()
