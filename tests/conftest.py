"""Shared fixtures: an in-process workdocs-local on a free 127.0.0.1 port, and boto3 clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from workdocs_local import WorkDocsLocalServer

REGION = "us-east-1"


@pytest.fixture
def workdocs_server() -> Iterator[WorkDocsLocalServer]:
    """A fresh service per test (in-memory SQLite), stopped afterwards."""
    with WorkDocsLocalServer(host="127.0.0.1", port=0, db=":memory:") as server:
        yield server


def make_client(url: str, **overrides: Any) -> Any:
    """An unmodified boto3 WorkDocs client pointed at ``url`` (standard retry mode)."""
    config = overrides.pop("config", None) or Config(retries={"mode": "standard", "max_attempts": 3})
    settings: dict[str, Any] = {
        "endpoint_url": url,
        "region_name": REGION,
        "aws_access_key_id": "test",
        "aws_secret_access_key": "test",
        "config": config,
    }
    settings.update(overrides)
    return boto3.client("workdocs", **settings)


@pytest.fixture
def client_factory(workdocs_server: WorkDocsLocalServer) -> Callable[..., Any]:
    return lambda **overrides: make_client(workdocs_server.url, **overrides)


@pytest.fixture
def workdocs(workdocs_server: WorkDocsLocalServer) -> Any:
    """A boto3 client for the per-test service."""
    return make_client(workdocs_server.url)
