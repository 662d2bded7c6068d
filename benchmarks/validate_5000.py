"""Time `workdocs-users validate` on a 5,000-user file: the shipped path against the simpler one.

Both are timed in the same run, interleaved, so the ratio holds on a noisy machine:
- shipped: ``users_file.load`` as it is (yaml_load's event path, jsonschema-rs first);
- simple: the same code with the fast parts switched off, as issue 9 asks to weigh: the budget
  scan then ``yaml.load`` (CSafeLoader-based), a second compose for repeated keys, and
  jsonschema's ``iter_errors`` over the whole document (no jsonschema-rs);
- simple, no repeated-key check: the same without that second compose, a lower bound for any
  simple path (it would have to find repeated keys somehow);
- each also as a command (a new interpreter, imports included), as users run it.
Each on a valid file and on the same file with two errors (the first and the last user).

Run: .venv/bin/python benchmarks/validate_5000.py [--users 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import functools
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from pulumi_workdocs.users_file import UsersFileError, load

# The simpler path: validate with the fast parts switched off (in this interpreter, or in a new one).
SWITCH = """
from pulumi_workdocs import schema, users_file, yaml_load

def no_event_path(text, repeated=None):
    raise yaml_load._Unusual  # every document goes to the budget scan, then yaml.load

def jsonschema_only(document, definition=None, limit=None):
    problems = {}
    for error in schema._validator(definition).iter_errors(document):
        problems.update(dict.fromkeys(schema._problems(error)))
        if limit is not None and len(problems) > limit:
            break
    return sorted(problems, key=lambda p: [str(x) for x in p.path])

yaml_load._from_events = no_event_path
users_file.validate = jsonschema_only
"""
RUN = """
import sys
if sys.argv[1] == "min":
    full = yaml_load.load
    yaml_load.load = lambda text, repeated=None: full(text)  # no second compose for repeated keys
from pulumi_workdocs import cli
sys.exit(cli.main(["validate", sys.argv[2]]))
"""


def in_process(path: Path) -> Any:
    try:
        return load(path)
    except UsersFileError as err:
        return err.problems


def simple(path: Path) -> Any:
    """The simpler path in this interpreter, switched on for this call only."""
    from pulumi_workdocs import users_file, yaml_load

    saved = yaml_load._from_events, users_file.validate
    try:
        exec(SWITCH, {})
        return in_process(path)
    finally:
        yaml_load._from_events, users_file.validate = saved


def command(path: Path, variant: str | None = None) -> int:
    if variant is None:
        script = [str(Path(sys.executable).with_name("workdocs-users")), "validate", str(path)]
    else:
        script = [sys.executable, "-c", SWITCH + RUN, variant, str(path)]
    return subprocess.run(script, capture_output=True).returncode


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    users = [
        {"username": f"user{i:05d}", "given_name": f"Given{i}", "surname": f"Surname{i}",
         "email_address": f"user{i}@example.com", "time_zone_id": "Europe/Paris", "storage": "50 GB",
         "type": "USER", "status": "ACTIVE"}
        for i in range(args.users)
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        valid, broken = Path(folder) / "users.yaml", Path(folder) / "broken.yaml"
        document = {"organization_id": "d-1234567890", "defaults": {"deletion_policy": "DEACTIVATE"}, "users": users}
        valid.write_text(yaml.safe_dump(document))
        users[0]["type"], users[-1]["username"] = "USR", "bad user"
        broken.write_text(yaml.safe_dump(document))
        size = valid.stat().st_size
        # Warm up, and check that both paths give the same answers.
        assert len(in_process(valid).users) == len(simple(valid).users) == args.users
        assert in_process(broken) == simple(broken) and len(in_process(broken)) == 2
        for variant in (None, "simple", "min"):
            assert command(valid, variant) == 0 and command(broken, variant) == 1, variant
        steps: dict[str, Callable[[], Any]] = {}
        for label, path in (("valid", valid), ("2 errors", broken)):
            steps[f"shipped, {label}"] = functools.partial(in_process, path)
            steps[f"simple, {label}"] = functools.partial(simple, path)
            steps[f"shipped command, {label}"] = functools.partial(command, path)
            steps[f"simple command, {label}"] = functools.partial(command, path, "simple")
            steps[f"simple command without repeated keys, {label}"] = functools.partial(command, path, "min")
        runs: dict[str, list[float]] = {name: [] for name in steps}
        cpu: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.repeat):
            for name, step in steps.items():
                started, used = time.perf_counter(), cpu_seconds()
                step()
                runs[name].append(time.perf_counter() - started)
                cpu[name].append(cpu_seconds() - used)
    print(f"validate {args.users} users ({size} bytes), median (min-max) over {args.repeat} runs, and median CPU:")
    for name, times in runs.items():
        print(
            f"  {name:48} {statistics.median(times):.3f} s ({min(times):.3f}-{max(times):.3f})  "
            f"CPU {statistics.median(cpu[name]):.3f} s"
        )
    for label in ("valid", "2 errors"):
        simpler, shipped = (statistics.median(runs[f"{way} command, {label}"]) for way in ("simple", "shipped"))
        print(f"  simple / shipped command, {label}: {simpler / shipped:.1f}x")


def cpu_seconds() -> float:
    """CPU of this process and of the children it waited for: what a loaded machine does not inflate."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
