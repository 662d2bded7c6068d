"""The control API: health, reset and the request log."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.workdocs_local.helpers import (
    SITE_ADMIN,
    add_fault,
    control,
    create_user,
    issue_token,
    raw_request,
    request_log,
)
from workdocs_local import WorkDocsLocalServer


def test_health_reports_ok_and_the_organizations():
    with WorkDocsLocalServer(organizations=["d-1111111111", "d-2222222222"]) as server:
        assert control(server.url, "GET", "health") == (
            200,
            {"status": "ok", "organizations": ["d-1111111111", "d-2222222222"], "site_admin": SITE_ADMIN},
        )


def test_reset_forgets_users_tokens_faults_and_the_log(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    url, org = workdocs_server.url, workdocs_server.organization_id
    [admin] = workdocs.describe_users(OrganizationId=org)["Users"]
    user = create_user(workdocs, org, "transient")
    workdocs.update_user(UserId=user["Id"], Type="ADMIN")
    workdocs.deactivate_user(UserId=admin["Id"])  # the site admin can go while another admin is active
    token = issue_token(url, "transient")
    add_fault(url, kind="unavailable", operation="GetFolder")
    assert request_log(url)

    assert control(url, "POST", "reset") == (200, {"status": "reset"})

    assert control(url, "GET", "faults")[1]["faults"] == []
    assert request_log(url) == []
    assert control(url, "GET", "health")[1]["organizations"] == [org]
    # The organization is back to a new one's state: only its site admin, made afresh.
    [fresh] = workdocs.describe_users(OrganizationId=org, Include="ALL")["Users"]
    assert (fresh["Username"], fresh["Type"], fresh["Status"]) == (SITE_ADMIN, "ADMIN", "ACTIVE")
    assert fresh["Id"] != admin["Id"]
    with pytest.raises(workdocs.exceptions.EntityNotExistsException):  # not the cleared 503 fault
        workdocs.get_folder(FolderId=user["RootFolderId"])
    with pytest.raises(workdocs.exceptions.UnauthorizedResourceAccessException):
        workdocs.get_current_user(AuthenticationToken=token)
    # The username is free again.
    assert create_user(workdocs, org, "transient")["Id"] != user["Id"]


def test_request_log_records_each_workdocs_request(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    url, org = workdocs_server.url, workdocs_server.organization_id
    before = time.time() - 1
    create_user(workdocs, org, "logged")
    with pytest.raises(workdocs.exceptions.EntityAlreadyExistsException):
        create_user(workdocs, org, "logged")
    workdocs.describe_users(OrganizationId=org)
    control(url, "GET", "health")  # control calls are not logged

    entries = request_log(url)
    assert [(e["operation"], e["status"], e["error"]) for e in entries] == [
        ("CreateUser", 201, None),
        ("CreateUser", 409, "EntityAlreadyExistsException"),
        ("DescribeUsers", 200, None),
    ]
    for entry in entries:
        assert before <= entry["time"] <= time.time() + 1
        assert entry["duration_ms"] >= 0
    # The log holds no request content (the Password in particular).
    assert "Secr3t" not in str(entries)


def test_request_log_filters_by_operation(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    url, org = workdocs_server.url, workdocs_server.organization_id
    create_user(workdocs, org, "one")
    workdocs.describe_users(OrganizationId=org)
    workdocs.describe_users(OrganizationId=org)
    assert [e["operation"] for e in request_log(url, "DescribeUsers")] == ["DescribeUsers"] * 2
    assert [e["operation"] for e in request_log(url, "CreateUser")] == ["CreateUser"]
    assert request_log(url, "DeleteUser") == []


def test_request_log_clear(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    url = workdocs_server.url
    workdocs.describe_users(OrganizationId=workdocs_server.organization_id)
    assert len(request_log(url)) == 1
    assert control(url, "DELETE", "requests") == (200, {"requests": []})
    assert request_log(url) == []
    workdocs.describe_users(OrganizationId=workdocs_server.organization_id)
    assert len(request_log(url)) == 1


def test_rejected_and_unknown_requests_are_logged_too(workdocs_server: WorkDocsLocalServer):
    raw_request(workdocs_server.url, "GET", "/api/v1/nowhere")
    raw_request(workdocs_server.url, "GET", "/api/v1/users", sign=False)
    assert [(e["operation"], e["status"], e["error"]) for e in request_log(workdocs_server.url)] == [
        ("Unknown", 404, "UnknownOperationException"),
        ("DescribeUsers", 403, "MissingAuthenticationTokenException"),
    ]


@pytest.mark.parametrize(
    ("method", "action"),
    [("GET", "nothing"), ("GET", "reset"), ("POST", "health"), ("GET", "tokens")],
)
def test_unknown_control_action_is_a_json_404(workdocs_server: WorkDocsLocalServer, method: str, action: str):
    status, body = control(workdocs_server.url, method, action, {} if method == "POST" else None)
    assert status == 404
    assert action in body["error"]


@pytest.mark.parametrize("raw", [b"{broken", b'["Username"]', b'"text"'])
def test_token_body_that_is_not_a_json_object_is_a_400(workdocs_server: WorkDocsLocalServer, raw: bytes):
    status, body = control(workdocs_server.url, "POST", "tokens", raw=raw)
    assert status == 400
    assert body["error"]
