from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_workdocs import handoff
from pulumi_workdocs.handoff import RunHandoff
from pulumi_workdocs.provider import WorkDocsUserProvider
from workdocs_local import WorkDocsLocalServer


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default credential chain, as a user's shell would set it (no boto3 patching)."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_WORKDOCS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")


@pytest.fixture
def provider(workdocs_server: WorkDocsLocalServer, aws_env: None) -> WorkDocsUserProvider:
    """A provider configured as the engine configures it: stack config keys."""
    p = WorkDocsUserProvider()
    config = {"workdocs:endpoint": workdocs_server.url, "workdocs:region": "us-east-1"}
    p.configure(ConfigureRequest(Config(config, "test")))
    return p


@pytest.fixture
def hand_off(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., RunHandoff]:
    """Hands the provider in this process a run hand-off, as workdocs-users hands one to the
    provider process of an engine run (each in a new file: the provider reads a file once)."""
    numbers = itertools.count()

    def hand(**fields: Any) -> RunHandoff:
        run = RunHandoff(**fields)
        path = tmp_path / f"run-{next(numbers)}.json"
        run.write(path)
        monkeypatch.setenv(handoff.RUN_ENV, str(path))
        return run

    return hand


ALICE: dict[str, Any] = {  # WorkDocsUser arguments, without organization_id
    "username": "alice",
    "given_name": "Alice",
    "surname": "Liddell",
    "password": "Wonderland-1865",
    "email_address": "alice@example.com",
    "status": "ACTIVE",
    "deletion_policy": "DEACTIVATE",
    "adopt": False,
}


@pytest.fixture
def user_args(workdocs_server: WorkDocsLocalServer) -> dict[str, Any]:
    return {"organization_id": workdocs_server.organization_id, **ALICE}
