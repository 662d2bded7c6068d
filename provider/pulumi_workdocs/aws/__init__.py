"""The edge to WorkDocs: the boto3 client built from settings, and read-only listing.

boto3 is imported here and in the provider's CRUD only, never by the pure core or by
commands that make no API call.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pulumi_workdocs.errors import UsageError, WorkDocsAPIError
from pulumi_workdocs.handoff import ENDPOINT_CONFIG, Endpoint, sdk_endpoint

if TYPE_CHECKING:
    from mypy_boto3_workdocs import WorkDocsClient
    from mypy_boto3_workdocs.type_defs import UserTypeDef

    from pulumi_workdocs.aws.retry import RetryPolicy

DEFAULT_REGION = "us-east-1"
PAGE_SIZE = 999  # DescribeUsers' largest Limit: 5,000 users are 6 calls
THROTTLING_DELAY_FACTOR = 20  # botocore's standard bases: 1 s after throttling, 0.05 s otherwise
CONNECT_TIMEOUT = 5.0  # seconds to open a connection (botocore's default is 60)


@dataclass(frozen=True)
class ClientSettings:
    """``workdocs:*`` stack config. Credentials come from the default chain, never config."""

    region: str | None = None
    endpoint: str | None = None
    # Where ``endpoint`` came from, when workdocs-users resolved it (handoff.resolve_endpoint);
    # None: the stack config's, or boto3's own variables (see endpoint_of).
    endpoint_source: str | None = None
    profile: str | None = None
    retry_mode: str = "adaptive"  # adaptive: throttling slows the whole client (process) down
    max_attempts: int | None = None  # total attempts per call, as AWS config's max_attempts; None: no limit
    call_timeout: float = 300.0  # seconds one call may keep retrying
    retry_base_delay: float = 0.05  # first backoff bound of a transient error; throttling's is 20 times it
    # botocore's is 60 s: a TCP handshake that takes 5 s has lost its packets; after the first
    # answer a connect timeout is retried like any transient error, so only a dead endpoint waits less.
    connect_timeout: float = CONNECT_TIMEOUT

    @classmethod
    def from_config(cls, get: Any) -> ClientSettings:
        """``get`` is ``Config.get``-like: key -> value or None."""
        retry_mode = get("workdocs:retryMode") or "adaptive"
        if retry_mode not in ("standard", "adaptive"):
            raise UsageError("workdocs:retryMode must be standard or adaptive")
        attempts = get("workdocs:maxAttempts")
        try:
            max_attempts = int(attempts) if attempts not in (None, "") else None
        except ValueError:
            max_attempts = 0
        if max_attempts is not None and max_attempts < 1:
            raise UsageError("workdocs:maxAttempts must be a whole number of attempts, at least 1")
        return cls(
            region=get("workdocs:region"),
            endpoint=get(ENDPOINT_CONFIG) or None,
            profile=get("workdocs:profile"),
            retry_mode=retry_mode,
            max_attempts=max_attempts,
            call_timeout=_seconds(get, "workdocs:callTimeout", cls.call_timeout, minimum_exclusive=True),
            retry_base_delay=_seconds(get, "workdocs:retryBaseDelay", cls.retry_base_delay),
        )

    def endpoint_of(self) -> Endpoint:
        """The endpoint the client talks to, and where it came from (for messages that name it)."""
        if self.endpoint_source is not None:
            return Endpoint(self.endpoint, self.endpoint_source)
        return sdk_endpoint(self.endpoint, os.environ)

    def retry_policy(self) -> RetryPolicy:
        from pulumi_workdocs.aws.retry import RetryPolicy

        return RetryPolicy(
            call_timeout=self.call_timeout,
            max_attempts=self.max_attempts,
            base_delay=self.retry_base_delay,
            throttling_base_delay=self.retry_base_delay * THROTTLING_DELAY_FACTOR,
        )

    def client(self) -> WorkDocsClient:
        """A client on the default credential chain, with retries that last (``aws/retry.py``).
        With no ``endpoint``, boto3 still honours ``AWS_ENDPOINT_URL_WORKDOCS`` and ``AWS_ENDPOINT_URL``."""
        import boto3
        from botocore.config import Config

        from pulumi_workdocs.aws.retry import install

        session = boto3.Session(profile_name=self.profile) if self.profile else boto3.Session()
        region = self.region or session.region_name or os.environ.get("AWS_REGION") or DEFAULT_REGION
        # In adaptive mode botocore adds its client-side rate limiter; install() then replaces
        # only the retry decision (and its per-client quota). total_max_attempts counts the
        # first call too, as AWS config's max_attempts does; here it only fills the
        # amz-sdk-request header, install()'s handler enforces it.
        retries: Any = {"mode": self.retry_mode}
        if self.max_attempts is not None:
            retries["total_max_attempts"] = self.max_attempts
        config = Config(retries=retries, connect_timeout=self.connect_timeout)
        client = session.client("workdocs", region_name=region, endpoint_url=self.endpoint, config=config)
        install(client, self.retry_policy(), self.endpoint_of().source)
        return client


def _seconds(get: Any, key: str, default: float, minimum_exclusive: bool = False) -> float:
    """A config value in seconds: a number, at least 0 (more than 0 if ``minimum_exclusive``)."""
    text = get(key)
    if text in (None, ""):
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (minimum_exclusive and value == 0):
        rule = "more than 0" if minimum_exclusive else "at least 0"
        raise UsageError(f"{key} must be a number of seconds, {rule}")
    return value


def iter_users(client: WorkDocsClient, organization_id: str) -> Iterator[UserTypeDef]:
    """Every user of the organization, any status, with storage: DescribeUsers pages of 999.

    botocore's errors pass through (callers word them); a repeated marker is a WorkDocsAPIError.
    """
    request: dict[str, Any] = {
        "OrganizationId": organization_id,
        "Include": "ALL",
        "Fields": "STORAGE_METADATA",
        "Limit": PAGE_SIZE,
    }
    seen: set[str] = set()
    while True:
        page = client.describe_users(**request)
        yield from page.get("Users", [])
        marker = page.get("Marker")
        if not marker:
            return
        if marker in seen:
            raise WorkDocsAPIError(f"DescribeUsers returned marker {marker!r} twice; stopping")
        seen.add(marker)
        request["Marker"] = marker


def list_users(client: WorkDocsClient, organization_id: str) -> list[UserTypeDef]:
    """Every user of the organization, any status, in pages of 999 (read-only)."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return list(iter_users(client, organization_id))
    except (ClientError, BotoCoreError) as err:
        raise WorkDocsAPIError(f"cannot read WorkDocs users: {err}") from None
