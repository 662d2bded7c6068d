"""SigV4: unknown keys, wrong secrets and tampered requests are rejected; extra keys work."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.conftest import REGION, make_client
from tests.workdocs_local.helpers import (
    ONE_ATTEMPT,
    SITE_ADMIN,
    create_user,
    error_code,
    raw_request_with_headers,
    request_log,
    status_code,
    usernames,
)
from workdocs_local import WorkDocsLocalServer


@pytest.fixture
def keyed_server(tmp_path: Path) -> Iterator[WorkDocsLocalServer]:
    keys_file = tmp_path / "keys.txt"
    keys_file.write_text("# comment\nFILEKEY:file-secret\n\n")
    with WorkDocsLocalServer(access_keys=["AKIDEXTRA:extra/Secret+1"], access_key_files=[keys_file]) as server:
        yield server


def _describe(client: Any, server: WorkDocsLocalServer) -> dict[str, Any]:
    return dict(client.describe_users(OrganizationId=server.organization_id))


def test_unknown_access_key_is_unrecognized_client(workdocs_server: WorkDocsLocalServer):
    client = make_client(workdocs_server.url, aws_access_key_id="AKIDUNKNOWN", config=ONE_ATTEMPT)
    with pytest.raises(client.exceptions.ClientError) as caught:
        _describe(client, workdocs_server)
    assert error_code(caught.value) == "UnrecognizedClientException"
    assert status_code(caught.value) == 403


def test_wrong_secret_is_invalid_signature(workdocs_server: WorkDocsLocalServer):
    client = make_client(workdocs_server.url, aws_secret_access_key="not-the-secret", config=ONE_ATTEMPT)
    with pytest.raises(client.exceptions.ClientError) as caught:
        _describe(client, workdocs_server)
    assert error_code(caught.value) == "InvalidSignatureException"
    assert status_code(caught.value) == 403


def test_request_signed_for_another_service_is_rejected(workdocs_server: WorkDocsLocalServer):
    client = make_client(workdocs_server.url, config=ONE_ATTEMPT)

    def rescope(request: Any, **_: Any) -> None:
        authorization = request.headers["Authorization"]  # bytes once prepared
        request.headers["Authorization"] = authorization.replace(b"/workdocs/", b"/s3/")

    client.meta.events.register("before-send.workdocs.*", rescope)
    with pytest.raises(client.exceptions.ClientError) as caught:
        _describe(client, workdocs_server)
    assert error_code(caught.value) == "InvalidSignatureException"


def test_body_tampered_after_signing_is_rejected(workdocs_server: WorkDocsLocalServer):
    client = make_client(workdocs_server.url, config=ONE_ATTEMPT)
    tampered: list[bytes] = []

    def tamper_body(request: Any, **_: Any) -> None:
        # Same length, one changed byte: only the signature can tell.
        assert b'"GivenName": "Mallory"' in request.body
        request.body = request.body.replace(b'"Mallory"', b'"Mallorz"')
        tampered.append(request.body)

    client.meta.events.register("before-send.workdocs.*", tamper_body)
    with pytest.raises(client.exceptions.ClientError) as caught:
        create_user(client, workdocs_server.organization_id, "mallory", GivenName="Mallory")
    assert tampered, "the hook did not run"
    assert error_code(caught.value) == "InvalidSignatureException"
    assert status_code(caught.value) == 403
    honest = make_client(workdocs_server.url)
    assert usernames(honest, workdocs_server.organization_id) == [SITE_ADMIN]


def test_query_string_tampered_after_signing_is_rejected(workdocs_server: WorkDocsLocalServer):
    client = make_client(workdocs_server.url, config=ONE_ATTEMPT)
    urls: list[str] = []

    def tamper_query(request: Any, **_: Any) -> None:
        assert "limit=5" in request.url
        request.url = request.url.replace("limit=5", "limit=7")
        urls.append(request.url)

    client.meta.events.register("before-send.workdocs.*", tamper_query)
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.describe_users(OrganizationId=workdocs_server.organization_id, Limit=5)
    assert urls, "the hook did not run"
    assert error_code(caught.value) == "InvalidSignatureException"


def test_path_tampered_after_signing_is_rejected(workdocs_server: WorkDocsLocalServer):
    honest = make_client(workdocs_server.url)
    victim = create_user(honest, workdocs_server.organization_id, "victim")
    other = create_user(honest, workdocs_server.organization_id, "other")
    client = make_client(workdocs_server.url, config=ONE_ATTEMPT)

    def tamper_path(request: Any, **_: Any) -> None:
        request.url = request.url.replace(other["Id"], victim["Id"])

    client.meta.events.register("before-send.workdocs.*", tamper_path)
    with pytest.raises(client.exceptions.ClientError) as caught:
        client.delete_user(UserId=other["Id"])
    assert error_code(caught.value) == "InvalidSignatureException"
    remaining = honest.describe_users(OrganizationId=workdocs_server.organization_id)
    assert sorted(u["Username"] for u in remaining["Users"]) == ["other", SITE_ADMIN, "victim"]


def test_rejected_requests_do_not_reach_the_backend(workdocs_server: WorkDocsLocalServer):
    client = make_client(workdocs_server.url, aws_secret_access_key="wrong", config=ONE_ATTEMPT)
    with pytest.raises(client.exceptions.ClientError):
        create_user(client, workdocs_server.organization_id, "intruder")
    [entry] = request_log(workdocs_server.url, "CreateUser")
    assert entry["status"] == 403
    assert entry["error"] == "InvalidSignatureException"
    assert usernames(make_client(workdocs_server.url), workdocs_server.organization_id) == [SITE_ADMIN]


@pytest.mark.parametrize(
    ("access_key", "secret"),
    [("AKIDEXTRA", "extra/Secret+1"), ("FILEKEY", "file-secret"), ("test", "test")],
    ids=["flag", "file", "default"],
)
def test_configured_access_keys_are_accepted(keyed_server: WorkDocsLocalServer, access_key: str, secret: str):
    client = make_client(keyed_server.url, aws_access_key_id=access_key, aws_secret_access_key=secret)
    user = create_user(client, keyed_server.organization_id, f"made-by-{access_key.lower()}")
    assert user["Status"] == "ACTIVE"


def test_extra_key_with_the_wrong_secret_is_rejected(keyed_server: WorkDocsLocalServer):
    client = make_client(
        keyed_server.url, aws_access_key_id="AKIDEXTRA", aws_secret_access_key="test", config=ONE_ATTEMPT
    )
    with pytest.raises(client.exceptions.ClientError) as caught:
        _describe(client, keyed_server)
    assert error_code(caught.value) == "InvalidSignatureException"


def test_malformed_access_key_pair_is_refused_at_start_up():
    with pytest.raises(ValueError, match="ACCESS_KEY:SECRET"):
        WorkDocsLocalServer(access_keys=["no-colon-here"])


def test_request_signed_too_long_ago_is_rejected(workdocs_server: WorkDocsLocalServer):
    """A signature more than 15 minutes old (signed by hand with botocore's SigV4 signer)."""
    path = f"/api/v1/users?organizationId={workdocs_server.organization_id}"
    signed_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=20)
    amz_date = signed_at.strftime("%Y%m%dT%H%M%SZ")
    request = AWSRequest(method="GET", url=workdocs_server.url + path, headers={"X-Amz-Date": amz_date})
    request.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials("test", "test"), "workdocs", REGION)
    signature = signer.signature(signer.string_to_sign(request, signer.canonical_request(request)), request)
    scope = f"test/{amz_date[:8]}/{REGION}/workdocs/aws4_request"
    headers = {
        "X-Amz-Date": amz_date,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host;x-amz-date, Signature={signature}",
    }
    status, response_headers, body = raw_request_with_headers(workdocs_server.url, "GET", path, headers)
    assert status == 403
    assert response_headers["x-amzn-errortype"] == "InvalidSignatureException"
    assert "expired" in json.loads(body)["Message"]
