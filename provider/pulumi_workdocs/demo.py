"""``make demo``: workdocs-local + the root stack's ``pulumi up`` + the users it made."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pulumi_workdocs.engine import DEMO_PASSPHRASE
from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.users_file import UsersFileError, load

ROOT = Path.cwd()
DEMO_ENV = {  # workdocs-local's default credentials; demo only
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": "us-east-1",
    "PULUMI_CONFIG_PASSPHRASE": os.environ.get("PULUMI_CONFIG_PASSPHRASE") or DEMO_PASSPHRASE,
}


def start_service(organization_id: str, port: int) -> tuple[subprocess.Popen[str], str]:
    command = [
        sys.executable, "-m", "workdocs_local", "serve", "--host", "127.0.0.1", "--port", str(port),
        "--db", str(ROOT / ".workdocs-local" / "workdocs.db"), "--organization", organization_id,
    ]  # fmt: skip
    service = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert service.stdout is not None
    banner = service.stdout.readline().strip()
    if not banner.startswith("workdocs-local listening on "):
        service.terminate()
        raise SystemExit(f"demo: workdocs-local did not start (port {port} busy? set WORKDOCS_LOCAL_PORT)")
    print(banner, flush=True)
    return service, banner.split()[3]


def main() -> int:
    try:
        users_file = load(ROOT / "users.yaml")
    except UsersFileError as err:
        print(err, file=sys.stderr)
        return 1
    # A fixed port: the endpoint is stack config, so a new port each run would be a change.
    service, url = start_service(users_file.organization_id, int(os.environ.get("WORKDOCS_LOCAL_PORT", "4567")))
    try:
        os.environ.update(DEMO_ENV)
        stack = open_stack(users_file, "demo", ROOT / ".pulumi-state", ROOT, endpoint=url, env=DEMO_ENV)
        result = stack.up(on_output=lambda line: print(line, flush=True))
        changes = {getattr(k, "value", k): v for k, v in (result.summary.resource_changes or {}).items()}
        if set(changes) <= {"same"}:
            print("\nno changes: WorkDocs already matches users.yaml")
        users = result.outputs["users"].value
        print(f"\n{'username':<24} {'Id':<66} {'root folder':<66} recycle bin")
        for name, user in sorted(users.items()):
            print(f"{name:<24} {user['id']:<66} {user['root_folder_id']:<66} {user['recycle_bin_folder_id']}")
        return 0
    finally:
        service.terminate()
        service.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
