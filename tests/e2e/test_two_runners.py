"""Two CI runners on one stack at once: a second ``up`` is refused in one line and loses nothing;
two ``plan``s both work (a preview takes no lock in Pulumi's self-managed backends).

Each runner works in a checkout of its own; the state is shared (a folder, or an ``s3://``
bucket on a real S3-compatible server).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.cli import main
from pulumi_workdocs.commands import plan as plan_command
from pulumi_workdocs.engine import bin_dir
from pulumi_workdocs.engine.journal import Journal, open_journal
from pulumi_workdocs.engine.root_stack import PROJECT, open_stack
from pulumi_workdocs.engine.state_store import backend_store, cancel_command
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import ACCESS_KEY, PASSPHRASE, SECRET_KEY, user_resources
from tests.processes import kill_tree
from tests.runners import BACKENDS, checkout, state_backend
from workdocs_local import WorkDocsLocalServer
from workdocs_local.faults import Fault

pytestmark = pytest.mark.e2e
LOCKS = f".pulumi/locks/organization/{PROJECT}/dev/"
ENV = {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY, "AWS_DEFAULT_REGION": "us-east-1",
       "PULUMI_CONFIG_PASSPHRASE": PASSPHRASE}  # fmt: skip


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[WorkDocsLocalServer]:
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)
    with WorkDocsLocalServer(access_keys=[f"{ACCESS_KEY}:{SECRET_KEY}"]) as server:
        yield server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path, server: WorkDocsLocalServer) -> Iterator[str]:
    with state_backend(request.param, tmp_path) as url:
        yield url


def _users_file(folder: Path, server: WorkDocsLocalServer, count: int) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "users.yaml"
    users = [{"username": f"user{i:03d}", "given_name": "User", "surname": f"N{i}"} for i in range(count)]
    path.write_text(yaml.safe_dump({"organization_id": server.organization_id, "users": users}))
    return path


def _args(users_yaml: Path, backend: str, server: WorkDocsLocalServer) -> list[str]:
    return ["--file", str(users_yaml), "--stack", "dev", "--backend", backend, "--endpoint", server.url]


def _start(command: str, args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pulumi_workdocs.cli", command, *args], env={**os.environ, **ENV},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip


def _live(server: WorkDocsLocalServer) -> list[dict[str, Any]]:
    return [dict(r) for r in server.backend._query("SELECT id, username FROM users")]


def _creates(server: WorkDocsLocalServer) -> int:
    return len([e for e in server.app.requests.entries("CreateUser") if e["error"] is None])


def _wait_for_update(journal: Journal, run: subprocess.Popen[str]) -> None:
    """Until the update holds the stack's lock (its journal record comes first: creating the stack
    took the lock briefly before)."""
    deadline = time.monotonic() + 240
    while not (journal.runs() and journal.store.keys(LOCKS)):
        assert run.poll() is None, f"the first up ended before it took the lock: {run.communicate()}"
        assert time.monotonic() < deadline, "the first up never took the stack's lock"
        time.sleep(0.1)


def test_a_second_up_while_one_runs_is_refused_in_one_line_loses_nothing_and_succeeds_after(
    tmp_path: Path, server: WorkDocsLocalServer, backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {u["username"] for u in _live(server)}  # a site's own users, if any
    first_yaml = _users_file(tmp_path / "runner-1", server, 30)
    server.app.faults.add(Fault(kind="latency", operation="CreateUser", latency_ms=3000))  # a long update
    first = _start("up", _args(first_yaml, backend, server))
    store = backend_store(backend)
    assert store is not None
    journal = open_journal(backend, first_yaml.parent, PROJECT, "dev")
    try:
        _wait_for_update(journal, first)
        second = _args(checkout(first_yaml.parent, tmp_path / "runner-2"), backend, server)
        capsys.readouterr()
        for command in ("up", "plan"):  # a plan while an update runs says so too, the same way
            assert main([command, *second]) == 1
            said = capsys.readouterr().err.splitlines()
            assert len(said) == 1, said
            assert "stack 'dev' is locked by an update of " in said[0]
            assert said[0].endswith(f"run: {cancel_command(backend, PROJECT, 'dev')}")
            assert backend.split("?")[0] in said[0] and SECRET_KEY not in said[0]
        assert first.poll() is None, "the second runner came while the first was running"
        assert len(journal.runs()) == 1  # the first's record only: the refused runner left none
        out, err = first.communicate(timeout=300)
    finally:
        kill_tree(first.pid)
    assert first.returncode == 0, err
    assert "Done: 30 created." in out
    server.app.faults.clear()
    live = [u for u in _live(server) if u["username"] not in before]
    assert sorted(u["username"] for u in live) == [f"user{i:03d}" for i in range(30)]  # no duplicate
    assert _creates(server) == 30
    state = user_resources(open_stack(load(first_yaml), "dev", backend, first_yaml.parent, endpoint=server.url))
    assert {r["id"] for r in state.values()} == {u["id"] for u in live}  # state == live
    # After the first has ended, the second runner's up succeeds: nothing is left to do.
    assert main(["up", *second]) == 0, capsys.readouterr().err
    assert _creates(server) == 30
    assert journal.runs() == [] and store.keys(LOCKS) == []


def test_a_lock_taken_between_the_check_and_the_update_is_the_same_line_and_the_record_goes(
    tmp_path: Path,
    server: WorkDocsLocalServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Another runner's lock, held from another host: first seen by the check, then by the engine
    itself (the other runner took it right after this one looked). The line's command clears it."""
    with state_backend("s3", tmp_path) as backend:
        users_yaml = _users_file(tmp_path / "runner-1", server, 2)
        args = _args(users_yaml, backend, server)
        assert main(["up", *args]) == 0
        store = backend_store(backend)
        assert store is not None
        owner = '{"pid": 4242, "username": "runner", "hostname": "ci-runner-7", "timestamp": "2026-12-06T10:00:00Z"}'
        store.write(f"{LOCKS}0b8f7c1e-other-runner.json", owner)
        _users_file(users_yaml.parent, server, 3)  # one user more
        capsys.readouterr()
        assert main(["plan", *args]) == 1
        said = capsys.readouterr().err.splitlines()
        assert len(said) == 1 and "locked by an update of runner@ci-runner-7 (pid 4242" in said[0], said

        monkeypatch.setattr(plan_command, "clear_stale_locks", lambda _ctx, **_: None)  # the check saw no lock yet
        assert main(["up", *args]) == 1
        engine_said = capsys.readouterr().err.splitlines()
        assert engine_said == said, engine_said  # the engine's refusal, said as the check says it
        assert _creates(server) == 2
        assert open_journal(backend, users_yaml.parent, PROJECT, "dev").runs() == []  # it applied nothing
        monkeypatch.undo()
        for name, value in ENV.items():
            monkeypatch.setenv(name, value)

        # The command the line names, run as given from any folder, clears the lock.
        command = said[0].split("run: ", 1)[1]
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        env = {**os.environ, **ENV, "PATH": f"{bin_dir()}{os.pathsep}{os.environ['PATH']}",
               "PULUMI_HOME": str(tmp_path / "home"), "PULUMI_SKIP_UPDATE_CHECK": "true"}  # fmt: skip
        done = subprocess.run(["bash", "-c", command], cwd=elsewhere, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert store.keys(LOCKS) == []
        assert main(["up", *args]) == 0
        assert _creates(server) == 3


def test_two_plans_at_once_both_work_on_a_new_stack_and_on_one_with_changes(
    tmp_path: Path, server: WorkDocsLocalServer, backend: str
) -> None:
    """A preview takes no lock (pkg/backend/diy: Preview runs without Lock); creating a new stack
    does, and the runner that loses that race selects the stack the other made."""
    one = _users_file(tmp_path / "runner-1", server, 3)
    store = backend_store(backend)
    assert store is not None

    def plans_at_once(first: Path, second: Path) -> list[str]:
        runs = [_start("plan", [*_args(path, backend, server), "--format", "json"]) for path in (first, second)]
        answers = [run.communicate(timeout=300) for run in runs]
        for run, (_out, err) in zip(runs, answers, strict=True):
            assert run.returncode == 2, err  # changes to make
        return [out for out, _err in answers]

    two = _users_file(tmp_path / "runner-2", server, 3)
    plans_at_once(one, two)
    assert main(["up", *_args(two, backend, server)]) == 0

    for path in (one, two):  # one user more: the preview runs
        _users_file(path.parent, server, 4)
    three = checkout(two.parent, tmp_path / "runner-3")
    kept = {key: store.read(key) for key in store.keys(".pulumi/") if "/backups/" not in key}
    first, second = plans_at_once(two, three)
    assert first == second
    assert [(c["kind"], c["username"]) for c in json.loads(first)["changes"]] == [("create", "user003")]
    assert {key: store.read(key) for key in store.keys(".pulumi/") if "/backups/" not in key} == kept  # read-only
