"""Time `workdocs-users validate` on a 5,000-user file, against the plain PyYAML + jsonschema path.

Both are timed in the same run, interleaved, so the ratio holds on a noisy machine:
- shipped: ``users_file.load`` (yaml_load's event path, jsonschema-rs first, semantic checks);
- plain: ``yaml.load`` with libyaml, jsonschema's ``iter_errors``, the same semantic checks.
Then the command as users run it (a new interpreter, imports included).

Run: .venv/bin/python benchmarks/validate_5000.py [--users 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
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
from pulumi_workdocs.users_file import load, semantic_problems


def plain(path: Path) -> Any:
    """What validate did before yaml_load and jsonschema-rs: the libraries' general paths."""
    document = yaml.load(path.read_text(), Loader=yaml_load.LOADER)
    assert not list(schema._validator(None).iter_errors(document))
    assert not semantic_problems(document, None)
    return document


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
        path = Path(folder) / "users.yaml"
        document = {"organization_id": "d-1234567890", "defaults": {"deletion_policy": "DEACTIVATE"}, "users": users}
        path.write_text(yaml.safe_dump(document))
        size = path.stat().st_size
        assert len(load(path).users) == args.users and plain(path)["users"] == users  # warm caches, same answer
        runs: dict[str, list[float]] = {"shipped": [], "plain": [], "command": []}
        steps: dict[str, Callable[[], Any]] = {
            "shipped": lambda: load(path),
            "plain": lambda: plain(path),
            "command": lambda: subprocess.run(
                [str(Path(sys.executable).with_name("workdocs-users")), "validate", str(path)],
                check=True,
                capture_output=True,
            ),
        }
        for _ in range(args.repeat):
            for name, step in steps.items():
                started = time.perf_counter()
                step()
                runs[name].append(time.perf_counter() - started)
    print(f"validate {args.users} users ({size} bytes), median (min-max) over {args.repeat} runs:")
    for name, times in runs.items():
        print(f"  {name:8} {statistics.median(times):.3f} s ({min(times):.3f}-{max(times):.3f})")
    ratio = statistics.median(runs["plain"]) / statistics.median(runs["shipped"])
    print(f"  plain / shipped: {ratio:.1f}x")


if __name__ == "__main__":
    main()
