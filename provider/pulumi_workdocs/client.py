"""The boto3 WorkDocs client, built from stack configuration in the provider process."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class ClientSettings:
    """``workdocs:*`` stack config. Credentials come from the default chain, never config."""

    region: str | None = None
    endpoint: str | None = None
    profile: str | None = None
    retry_mode: str = "standard"
    max_attempts: int = 5

    @classmethod
    def from_config(cls, get: Any) -> ClientSettings:
        """``get`` is ``Config.get``-like: key -> value or None."""
        retry_mode = get("workdocs:retryMode") or "standard"
        if retry_mode not in ("standard", "adaptive"):
            raise ValueError("workdocs:retryMode must be standard or adaptive")
        return cls(
            region=get("workdocs:region"),
            endpoint=get("workdocs:endpoint"),
            profile=get("workdocs:profile"),
            retry_mode=retry_mode,
            max_attempts=int(get("workdocs:maxAttempts") or 5),
        )

    def client(self) -> Any:
        """A client on the default credential chain. With no ``endpoint``, boto3 still honours
        ``AWS_ENDPOINT_URL_WORKDOCS`` and ``AWS_ENDPOINT_URL``."""
        session = boto3.Session(profile_name=self.profile) if self.profile else boto3.Session()
        region = self.region or session.region_name or os.environ.get("AWS_REGION") or DEFAULT_REGION
        retries: Any = {"mode": self.retry_mode, "max_attempts": self.max_attempts}
        config = Config(retries=retries)
        return session.client("workdocs", region_name=region, endpoint_url=self.endpoint, config=config)
