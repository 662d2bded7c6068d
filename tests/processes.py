"""Process trees of what a test or a benchmark started: listed from /proc, killed whole.

The Pulumi engine starts each provider plugin in a process group of its own, so killing the
group of a run leaves its plugins running, orphaned; these find and kill them too.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path


def descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (from /proc, Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int, tree: list[int] | None = None) -> None:
    """SIGKILL the group ``pid`` leads and every process below it (``tree``: as listed before).

    The engine starts each provider plugin in a process group of its own, so killing the
    group alone leaves the plugins running, orphaned.
    """
    tree = descendants(pid) if tree is None else tree
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    for child in tree:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)
