"""engine.journal: where the journal lives, and which locks a rerun may clear."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from pulumi_workdocs.core.recovery import JournalRun
from pulumi_workdocs.engine.journal import clear, journal_path, read_runs, stale_locks, write_runs


def _lock(backend: Path, stack: str, pid: int, host: str) -> Path:
    folder = backend / ".pulumi" / "locks" / "organization" / "workdocs-users" / stack
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"lock-{pid}-{host}.json"
    path.write_text(json.dumps({"pid": pid, "username": "root", "hostname": host, "timestamp": "2026-11-29T10:00:00Z"}))
    return path


def test_a_lock_of_a_process_gone_from_this_host_is_stale_any_other_is_held(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(done.stdout)
    gone_lock = _lock(tmp_path, "dev", dead, socket.gethostname())
    _lock(tmp_path, "dev", os.getpid(), socket.gethostname())  # alive
    _lock(tmp_path, "dev", dead, "another-host")  # cannot tell: held
    _lock(tmp_path, "prod", dead, socket.gethostname())  # another stack
    gone, held = stale_locks(str(tmp_path), "dev")
    assert gone == [gone_lock]
    assert sorted(str(h["hostname"]) for h in held) == ["another-host", socket.gethostname()]
    assert stale_locks("s3://bucket/prefix", "dev") == ([], [])  # only a file backend is looked into


def test_the_journal_lives_next_to_a_file_backends_state_and_round_trips(tmp_path: Path) -> None:
    path = journal_path(f"file://{tmp_path}/state", tmp_path / "work", "workdocs-users", "dev")
    assert path == tmp_path / "state" / ".workdocs-users" / "workdocs-users" / "dev.journal.json"
    assert (
        journal_path("s3://bucket", tmp_path / "work", "p", "dev")
        == tmp_path / "work" / ".workdocs-users" / "dev.journal.json"
    )
    assert read_runs(path) == []
    run = JournalRun(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC), frozenset({"dora"}))
    write_runs(path, [run])
    assert read_runs(path) == [run]
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no scratch file left behind
    clear(path)
    assert read_runs(path) == []


def test_an_attribute_file_a_killed_engine_left_empty_is_found(tmp_path: Path) -> None:
    from pulumi_workdocs.engine.journal import broken_attributes

    stacks = tmp_path / ".pulumi" / "stacks" / "workdocs-users"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_text("{}")
    (stacks / "dev.json.attrs").write_text("")  # killed between creating and writing it
    (stacks / "dev.json.bak.attrs").write_text('{"md5": "x"}')
    (stacks / "prod.json.attrs").write_text("")  # another stack: not ours to touch
    assert broken_attributes(str(tmp_path), "dev") == [stacks / "dev.json.attrs"]
