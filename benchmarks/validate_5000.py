"""Time `workdocs-users validate` on a 5,000-user file (load + schema + semantic checks).

Run: .venv/bin/python benchmarks/validate_5000.py [--users 5000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import yaml

from pulumi_workdocs.users_file import load


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
        load(path)  # warm caches (schema compile, time zone list)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            loaded = load(path)
            times.append(time.perf_counter() - started)
    assert len(loaded.users) == args.users
    print(
        f"validate {args.users} users ({size} bytes): median {statistics.median(times):.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s over {args.repeat} runs"
    )


if __name__ == "__main__":
    main()
