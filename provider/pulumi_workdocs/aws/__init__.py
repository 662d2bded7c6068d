"""The edge to WorkDocs: the boto3 client built from settings, and read-only listing.

boto3 is imported here and in the provider's CRUD only, never by the pure core or by
commands that make no API call.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi_workdocs.errors import UsageError, WorkDocsAPIError

if TYPE_CHECKING:
    from mypy_boto3_workdocs import WorkDocsClient
    from mypy_boto3_workdocs.type_defs import UserTypeDef

DEFAULT_REGION = "us-east-1"
# The endpoint workdocs-users resolved (--endpoint, environment, stack config), passed to the
# provider process; it overrides workdocs:endpoint, so every command talks to the same service.
ENDPOINT_ENV = "WORKDOCS_ENDPOINT"
PAGE_SIZE = 999  # DescribeUsers' largest Limit: 5,000 users are 6 calls


@dataclass(frozen=True)
class ClientSettings:
    """``workdocs:*`` stack config. Credentials come from the default chain, never config."""

    region: str | None = None
    endpoint: str | None = None
    profile: str | None = None
    retry_mode: str = "standard"
    max_attempts: int = 5  # total attempts per call, as the AWS config setting of that name

    @classmethod
    def from_config(cls, get: Any) -> ClientSettings:
        """``get`` is ``Config.get``-like: key -> value or None."""
        retry_mode = get("workdocs:retryMode") or "standard"
        if retry_mode not in ("standard", "adaptive"):
            raise UsageError("workdocs:retryMode must be standard or adaptive")
        attempts = get("workdocs:maxAttempts")
        try:
            max_attempts = int(attempts) if attempts not in (None, "") else 5
        except ValueError:
            max_attempts = 0
        if max_attempts < 1:
            raise UsageError("workdocs:maxAttempts must be a whole number of attempts, at least 1")
        return cls(
            region=get("workdocs:region"),
            endpoint=os.environ.get(ENDPOINT_ENV) or get("workdocs:endpoint"),
            profile=get("workdocs:profile"),
            retry_mode=retry_mode,
            max_attempts=max_attempts,
        )

    def client(self) -> WorkDocsClient:
        """A client on the default credential chain. With no ``endpoint``, boto3 still honours
        ``AWS_ENDPOINT_URL_WORKDOCS`` and ``AWS_ENDPOINT_URL``."""
        import boto3
        from botocore.config import Config

        session = boto3.Session(profile_name=self.profile) if self.profile else boto3.Session()
        region = self.region or session.region_name or os.environ.get("AWS_REGION") or DEFAULT_REGION
        # total_max_attempts counts the first call too, as AWS config's max_attempts does
        # (botocore's own max_attempts key counts retries only).
        retries: Any = {"mode": self.retry_mode, "total_max_attempts": self.max_attempts}
        return session.client(
            "workdocs", region_name=region, endpoint_url=self.endpoint, config=Config(retries=retries)
        )


def list_users(client: WorkDocsClient, organization_id: str) -> list[UserTypeDef]:
    """Every user of the organization, any status: DescribeUsers pages of 999 (read-only)."""
    from botocore.exceptions import BotoCoreError, ClientError

    users: list[UserTypeDef] = []
    request: dict[str, Any] = {
        "OrganizationId": organization_id,
        "Include": "ALL",
        "Fields": "STORAGE_METADATA",
        "Limit": PAGE_SIZE,
    }
    seen: set[str] = set()
    try:
        while True:
            page = client.describe_users(**request)
            users.extend(page.get("Users", []))
            marker = page.get("Marker")
            if not marker:
                return users
            if marker in seen:
                raise WorkDocsAPIError(f"DescribeUsers returned marker {marker!r} twice; stopping")
            seen.add(marker)
            request["Marker"] = marker
    except (ClientError, BotoCoreError) as err:
        raise WorkDocsAPIError(f"cannot read WorkDocs users: {err}") from None
