"""The journal of unfinished updates, and stale locks: what an interrupted ``up`` leaves behind.

On a file backend both live in the backend's folder, next to the state, so a rerun from any
checkout sees them; on other backends the journal is kept in the working folder.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from urllib.parse import unquote, urlparse

from pulumi_workdocs.core.recovery import JournalRun, runs_from_text


def backend_folder(backend: str) -> Path | None:
    """The folder of a file backend (a plain folder or ``file://``), else None."""
    if "://" not in backend:
        return Path(backend).resolve()
    url = urlparse(backend)
    return Path(unquote(url.path)).resolve() if url.scheme == "file" else None


def journal_path(backend: str, work_dir: Path, project: str, stack: str) -> Path:
    folder = backend_folder(backend)
    if folder is not None:
        return folder / ".workdocs-users" / project / f"{stack}.journal.json"
    return work_dir / ".workdocs-users" / f"{stack}.journal.json"


def read_runs(path: Path) -> list[JournalRun]:
    try:
        return runs_from_text(path.read_text())
    except OSError:
        return []


def write_runs(path: Path, runs: list[JournalRun]) -> None:
    """Written whole or not at all (a crash mid-write keeps the previous journal)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch.write_text(json.dumps({"runs": [run.to_json() for run in runs]}, indent=1))
    scratch.replace(path)


def clear(path: Path) -> None:
    path.unlink(missing_ok=True)


def stale_locks(backend: str, stack: str) -> tuple[list[Path], list[dict[str, object]]]:
    """(locks left by a process of this host that is gone, locks held by anyone else) of a file backend."""
    folder = backend_folder(backend)
    if folder is None:
        return [], []
    gone, held = [], []
    for lock in (folder / ".pulumi" / "locks").glob("**/*.json"):
        if lock.parent.name != stack:
            continue
        try:
            content = json.loads(lock.read_text())
        except (OSError, ValueError):
            continue
        pid, host = content.get("pid"), content.get("hostname")
        if host == socket.gethostname() and isinstance(pid, int) and not _alive(pid):
            gone.append(lock)
        else:
            held.append(content)
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
