"""How long `workdocs-users drift` takes to say that WorkDocs cannot be reached.

    .venv/bin/python benchmarks/dead_endpoint.py [--repeat 3] [--code DIR]

Two endpoints that never answer, each run as a user runs it (a new process, wall time):

* a closed loopback port (bound to find a free one, then closed): the connection is refused;
* no endpoint at all, so AWS's ``workdocs.us-east-1.amazonaws.com``: measured only when that
  name does not resolve here (a DNS failure, no traffic leaves the machine); skipped otherwise.

``--code DIR`` runs the package found in ``DIR`` instead (e.g. ``git archive`` of an older
commit's ``provider/`` unpacked into DIR): the "before" figure.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

AWS_HOST = "workdocs.us-east-1.amazonaws.com"


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def aws_name_resolves() -> bool:
    """The one lookup of a non-local name: if it resolves, the default case is not run."""
    try:
        socket.getaddrinfo(AWS_HOST, 443)
    except OSError:
        return False
    return True


def drift(work: Path, endpoint: str | None, code: str | None) -> tuple[int, float, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT_URL", "WORKDOCS_"))}
    env |= {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "PULUMI_CONFIG_PASSPHRASE": "test"}
    if code:
        env["PYTHONPATH"] = code
    argv = [sys.executable, "-m", "pulumi_workdocs.cli", "drift", "--file", str(work / "users.yaml"),
            "--backend", str(work / "state")] + (["--endpoint", endpoint] if endpoint else [])  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, cwd=work, check=False)
    return done.returncode, time.monotonic() - started, done.stderr.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--code", default=None, help="run the pulumi_workdocs package in this directory")
    args = parser.parse_args()
    cases: list[tuple[str, str | None]] = [("closed loopback port", closed_port())]
    if aws_name_resolves():
        print(f"{AWS_HOST} resolves here: the no-endpoint case would send traffic off the machine; skipped")
    else:
        cases.append((f"no endpoint ({AWS_HOST} does not resolve)", None))
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        user = {"username": "alice", "given_name": "Alice", "surname": "Liddell", "email_address": "a@example.com"}
        (work / "users.yaml").write_text(yaml.safe_dump({"organization_id": "d-1234567890", "users": [user]}))
        for name, endpoint in cases:
            for _ in range(args.repeat):
                code, seconds, said = drift(work, endpoint, args.code)
                print(f"{name:45} exit {code}  {seconds:6.1f} s  {said}")


if __name__ == "__main__":
    main()
