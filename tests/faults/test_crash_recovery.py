"""The engine killed mid-``up`` (SIGKILL of the whole run), then one rerun hours later: it converges.

No clock window: the rerun takes over what the killed run made because the run's journal
planned those usernames and WorkDocs made them after the run started (core/recovery.py).
The journal and the lock live with the state (a file backend's folder, an ``s3://`` bucket),
so the rerun comes from a fresh working folder, as a new CI runner checks the repository out.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.cli import main
from pulumi_workdocs.engine.journal import Journal, open_journal
from pulumi_workdocs.engine.root_stack import PROJECT, open_stack
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import ACCESS_KEY, PASSPHRASE, SECRET_KEY, user_resources
from tests.processes import descendants, kill_tree
from tests.runners import checkout, state_backend
from workdocs_local import WorkDocsLocalServer
from workdocs_local.faults import Fault

pytestmark = [pytest.mark.e2e, pytest.mark.faults]
USERS = 40
HOURS_LATER = 6 * 3600  # seconds the test moves the killed run into the past


def _env() -> dict[str, str]:
    return {**os.environ, "AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_DEFAULT_REGION": "us-east-1", "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}  # fmt: skip


def _live(server: WorkDocsLocalServer) -> list[dict[str, Any]]:
    rows = server.backend._query("SELECT id, username FROM users")
    return [dict(r) for r in rows]


def _wait_until_gone(pids: list[int]) -> None:
    """Until none of ``pids`` runs any more (zombies aside: SIGKILL is not instant)."""
    deadline = time.monotonic() + 60
    left = pids
    while time.monotonic() < deadline:
        left = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state not in ("Z", "X"):
                left.append(pid)
        if not left:
            return
        time.sleep(0.1)
    raise AssertionError(f"processes of the killed up still run: {left}")


def _wait_for_requests_in_flight(server: WorkDocsLocalServer) -> None:
    """Until the service's request log stops growing (a call sent before the kill is still answered)."""
    seen, quiet_since = -1, time.monotonic()
    while time.monotonic() - quiet_since < 1.0:
        count = len(server.app.requests.entries())
        if count != seen:
            seen, quiet_since = count, time.monotonic()
        time.sleep(0.05)


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _hours_later(journal: Journal, lost_host: str | None) -> None:
    """Move the killed run's records into the past (its start and its last sign of life); with
    ``lost_host``, as if it had run on that CI runner, gone since (its lock says so too)."""
    for key in journal.store.keys(journal.folder):
        record = json.loads(journal.store.read(key) or "")
        for entry in record["runs"]:
            entry["started"] = _earlier(entry["started"])
        record["alive"] = _earlier(record["alive"])
        if lost_host:
            assert record["lock"], "the run named the lock it took"
            owner = json.loads(journal.store.read(record["lock"]) or "")
            journal.store.write(record["lock"], json.dumps({**owner, "hostname": lost_host}))
            record["host"] = lost_host
        journal.store.write(key, json.dumps(record))


def _earlier(when: str) -> str:
    return (dt.datetime.fromisoformat(when) - dt.timedelta(seconds=HOURS_LATER)).isoformat()


@pytest.mark.parametrize(
    ("kind", "kill_after_creates", "lost_host"),
    [("file", 1, None), ("file", 15, None), ("s3", 1, None), ("s3", 15, "ci-runner-lost")],
    ids=["file-1", "file-15", "s3-1", "s3-15-another-runner"],
)
def test_a_killed_up_rerun_hours_later_converges_without_duplicates_orphans_or_manual_steps(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    kind: str,
    kill_after_creates: int,
    lost_host: str | None,
) -> None:
    with (
        WorkDocsLocalServer(access_keys=[f"{ACCESS_KEY}:{SECRET_KEY}"]) as server,
        state_backend(kind, tmp_path) as backend,
    ):
        org = server.organization_id
        before = {u["username"] for u in _live(server)}  # a site's own users, if any
        work = tmp_path / "runner-1"
        work.mkdir()
        users_yaml = work / "users.yaml"
        users = [{"username": f"user{i:03d}", "given_name": "User", "surname": f"N{i}"} for i in range(USERS)]
        users_yaml.write_text(yaml.safe_dump({"organization_id": org, "users": users}))
        args = ["--stack", "dev", "--backend", backend, "--endpoint", server.url]
        # Slow enough to be killed in the middle.
        server.app.faults.add(Fault(kind="latency", operation="CreateUser", latency_ms=150))
        run = subprocess.Popen(
            [sys.executable, "-m", "pulumi_workdocs.cli", "up", "--file", str(users_yaml), *args],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        commands: list[str] = []
        try:
            deadline = time.monotonic() + 240
            while len(server.app.requests.entries("CreateUser")) < kill_after_creates:
                assert run.poll() is None, "the up ended before it could be killed"
                assert time.monotonic() < deadline, "the up never started creating users"
                time.sleep(0.05)
        finally:
            # The CLI, the engine and the provider plugin, as a crash would: the engine starts the
            # plugin in a process group of its own, so the run's group alone would leave it running.
            tree = descendants(run.pid)
            commands = [_command(pid) for pid in tree]
            kill_tree(run.pid, tree)
            run.wait(timeout=60)
            _wait_until_gone(tree)  # hours later, nothing of the killed run is left running
        assert any("pulumi.dynamic" in command for command in commands), "the plugin was killed too"
        _wait_for_requests_in_flight(server)  # the service finishes a CreateUser it was sent before the kill
        server.app.faults.clear()
        made = {u["username"] for u in _live(server)} - before
        assert 0 < len(made) < USERS
        for name, value in _env().items():
            monkeypatch.setenv(name, value)
        journal = open_journal(backend, work, PROJECT, "dev")  # beside the state, not in the working folder
        recorded = journal.runs()
        assert [sorted(entry.creates) for _key, entry in recorded] == [sorted(u["username"] for u in users)]
        assert not (work / ".workdocs-users").exists()

        # Hours later: the killed run, its journal and the users it made all move into the past.
        with server.backend._transaction() as db:
            db.execute("UPDATE users SET created_timestamp = created_timestamp - ?", (HOURS_LATER,))
        _hours_later(journal, lost_host)

        # One rerun, from another runner's fresh checkout: the killed run's lock is removed, saying so.
        args = ["--file", str(checkout(work, tmp_path / "runner-2")), *args]
        server.app.requests.clear()
        capsys.readouterr()
        code, said = main(["up", *args]), capsys.readouterr().err
        assert code == 0, said
        # A lost runner's lock is known by the record that names it, silent for hours (360 minutes and a few).
        why = f"its run on {lost_host} has given no sign of life for 36" if lost_host else "its process is gone)"
        assert said.count(f"removed the lock of an interrupted update ({why}") == 1, said
        assert ".pulumi/locks/organization/workdocs-users/dev/" in said
        creates = [e for e in server.app.requests.entries("CreateUser") if e["error"] is None]
        live = _live(server)
        names = [u["username"] for u in live if u["username"] not in before]
        assert sorted(names) == sorted(u["username"] for u in users)  # 0 duplicates, 0 missing
        assert len(creates) == USERS - len(made)  # what the killed run made was taken over, not made again
        state = user_resources(open_stack(load(users_yaml), "dev", backend, work, endpoint=server.url))
        assert {r["id"] for r in state.values()} == {u["id"] for u in live if u["username"] not in before}
        assert journal.runs() == []  # a finished run leaves no journal
        assert journal.store.keys(".pulumi/locks/") == []
        assert main(["plan", *args]) == 0  # converged
