"""The journal of unfinished updates, and stale locks: what an interrupted ``up`` leaves behind.

Both live with the state (``engine.state_store``): in a file backend's folder or in the
``s3://`` bucket, beside ``.pulumi/``, so the next run finds them from any checkout or CI
runner. Other backends keep the journal in the working folder.

Each run is one object, ``.workdocs-users/PROJECT/STACK/RUN.journal.json``, written once
before the update and removed when a later update has finished: two runners never rewrite
each other's record (no read-modify-write, so no lost update between them).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pulumi_workdocs.core.recovery import JournalRun, runs_from_text
from pulumi_workdocs.engine.state_store import FileStore, StateStore, backend_folder, backend_store

JOURNAL_SUFFIX = ".journal.json"


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
        """Store this run's record (whole or not at all); its key."""
        key = f"{self.folder}{run.started.astimezone(dt.UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}{JOURNAL_SUFFIX}"
        self.store.write(key, runs_text([run]))
        return key

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


def stale_locks(store: StateStore | None, project: str, stack: str) -> tuple[list[Lock], list[Lock]]:
    """(locks left by a process of this host that is gone, locks held by anyone else) of a stack."""
    if store is None:
        return [], []
    gone, held = [], []
    for key in store.keys(f".pulumi/locks/organization/{project}/{stack}/"):
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
            gone.append(Lock(key, owner))
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
