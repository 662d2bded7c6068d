"""engine.journal and engine.state_store: where the journal lives, and which locks a rerun may clear.

The ``s3://`` cases run against a real S3-compatible server (moto's, tests/s3_server.py).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pulumi_workdocs.core.recovery import JournalRun
from pulumi_workdocs.engine.journal import LEASE, broken_attributes, open_journal, runs_text, stale_locks
from pulumi_workdocs.engine.state_store import (
    FileStore,
    S3Store,
    StateStore,
    StateStoreError,
    backend_store,
    cancel_command,
    s3_client,
    safe_url,
)
from tests.s3_server import S3Server, free_port

PROJECT = "workdocs-users"
LOCKS = f".pulumi/locks/organization/{PROJECT}"


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    """One server for the module; the stores find credentials on the default chain, as in CI."""
    with pytest.MonkeyPatch.context() as env, S3Server() as server:
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        yield server


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def _lock(store: StateStore, stack: str, pid: int, host: str, project: str = PROJECT) -> str:
    key = f".pulumi/locks/organization/{project}/{stack}/lock-{pid}-{host}.json"
    owner = {"pid": pid, "username": "root", "hostname": host, "timestamp": "2026-11-29T10:00:00Z"}
    store.write(key, json.dumps(owner))
    return key


def _stores(tmp_path: Path, s3: S3Server, prefix: str) -> list[StateStore]:
    return [FileStore(tmp_path / "state"), S3Store(s3.url(prefix))]


def test_a_lock_of_a_process_gone_from_this_host_is_stale_any_other_is_held(tmp_path: Path, s3: S3Server) -> None:
    dead = _dead_pid()
    for store in _stores(tmp_path, s3, "locks"):
        gone_lock = _lock(store, "dev", dead, socket.gethostname())
        _lock(store, "dev", os.getpid(), socket.gethostname())  # alive
        _lock(store, "dev", dead, "another-host")  # cannot tell: held
        _lock(store, "prod", dead, socket.gethostname())  # another stack
        _lock(store, "dev", dead, socket.gethostname(), project="other")  # another project
        gone, held = stale_locks(store, PROJECT, "dev")
        assert [lock.key for lock in gone] == [gone_lock], store
        assert sorted(str(lock.owner["hostname"]) for lock in held) == ["another-host", socket.gethostname()]
    assert stale_locks(None, PROJECT, "dev") == ([], [])  # a backend we have no store for


def test_a_lock_another_host_took_for_a_recorded_run_is_stale_once_that_run_is_silent_for_the_lease(
    tmp_path: Path, s3: S3Server
) -> None:
    for backend in (str(tmp_path / "state"), s3.url("lease")):
        store = backend_store(backend)
        assert store is not None
        journal = open_journal(backend, tmp_path / "work", PROJECT, "dev")
        run = JournalRun(dt.datetime.now(dt.UTC), frozenset({"dora"}))
        key = journal.record(run)
        engine = subprocess.Popen(["sleep", "60"])  # as the Automation API runs the engine: our child
        with journal.alive(key, run, every=0.2):  # the update takes its lock; the record names it
            # Another job's lock on this host (not our child) is never taken for ours.
            theirs = _lock(store, "dev", os.getppid(), socket.gethostname())
            time.sleep(1.5)
            assert json.loads(store.read(key) or "")["lock"] is None
            store.delete(theirs)
            lock = _lock(store, "dev", engine.pid, socket.gethostname())
            deadline = time.monotonic() + 10
            while json.loads(store.read(key) or "")["lock"] != lock:
                assert time.monotonic() < deadline, "the record never named the run's lock"
                time.sleep(0.1)
            first = json.loads(store.read(key) or "")["alive"]
            time.sleep(0.5)
            assert json.loads(store.read(key) or "")["alive"] > first  # signed while it runs
        engine.kill()
        engine.wait()

        # As if that run had been on a CI runner since lost, and one more lock of that runner.
        record = json.loads(store.read(key) or "")
        owner = json.loads(store.read(lock) or "")
        store.write(lock, json.dumps({**owner, "hostname": "ci-runner-9"}))
        other = _lock(store, "dev", 77, "ci-runner-9")  # a plain pulumi up's: no record names it
        store.write(key, json.dumps({**record, "host": "ci-runner-9"}))
        gone, held = stale_locks(store, PROJECT, "dev", journal)
        assert gone == [] and sorted(h.key for h in held) == sorted([lock, other])  # signed just now
        silent_since = dt.datetime.now(dt.UTC) - LEASE - dt.timedelta(minutes=1)
        store.write(key, json.dumps({**record, "host": "ci-runner-9", "alive": silent_since.isoformat()}))
        gone, held = stale_locks(store, PROJECT, "dev", journal)
        why = "its run on ci-runner-9 has given no sign of life for 11 minutes"
        assert [(g.key, g.why) for g in gone] == [(lock, why)]
        assert [h.key for h in held] == [other]
        without = stale_locks(store, PROJECT, "dev")  # without the journal, nothing is known
        assert without[0] == [] and sorted(h.key for h in without[1]) == sorted([lock, other])
        # A fresher record naming the same lock keeps it held: the freshest sign of life counts.
        fresh = journal.record(run)
        store.write(fresh, json.dumps({**record, "host": "ci-runner-9", "lock": lock}))
        gone, held = stale_locks(store, PROJECT, "dev", journal)
        assert gone == [] and sorted(h.key for h in held) == sorted([lock, other])
        journal.remove([fresh])


def test_a_file_stores_delete_takes_the_attribute_file_gocloud_wrote_beside_it(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.write("locks/a.json", "{}")
    (tmp_path / "locks" / "a.json.attrs").write_text("{}")
    store.delete("locks/a.json")
    assert list((tmp_path / "locks").iterdir()) == []


def test_the_s3_store_is_the_backend_urls_bucket_under_its_prefix(s3: S3Server) -> None:
    store = S3Store(s3.url("team/state"))
    assert store.read("a/b.json") is None
    store.write("a/b.json", "{}")
    store.write("a/c/d.json", "[]")
    listed = s3.object_keys()
    assert "team/state/a/b.json" in listed
    assert store.read("a/b.json") == "{}"
    assert store.keys("a/") == ["a/b.json", "a/c/d.json"]
    assert store.describe("a/b.json") == f"s3://{s3.bucket}/team/state/a/b.json"
    store.delete("a/b.json")
    store.delete("a/b.json")  # already gone: no error
    assert store.keys("a/") == ["a/c/d.json"]
    assert S3Store(s3.url()).keys("team/state/") == ["team/state/a/c/d.json"]  # no prefix: the bucket's root


def test_the_journal_lives_beside_the_state_one_object_per_run(tmp_path: Path, s3: S3Server) -> None:
    started = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)
    first, second = JournalRun(started, frozenset({"dora"})), JournalRun(started, frozenset({"eve"}))
    for backend, where in [
        (f"file://{tmp_path}/state", tmp_path / "state"),
        (str(tmp_path / "plain"), tmp_path / "plain"),
        (s3.url("journal"), None),
    ]:
        journal = open_journal(backend, tmp_path / "work", PROJECT, "dev")
        assert journal.runs() == []
        one = journal.record(first)
        two = journal.record(second)  # a second runner's record never rewrites the first's
        assert one != two
        assert sorted(sorted(run.creates) for _key, run in journal.runs()) == [["dora"], ["eve"]]
        assert one.startswith(f".workdocs-users/{PROJECT}/dev/20261129T120000000000Z-")
        if where is None:
            listed = [k for k in s3.object_keys() if k.startswith("journal/")]
            assert sorted(listed) == sorted(f"journal/{k}" for k in (one, two))
        else:
            assert sorted(p.name for p in (where / ".workdocs-users" / PROJECT / "dev").iterdir()) == sorted(
                key.rsplit("/", 1)[1] for key in (one, two)
            )  # no scratch file left behind
        journal.remove([one])
        assert [run for _key, run in journal.runs()] == [second]
        journal.remove([two])
        assert journal.runs() == []
    assert not (tmp_path / "work").exists()  # nothing in the working folder for these backends


def test_other_backends_keep_the_journal_in_the_working_folder_and_an_earlier_single_journal_is_read(
    tmp_path: Path,
) -> None:
    run = JournalRun(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC), frozenset({"dora"}))
    journal = open_journal("gs://bucket/prefix", tmp_path / "work", PROJECT, "dev")
    journal.record(run)
    assert [p.parent for p in (tmp_path / "work").glob("**/*.journal.json")] == [
        tmp_path / "work" / ".workdocs-users" / PROJECT / "dev"
    ]
    legacy = tmp_path / "state" / ".workdocs-users" / PROJECT / "dev.journal.json"  # as earlier versions wrote it
    legacy.parent.mkdir(parents=True)
    legacy.write_text(runs_text([run, run]))
    journal = open_journal(str(tmp_path / "state"), tmp_path / "work", PROJECT, "dev")
    assert [key for key, _run in journal.runs()] == [journal.legacy, journal.legacy]
    journal.remove(key for key, _run in journal.runs())
    assert not legacy.exists()


def test_the_cancel_command_names_the_stack_and_the_backend_never_a_secret(tmp_path: Path) -> None:
    url = "s3://b/team?endpoint=http://127.0.0.1:9000&region=us-east-1&use_path_style=true"
    assert cancel_command(url, PROJECT, "dev") == (
        f"PULUMI_BACKEND_URL='{url}' pulumi cancel --yes --stack organization/{PROJECT}/dev"
    )
    assert cancel_command(str(tmp_path), PROJECT, "dev").startswith(f"PULUMI_BACKEND_URL={tmp_path.as_uri()} ")
    assert safe_url("postgres://admin:hunter2@db:5432/state") == "postgres://****:****@db:5432/state"
    assert "hunter2" not in cancel_command("postgres://admin:hunter2@db/state", PROJECT, "dev")


def test_the_s3_client_follows_the_backend_urls_query_as_the_pulumi_cli_reads_it() -> None:
    client = s3_client("s3://b/p?endpoint=minio.local:9000&disable_https=true&region=eu-west-3&use_path_style=true")
    assert client.meta.endpoint_url == "http://minio.local:9000"
    assert client.meta.region_name == "eu-west-3"
    assert client.meta.config.s3["addressing_style"] == "path"
    legacy = s3_client("s3://b?endpoint=https://s3.example.com&region=us-east-1&s3ForcePathStyle=true")
    assert legacy.meta.config.s3["addressing_style"] == "path"
    assert s3_client("s3://b?region=us-east-1").meta.config.s3 in (None, {})  # AWS's own addressing
    with pytest.raises(StateStoreError, match=r"^the state backend s3://b\?profile=no-such-profile: .*no-such-profile"):
        s3_client("s3://b?profile=no-such-profile")


def test_an_unreachable_bucket_is_one_line_naming_the_backend_within_seconds() -> None:
    url = f"s3://nowhere?endpoint=http://127.0.0.1:{free_port()}&region=us-east-1&use_path_style=true"
    start = time.monotonic()
    with pytest.raises(StateStoreError) as refused:
        backend_store(url).keys(".pulumi/locks/")  # type: ignore[union-attr]
    assert time.monotonic() - start < 30
    message = str(refused.value)
    assert message.startswith(f"the state backend {url}: cannot list .pulumi/locks/: ")
    assert "\n" not in message and refused.value.__cause__ is None


def test_a_missing_bucket_is_one_line_naming_it(s3: S3Server) -> None:
    url = s3.url().replace(f"s3://{s3.bucket}", "s3://no-such-bucket")
    expected = r"^the state backend s3://no-such-bucket\?.*: cannot write k: NoSuchBucket"
    with pytest.raises(StateStoreError, match=expected):
        S3Store(url).write("k", "{}")


def test_an_attribute_file_a_killed_engine_left_empty_is_found(tmp_path: Path) -> None:
    stacks = tmp_path / ".pulumi" / "stacks" / "workdocs-users"
    stacks.mkdir(parents=True)
    (stacks / "dev.json").write_text("{}")
    (stacks / "dev.json.attrs").write_text("")  # killed between creating and writing it
    (stacks / "dev.json.bak.attrs").write_text('{"md5": "x"}')
    (stacks / "prod.json.attrs").write_text("")  # another stack: not ours to touch
    assert broken_attributes(str(tmp_path), "dev") == [stacks / "dev.json.attrs"]
