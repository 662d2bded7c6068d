"""Time `workdocs-users validate` on a 5,000-user file, against the plain PyYAML + jsonschema path.

Both are timed in the same run, interleaved, so the ratio holds on a noisy machine:
- shipped: ``users_file.load`` (yaml_load's event path, jsonschema-rs first, semantic checks);
- plain: ``yaml.load`` with libyaml, jsonschema's ``iter_errors``, the same semantic checks,
  and for a file with errors PyYAML's composed node tree for their lines;
- command: ``workdocs-users validate`` as users run it (a new interpreter, imports included).
Each on a valid file and on the same file with two errors (the first and the last user).

Run: .venv/bin/python benchmarks/validate_5000.py [--users 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from pulumi_workdocs import schema, yaml_load
from pulumi_workdocs.users_file import UsersFileError, load, semantic_problems


def plain(path: Path) -> Any:
    """What validate did before yaml_load and jsonschema-rs: the libraries' general paths."""
    text = path.read_text()
    document = yaml.load(text, Loader=yaml_load.LOADER)
    if list(schema._validator(None).iter_errors(document)):
        return yaml.compose(text, Loader=yaml_load.LOADER)  # where the errors are
    assert not semantic_problems(document)
    return document


def shipped(path: Path) -> Any:
    try:
        return load(path)
    except UsersFileError as err:
        return err.problems


def command(path: Path) -> int:
    script = str(Path(sys.executable).with_name("workdocs-users"))
    return subprocess.run([script, "validate", str(path)], capture_output=True).returncode


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
        assert len(shipped(valid).users) == args.users and plain(valid)["users"][1:-1] == users[1:-1]  # warm up
        assert len(shipped(broken)) == 2 and command(valid) == 0 and command(broken) == 1
        steps: dict[str, Callable[[], Any]] = {}
        for label, path in (("valid", valid), ("2 errors", broken)):
            steps[f"shipped, {label}"] = functools.partial(shipped, path)
            steps[f"plain, {label}"] = functools.partial(plain, path)
            steps[f"command, {label}"] = functools.partial(command, path)
        runs: dict[str, list[float]] = {name: [] for name in steps}
        for _ in range(args.repeat):
            for name, step in steps.items():
                started = time.perf_counter()
                step()
                runs[name].append(time.perf_counter() - started)
    print(f"validate {args.users} users ({size} bytes), median (min-max) over {args.repeat} runs:")
    for name, times in runs.items():
        print(f"  {name:20} {statistics.median(times):.3f} s ({min(times):.3f}-{max(times):.3f})")
    for label in ("valid", "2 errors"):
        ratio = statistics.median(runs[f"plain, {label}"]) / statistics.median(runs[f"shipped, {label}"])
        print(f"  plain / shipped, {label}: {ratio:.1f}x")


if __name__ == "__main__":
    main()
