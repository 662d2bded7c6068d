"""Errors arrive as the modeled exception classes, and on the wire as AWS sends them."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import SITE_ADMIN, create_user, raw_request, usernames
from workdocs_local import WorkDocsLocalServer


def test_raw_error_response_carries_status_headers_and_json_body(workdocs_server: WorkDocsLocalServer):
    status, headers, body = raw_request(workdocs_server.url, "GET", "/api/v1/users?organizationId=d-0000000000")
    assert status == 404
    assert headers["x-amzn-errortype"] == "UnauthorizedResourceAccessException"
    assert headers["x-amzn-requestid"]
    assert headers["content-type"].startswith("application/x-amz-json")
    document = json.loads(body)
    assert document["__type"] == "UnauthorizedResourceAccessException"
    assert "d-0000000000" in document["Message"]


def test_raw_success_response_has_a_request_id(workdocs_server: WorkDocsLocalServer):
    status, headers, body = raw_request(
        workdocs_server.url, "GET", f"/api/v1/users?organizationId={workdocs_server.organization_id}&query=nobody"
    )
    assert status == 200
    assert headers["x-amzn-requestid"]
    assert "x-amzn-errortype" not in headers
    assert json.loads(body) == {"Users": [], "TotalNumberOfUsers": 0, "Marker": ""}


def test_each_error_has_its_own_request_id(workdocs_server: WorkDocsLocalServer):
    path = "/api/v1/users?organizationId=d-0000000000"
    ids = {raw_request(workdocs_server.url, "GET", path)[1]["x-amzn-requestid"] for _ in range(3)}
    assert len(ids) == 3


def test_unsigned_request_is_rejected(workdocs_server: WorkDocsLocalServer):
    status, headers, body = raw_request(workdocs_server.url, "GET", "/api/v1/users", sign=False)
    assert status == 403
    assert headers["x-amzn-errortype"] == "MissingAuthenticationTokenException"
    assert json.loads(body)["Message"]


def test_unknown_route_is_a_json_error(workdocs_server: WorkDocsLocalServer):
    status, headers, body = raw_request(workdocs_server.url, "GET", "/api/v1/nothing-here")
    assert status == 404
    assert headers["x-amzn-errortype"] == "UnknownOperationException"
    assert "/api/v1/nothing-here" in json.loads(body)["Message"]


def test_body_that_is_not_json_is_a_serialization_error(workdocs_server: WorkDocsLocalServer):
    status, headers, body = raw_request(workdocs_server.url, "POST", "/api/v1/users", body=b"{not json")
    assert status == 400
    assert headers["x-amzn-errortype"] == "SerializationException"
    assert json.loads(body)["Message"]


def test_username_is_unique_per_organization_case_insensitively():
    with WorkDocsLocalServer(organizations=["d-1111111111", "d-2222222222"]) as server:
        client = make_client(server.url)
        create_user(client, "d-1111111111", "Alice")
        with pytest.raises(client.exceptions.EntityAlreadyExistsException) as caught:
            create_user(client, "d-1111111111", "aLiCe")
        assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
        # Same name in another organization is a different user.
        other = create_user(client, "d-2222222222", "alice")
        assert other["OrganizationId"] == "d-2222222222"
        assert usernames(client, "d-1111111111") == ["Alice", SITE_ADMIN]


def test_entity_not_exists_lists_the_entity_ids(workdocs: Any):
    with pytest.raises(workdocs.exceptions.EntityNotExistsException) as caught:
        workdocs.activate_user(UserId="ghost")
    assert caught.value.response["EntityIds"] == ["ghost"]
    assert caught.value.response["Error"]["Code"] == "EntityNotExistsException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize(
    "call",
    [
        lambda c: create_user(c, "d-0000000000", "nobody"),
        lambda c: c.describe_users(OrganizationId="d-0000000000"),
    ],
    ids=["create_user", "describe_users"],
)
def test_unknown_organization_is_unauthorized_resource_access(workdocs: Any, call: Any):
    with pytest.raises(workdocs.exceptions.UnauthorizedResourceAccessException) as caught:
        call(workdocs)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert "d-0000000000" in caught.value.response["Error"]["Message"]


def test_invalid_argument_is_the_modeled_class(workdocs: Any):
    with pytest.raises(workdocs.exceptions.InvalidArgumentException) as caught:
        workdocs.describe_users()  # an administrator must name the organization
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
