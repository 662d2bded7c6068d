"""The journal of unfinished updates, and stale locks: what an interrupted ``up`` leaves behind.

Both live with the state (``engine.state_store``): in a file backend's folder or in the
``s3://`` bucket, beside ``.pulumi/``, so the next run finds them from any checkout or CI
runner. Other backends keep the journal in the working folder.

Each run is one object, ``.workdocs-users/PROJECT/STACK/RUN.journal.json``, written before
the update and removed when a later update has finished: two runners never rewrite each
other's record (no read-modify-write, so no lost update between them). While its update runs,
a run names the lock it took in its own record and rewrites the record every ``BEAT`` with
the time (its sign of life): a lock that another host took for a run that has been silent
for over ``LEASE`` is stale, so a CI runner lost mid-``up`` is recovered by the next one
without a manual step.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pulumi_workdocs.core.recovery import JournalRun, runs_from_text
from pulumi_workdocs.engine.state_store import FileStore, StateStore, backend_folder, backend_store
from pulumi_workdocs.errors import WorkDocsError

JOURNAL_SUFFIX = ".journal.json"
BEAT = 30.0  # seconds between a running update's signs of life in its record
LEASE = dt.timedelta(minutes=10)  # silent this long (twenty beats, and any clock skew): the run is gone


@dataclass(frozen=True)
class Journal:
    """The unfinished runs of one stack, in ``store``."""

    store: StateStore
    project: str
    stack: str
    legacy: str  # the single journal object earlier versions wrote, still read and removed

    @property
    def folder(self) -> str:
        return f".workdocs-users/{self.project}/{self.stack}/"

    def runs(self) -> list[tuple[str, JournalRun]]:
        """(key, run) of every unfinished run recorded; an unreadable object proves nothing."""
        found: list[tuple[str, JournalRun]] = []
        for key in [self.legacy, *(k for k in self.store.keys(self.folder) if k.endswith(JOURNAL_SUFFIX))]:
            text = self.store.read(key)
            found.extend((key, run) for run in runs_from_text(text or ""))
        return found

    def record(self, run: JournalRun) -> str:
        """Store this run's record (whole or not at all), signed with this host; its key."""
        key = f"{self.folder}{run.started.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}{JOURNAL_SUFFIX}"
        self._sign(key, run)
        return key

    def _sign(self, key: str, run: JournalRun, lock: str | None = None) -> None:
        sign = {"host": socket.gethostname(), "alive": dt.datetime.now(dt.UTC).isoformat(), "lock": lock}
        self.store.write(key, json.dumps({**json.loads(runs_text([run])), **sign}, indent=1))

    @contextlib.contextmanager
    def alive(self, key: str, run: JournalRun, every: float = BEAT) -> Iterator[None]:
        """While the block (the update) runs: name the lock it takes in its record, and sign the
        record every ``every`` seconds (a failed write is retried at the next beat: only a long
        silence makes the run's lock stale)."""
        stop = threading.Event()

        def beat() -> None:
            lock, signed = None, time.monotonic()
            while not stop.wait(1.0 if lock is None else every):  # the lock comes within seconds
                with contextlib.suppress(WorkDocsError, OSError):
                    found = lock or self._lock_of_this_host()
                    if found is None and time.monotonic() - signed < every:
                        continue
                    self._sign(key, run, found)
                    lock, signed = found, time.monotonic()

        thread = threading.Thread(target=beat, name="journal-beat", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def _lock_of_this_host(self) -> str | None:
        """The stack's lock our update's engine took: one whose pid is a child of this process
        (the Automation API runs the engine as one), so another job of this host is never taken
        for ours."""
        for key in self.store.keys(locks_folder(self.project, self.stack)):
            with contextlib.suppress(ValueError, AttributeError):
                owner = json.loads(self.store.read(key) or "")
                if (
                    key.endswith(".json")
                    and owner.get("hostname") == socket.gethostname()
                    and _parent_pid(owner.get("pid")) == os.getpid()
                ):
                    return key
        return None

    def silent_locks(self, now: dt.datetime) -> dict[str, str]:
        """lock key -> why it is stale, for each lock a recorded run took and then gave no sign of
        life for over ``LEASE`` (the freshest record naming a lock counts)."""
        latest: dict[str, tuple[dt.datetime, str]] = {}
        for key in self.store.keys(self.folder):
            if not key.endswith(JOURNAL_SUFFIX):
                continue
            try:
                record = json.loads(self.store.read(key) or "")
                lock, host, when = record.get("lock"), record.get("host"), _when(record.get("alive"))
            except (ValueError, AttributeError):
                continue
            if isinstance(lock, str) and when is not None and (lock not in latest or when > latest[lock][0]):
                latest[lock] = (when, str(host))
        silent = {}
        for lock, (when, host) in latest.items():
            if now - when > LEASE:
                minutes = int((now - when).total_seconds() // 60)
                silent[lock] = f"its run on {host} has given no sign of life for {minutes} minutes"
        return silent

    def remove(self, keys: Iterable[str]) -> None:
        for key in dict.fromkeys(keys):
            self.store.delete(key)

    def describe(self) -> str:
        return self.store.describe(self.folder)


def runs_text(runs: Iterable[JournalRun]) -> str:
    """The journal's form, as the provider reads it (``core.recovery.runs_from_text``)."""
    return json.dumps({"runs": [run.to_json() for run in runs]}, indent=1)


def open_journal(backend: str, work_dir: Path, project: str, stack: str) -> Journal:
    """The journal beside the state; in the working folder for backends without a store of ours."""
    store = backend_store(backend)
    if store is None:
        return Journal(FileStore(work_dir), project, stack, f".workdocs-users/{stack}{JOURNAL_SUFFIX}")
    return Journal(store, project, stack, f".workdocs-users/{project}/{stack}{JOURNAL_SUFFIX}")


@dataclass(frozen=True)
class Lock:
    """One of Pulumi's lock objects (``.pulumi/locks/organization/PROJECT/STACK/ID.json``)."""

    key: str
    owner: dict[str, object]  # pid, username, hostname, timestamp
    why: str = ""  # why it is stale, for the line that says it was removed


def locks_folder(project: str, stack: str) -> str:
    """Where Pulumi's self-managed backends keep a stack's locks."""
    return f".pulumi/locks/organization/{project}/{stack}/"


def _when(value: Any) -> dt.datetime | None:
    """A time as Pulumi (Go's RFC 3339, nanoseconds) or we write it; None if it is not one."""
    try:
        when = dt.datetime.fromisoformat(re.sub(r"(\.\d{6})\d+", r"\1", str(value)).replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def stale_locks(
    store: StateStore | None, project: str, stack: str, journal: Journal | None = None
) -> tuple[list[Lock], list[Lock]]:
    """(stale locks, locks held by anyone else) of a stack.

    Stale: left by a process of this host that is gone, or taken by another host for a
    ``workdocs-users up`` whose record in ``journal`` names that very lock and has been silent
    for over ``LEASE``. Any other lock (a plain ``pulumi up``'s, say) is held: we cannot tell.
    """
    if store is None:
        return [], []
    gone, held = [], []
    silent = journal.silent_locks(dt.datetime.now(dt.UTC)) if journal is not None else {}
    for key in store.keys(locks_folder(project, stack)):
        if not key.endswith(".json"):
            continue  # a file backend's .attrs companions
        try:
            owner = json.loads(store.read(key) or "")
        except ValueError:
            continue
        if not isinstance(owner, dict):
            continue
        pid, host = owner.get("pid"), owner.get("hostname")
        if host == socket.gethostname() and isinstance(pid, int) and not _alive(pid):
            gone.append(Lock(key, owner, "its process is gone"))
        elif host != socket.gethostname() and key in silent:
            gone.append(Lock(key, owner, silent[key]))
        else:
            held.append(Lock(key, owner))
    return gone, held


def broken_attributes(backend: str, stack: str) -> list[Path]:
    """A file backend's attribute files left empty or cut short by a killed engine.

    The backend (gocloud's fileblob) writes ``FILE.attrs`` before it renames the new
    checkpoint into place, so an engine killed in between leaves the previous, whole
    checkpoint next to an empty ``.attrs``, and every later command fails with "failed to
    load checkpoint: EOF". Such a file carries only metadata: without it the blob is read
    with defaults.
    """
    folder = backend_folder(backend)
    if folder is None:
        return []
    broken = []
    for attrs in (folder / ".pulumi").glob(f"**/{stack}.json*.attrs"):
        try:
            json.loads(attrs.read_text())
        except (OSError, ValueError):
            broken.append(attrs)
    return broken


def _parent_pid(pid: object) -> int | None:
    """The parent of a process of this host (None: not a pid, or gone)."""
    if not isinstance(pid, int):
        return None
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _alive(pid: int) -> bool:
    """A process that exists and is not a zombie (a killed engine waits to be reaped as one)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")
