"""Helpers shared by the workdocs-local tests: control API calls, users, client configs."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from tests.conftest import REGION

# Config's ``max_attempts`` counts *retries* (botocore adds the first attempt), so one
# single attempt is spelled ``total_max_attempts=1``.
ONE_ATTEMPT = Config(retries={"mode": "standard", "total_max_attempts": 1})
# Client-side parameter validation off, so the server's own validation is what answers.
UNVALIDATED = Config(parameter_validation=False, retries={"mode": "standard", "total_max_attempts": 1})

PASSWORD = "Secr3t-Pass"
# The ADMIN every new organization starts with, as a WorkDocs site has its site administrator.
SITE_ADMIN = "siteadmin"


def control(url: str, method: str, action: str, body: Any = None, raw: bytes | None = None) -> tuple[int, Any]:
    """Call the control API ``/_workdocs_local/<action>``; return (status, decoded JSON)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(f"{url}/_workdocs_local/{action}", data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


def add_fault(url: str, **fault: Any) -> dict[str, Any]:
    status, body = control(url, "POST", "faults", fault)
    assert status == 200, body
    return dict(body["fault"])


def request_log(url: str, operation: str | None = None) -> list[dict[str, Any]]:
    action = "requests" if operation is None else f"requests?operation={operation}"
    status, body = control(url, "GET", action)
    assert status == 200, body
    return list(body["requests"])


def issue_token(url: str, username: str, organization_id: str | None = None) -> str:
    payload: dict[str, Any] = {"Username": username}
    if organization_id is not None:
        payload["OrganizationId"] = organization_id
    status, body = control(url, "POST", "tokens", payload)
    assert status == 200, body
    return str(body["AuthenticationToken"])


def create_user(client: Any, organization_id: str, username: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "OrganizationId": organization_id,
        "Username": username,
        "GivenName": extra.pop("GivenName", username.capitalize()),
        "Surname": extra.pop("Surname", "Tester"),
        "Password": PASSWORD,
    }
    params.update(extra)
    return dict(client.create_user(**params)["User"])


def usernames(client: Any, organization_id: str, **params: Any) -> list[str]:
    """The usernames DescribeUsers answers for one organization, in its order."""
    return [u["Username"] for u in client.describe_users(OrganizationId=organization_id, **params)["Users"]]


def error_code(error: Exception) -> str:
    return str(error.response["Error"]["Code"])  # type: ignore[attr-defined]


def status_code(error: Exception) -> int:
    return int(error.response["ResponseMetadata"]["HTTPStatusCode"])  # type: ignore[attr-defined]


def raw_request(
    url: str, method: str, path: str, body: bytes = b"", sign: bool = True
) -> tuple[int, dict[str, str], bytes]:
    """Send one request with http.client (signed with botocore's SigV4 signer, or not)."""
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if sign:
        request = AWSRequest(method=method, url=url + path, data=body, headers=headers)
        SigV4Auth(Credentials("test", "test"), "workdocs", REGION).add_auth(request)
        headers = dict(request.headers.items())
    return raw_request_with_headers(url, method, path, headers, body)


def raw_request_with_headers(
    url: str, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """Send exactly these headers with http.client; return status, lower-cased headers, body."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()
