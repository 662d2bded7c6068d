"""The engine killed mid-``up`` (SIGKILL of the whole run), then one rerun hours later: it converges.

No clock window: the rerun takes over what the killed run made because the run's journal
planned those usernames and WorkDocs made them after the run started (core/recovery.py).
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
from pulumi_workdocs.engine.journal import journal_path
from pulumi_workdocs.engine.root_stack import PROJECT, open_stack
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import ACCESS_KEY, PASSPHRASE, SECRET_KEY, user_resources
from tests.processes import descendants, kill_tree
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


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.parametrize("kill_after_creates", [1, 15])
def test_a_killed_up_rerun_hours_later_converges_without_duplicates_orphans_or_manual_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], kill_after_creates: int
) -> None:
    with WorkDocsLocalServer(access_keys=[f"{ACCESS_KEY}:{SECRET_KEY}"]) as server:
        org = server.organization_id
        before = {u["username"] for u in _live(server)}  # a site's own users, if any
        users_yaml = tmp_path / "users.yaml"
        users = [{"username": f"user{i:03d}", "given_name": "User", "surname": f"N{i}"} for i in range(USERS)]
        users_yaml.write_text(yaml.safe_dump({"organization_id": org, "users": users}))
        backend = tmp_path / "state"
        args = ["--file", str(users_yaml), "--stack", "dev", "--backend", str(backend), "--endpoint", server.url]
        # Slow enough to be killed in the middle.
        server.app.faults.add(Fault(kind="latency", operation="CreateUser", latency_ms=150))
        run = subprocess.Popen(
            [sys.executable, "-m", "pulumi_workdocs.cli", "up", *args],
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
        server.app.faults.clear()
        made = {u["username"] for u in _live(server)} - before
        assert 0 < len(made) < USERS
        journal = journal_path(str(backend), tmp_path, PROJECT, "dev")
        assert json.loads(journal.read_text())["runs"][0]["creates"] == sorted(u["username"] for u in users)

        # Hours later: the killed run, its journal and the users it made all move into the past.
        with server.backend._transaction() as db:
            db.execute("UPDATE users SET created_timestamp = created_timestamp - ?", (HOURS_LATER,))
        runs = json.loads(journal.read_text())
        for entry in runs["runs"]:
            started = dt.datetime.fromisoformat(entry["started"])
            entry["started"] = (started - dt.timedelta(seconds=HOURS_LATER)).isoformat()
        journal.write_text(json.dumps(runs))

        for name, value in _env().items():
            monkeypatch.setenv(name, value)
        server.app.requests.clear()
        capsys.readouterr()
        assert main(["up", *args]) == 0, capsys.readouterr().err
        creates = [e for e in server.app.requests.entries("CreateUser") if e["error"] is None]
        live = _live(server)
        names = [u["username"] for u in live if u["username"] not in before]
        assert sorted(names) == sorted(u["username"] for u in users)  # 0 duplicates, 0 missing
        assert len(creates) == USERS - len(made)  # what the killed run made was taken over, not made again
        state = user_resources(open_stack(load(users_yaml), "dev", backend, tmp_path, endpoint=server.url))
        assert {r["id"] for r in state.values()} == {u["id"] for u in live if u["username"] not in before}
        assert not journal.exists()  # a finished run leaves no journal
        assert main(["plan", *args]) == 0  # converged
