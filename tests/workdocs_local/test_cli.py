"""The CLI start-up contract: banner line, a working service, clean exit on SIGTERM."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import ONE_ATTEMPT, control, create_user

BANNER = re.compile(r"workdocs-local listening on (http://127\.0\.0\.1:(\d+)) organization=(\S+) site_admin=(\S+)")
START_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
CONSOLE_SCRIPT = Path(sys.executable).parent / "workdocs-local"


class Service:
    """A ``workdocs-local serve`` subprocess: its banner, URL, organization and site admin."""

    def __init__(self, process: subprocess.Popen[str], banner: str) -> None:
        self.process = process
        self.banner = banner
        match = BANNER.fullmatch(banner)
        assert match, f"unexpected first line: {banner!r}"
        self.url, self.port, self.organization_id, self.site_admin = match[1], int(match[2]), match[3], match[4]

    def terminate(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=STOP_TIMEOUT)


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first stdout line, or fail after ``timeout`` seconds (never hang)."""
    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise AssertionError(f"no banner within {timeout} s")
    return process.stdout.readline().rstrip("\n")


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Service]]:
    """Start ``serve`` (module or console script) with extra args; always stopped afterwards."""
    processes: list[subprocess.Popen[str]] = []

    def _start(*args: str, command: list[str] | None = None, db: str = ":memory:") -> Service:
        argv = (command or [sys.executable, "-m", "workdocs_local"]) + [
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--db",
            db,
            *args,
        ]
        process = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
            # Buffered stdout, as under a supervisor: the banner must be flushed explicitly.
            env={k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
        )
        processes.append(process)
        return Service(process, _first_line(process, START_TIMEOUT))

    yield _start
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=STOP_TIMEOUT)


def test_module_serve_prints_banner_serves_and_stops_on_sigterm(start: Callable[..., Service]):
    service = start()
    assert service.port > 0
    assert re.fullmatch(r"d-[0-9a-f]{10}", service.organization_id)
    assert service.site_admin == "siteadmin"
    assert control(service.url, "GET", "health") == (
        200,
        {"status": "ok", "organizations": [service.organization_id], "site_admin": "siteadmin"},
    )
    client = make_client(service.url)
    user = create_user(client, service.organization_id, "from-cli")
    assert user["OrganizationId"] == service.organization_id
    assert client.describe_users(OrganizationId=service.organization_id)["TotalNumberOfUsers"] == 2  # + site admin

    assert service.terminate() == 0
    stdout, stderr = service.process.communicate(timeout=STOP_TIMEOUT)
    assert stdout == ""  # the banner was the only line
    assert "Traceback" not in stderr


def test_console_script_has_the_same_contract(start: Callable[..., Service]):
    assert CONSOLE_SCRIPT.exists(), "the workdocs-local console script is not installed"
    service = start(command=[str(CONSOLE_SCRIPT)])
    [admin] = make_client(service.url).describe_users(OrganizationId=service.organization_id)["Users"]
    assert (admin["Username"], admin["Type"]) == (service.site_admin, "ADMIN")
    assert service.terminate() == 0


def test_sigterm_right_after_the_banner_still_exits_cleanly(start: Callable[..., Service]):
    service = start()
    assert service.terminate() == 0
    assert "Traceback" not in service.process.communicate(timeout=STOP_TIMEOUT)[1]


def test_flags_set_organization_access_keys_and_default_quota(start: Callable[..., Service]):
    service = start(
        "--organization",
        "d-0123456789",
        "--access-key",
        "CLIKEY:cli-secret",
        "--default-storage-quota",
        "4096",
    )
    assert service.organization_id == "d-0123456789"
    client = make_client(service.url, aws_access_key_id="CLIKEY", aws_secret_access_key="cli-secret")
    user = create_user(client, "d-0123456789", "quota-user")
    assert user["Storage"]["StorageRule"] == {"StorageType": "QUOTA", "StorageAllocatedInBytes": 4096}
    assert service.terminate() == 0


def test_fault_flag_injects_faults(start: Callable[..., Service]):
    service = start(
        "--fault",
        "kind=unavailable,operation=CreateUser,count=1",
        "--fault",
        "kind=throttling,operation=DescribeUsers,probability=1,count=1,seed=3",
    )
    client: Any = make_client(service.url, config=ONE_ATTEMPT)
    with pytest.raises(client.exceptions.ServiceUnavailableException):
        create_user(client, service.organization_id, "unlucky")
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.describe_users(OrganizationId=service.organization_id)
    assert caught.value.response["Error"]["Code"] == "ThrottlingException"
    # Each fault had count=1: the next calls pass.
    assert create_user(client, service.organization_id, "unlucky")["Username"] == "unlucky"
    assert client.describe_users(OrganizationId=service.organization_id)["TotalNumberOfUsers"] == 2  # + site admin
    faults = control(service.url, "GET", "faults")[1]["faults"]
    assert [(f["kind"], f["injected"]) for f in faults] == [("unavailable", 1), ("throttling", 1)]
    assert service.terminate() == 0


def test_file_database_survives_a_cli_restart(start: Callable[..., Service], tmp_path: Path):
    db = str(tmp_path / "state" / "workdocs.db")  # the parent directory is created
    first = start(db=db)
    create_user(make_client(first.url), first.organization_id, "durable")
    assert first.terminate() == 0

    second = start(db=db)
    assert second.organization_id == first.organization_id
    users = make_client(second.url).describe_users(OrganizationId=second.organization_id)["Users"]
    assert [u["Username"] for u in users] == ["durable", "siteadmin"]  # the site admin made once, kept
    assert second.terminate() == 0


def test_site_admin_flag_names_the_admin_of_new_organizations(start: Callable[..., Service]):
    service = start("--site-admin", "it.admin@example.com", "--organization", "d-0123456789")
    assert service.site_admin == "it.admin@example.com"
    assert control(service.url, "GET", "health")[1]["site_admin"] == "it.admin@example.com"
    [admin] = make_client(service.url).describe_users(OrganizationId="d-0123456789")["Users"]
    assert (admin["Username"], admin["Type"], admin["Status"]) == ("it.admin@example.com", "ADMIN", "ACTIVE")
    assert service.terminate() == 0


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--fault", "kind=earthquake"], "fault kind"),
        (["--fault", "unavailable"], "key=value"),
        (["--access-key", "missing-colon"], "ACCESS_KEY:SECRET"),
        (["--site-admin", "site admin"], "site admin username: 1 validation error detected: Value at 'Username'"),
        (["--site-admin", ""], "Value at 'Username' failed to satisfy constraint: Member must have length"),
    ],
)
def test_bad_flags_exit_2_without_a_banner(args: list[str], complaint: str, tmp_path: Path):
    completed = subprocess.run(
        [sys.executable, "-m", "workdocs_local", "serve", "--port", "0", "--db", ":memory:", *args],
        capture_output=True,
        text=True,
        timeout=START_TIMEOUT,
        cwd=tmp_path,
    )
    assert completed.returncode == 2
    assert completed.stdout == ""
    assert complaint in completed.stderr
