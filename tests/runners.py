"""Several CI runners sharing one state backend: the backend (a folder, or a bucket on a real
S3-compatible server), and a runner's fresh checkout of the repository."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from tests.s3_server import S3Server

BACKENDS = ["file", "s3"]
CHECKED_IN = ("users.yaml", "Pulumi.yaml", "Pulumi.dev.yaml")  # what a repository keeps of a stack


@contextlib.contextmanager
def state_backend(kind: str, tmp_path: Path) -> Iterator[str]:
    """``file``: a folder under ``tmp_path``; ``s3``: a bucket (under a prefix) on a server of its own."""
    if kind == "file":
        yield str(tmp_path / "state")
        return
    with S3Server() as s3:
        yield s3.url("team")


def checkout(work: Path, fresh: Path) -> Path:
    """A new runner's working folder with only what is kept in git; its users file."""
    fresh.mkdir()
    for name in CHECKED_IN:
        shutil.copy(work / name, fresh / name)
    return fresh / "users.yaml"
