"""Authentication tokens: GetCurrentUser, DescribeRootFolders and what non-admins may not do."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import SITE_ADMIN, UNVALIDATED, control, create_user, issue_token
from workdocs_local import WorkDocsLocalServer


@pytest.fixture
def people(workdocs: Any, workdocs_server: WorkDocsLocalServer) -> dict[str, dict[str, Any]]:
    """An ADMIN ("boss") and a plain USER ("worker") in the default organization."""
    org = workdocs_server.organization_id
    boss = create_user(workdocs, org, "boss")
    boss = workdocs.update_user(UserId=boss["Id"], Type="ADMIN")["User"]
    worker = create_user(workdocs, org, "worker")
    return {"boss": boss, "worker": worker}


def test_get_current_user_answers_the_token_user(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]
):
    token = issue_token(workdocs_server.url, "worker", workdocs_server.organization_id)
    me = workdocs.get_current_user(AuthenticationToken=token)["User"]
    assert me["Id"] == people["worker"]["Id"]
    assert me["Username"] == "worker"
    assert me["Type"] == "USER"
    assert me["RootFolderId"] == people["worker"]["RootFolderId"]


def test_token_issue_defaults_to_the_first_organization_and_ignores_case(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]
):
    token = issue_token(workdocs_server.url, "WORKER")
    assert workdocs.get_current_user(AuthenticationToken=token)["User"]["Id"] == people["worker"]["Id"]


def test_describe_root_folders_answers_the_root_folder_and_the_recycle_bin(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]
):
    # The model: "Describes the current user's special folders; the RootFolder and the RecycleBin."
    worker = people["worker"]
    token = issue_token(workdocs_server.url, "worker")
    result = workdocs.describe_root_folders(AuthenticationToken=token)
    root, recycle_bin = result["Folders"]
    assert (root["Id"], recycle_bin["Id"]) == (worker["RootFolderId"], worker["RecycleBinFolderId"])
    assert root["CreatorId"] == recycle_bin["CreatorId"] == worker["Id"]
    assert recycle_bin["Name"] == "RecycleBin" and recycle_bin["ParentFolderId"] == root["Id"]
    assert not result.get("Marker")


def test_describe_root_folders_pages_with_limit_and_marker(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]
):
    token = issue_token(workdocs_server.url, "worker")
    first = workdocs.describe_root_folders(AuthenticationToken=token, Limit=1)
    assert [f["Id"] for f in first["Folders"]] == [people["worker"]["RootFolderId"]]
    assert first["Marker"]
    last = workdocs.describe_root_folders(AuthenticationToken=token, Limit=1, Marker=first["Marker"])
    assert [f["Id"] for f in last["Folders"]] == [people["worker"]["RecycleBinFolderId"]]
    assert last["Marker"] == ""
    # A DescribeUsers marker is not a DescribeRootFolders marker.
    users_marker = workdocs.describe_users(OrganizationId=workdocs_server.organization_id, Limit=1)["Marker"]
    with pytest.raises(workdocs.exceptions.InvalidArgumentException):
        workdocs.describe_root_folders(AuthenticationToken=token, Marker=users_marker)


@pytest.mark.parametrize("operation", ["get_current_user", "describe_root_folders"])
def test_sigv4_only_callers_may_not_call_token_operations(workdocs_server: WorkDocsLocalServer, operation: str):
    # The token is a required member, so boto3's own validation must be off to send the call.
    client = make_client(workdocs_server.url, config=UNVALIDATED)
    with pytest.raises(client.exceptions.UnauthorizedOperationException) as caught:
        getattr(client, operation)()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert "Authentication token" in caught.value.response["Error"]["Message"]


@pytest.mark.parametrize(
    "call",
    [
        lambda c, p, t: c.create_user(
            AuthenticationToken=t, Username="sneaky", GivenName="S", Surname="N", Password="password1"
        ),
        lambda c, p, t: c.update_user(AuthenticationToken=t, UserId=p["worker"]["Id"], Type="ADMIN"),
        lambda c, p, t: c.delete_user(AuthenticationToken=t, UserId=p["boss"]["Id"]),
        lambda c, p, t: c.activate_user(AuthenticationToken=t, UserId=p["worker"]["Id"]),
        lambda c, p, t: c.deactivate_user(AuthenticationToken=t, UserId=p["boss"]["Id"]),
    ],
    ids=["create", "update", "delete", "activate", "deactivate"],
)
def test_non_admin_token_user_may_not_administer_users(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any], call: Any
):
    token = issue_token(workdocs_server.url, "worker")
    with pytest.raises(workdocs.exceptions.UnauthorizedOperationException) as caught:
        call(workdocs, people, token)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    everyone = workdocs.describe_users(OrganizationId=workdocs_server.organization_id, Include="ALL")["Users"]
    assert sorted((u["Username"], u["Type"], u["Status"]) for u in everyone) == [
        ("boss", "ADMIN", "ACTIVE"),
        (SITE_ADMIN, "ADMIN", "ACTIVE"),
        ("worker", "USER", "ACTIVE"),
    ]


def test_admin_token_user_administers_users_of_its_organization(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]
):
    token = issue_token(workdocs_server.url, "boss")
    made = workdocs.create_user(
        AuthenticationToken=token, Username="hired", GivenName="H", Surname="Ired", Password="password1"
    )["User"]
    assert made["OrganizationId"] == workdocs_server.organization_id
    workdocs.update_user(AuthenticationToken=token, UserId=made["Id"], GivenName="Hired")
    workdocs.deactivate_user(AuthenticationToken=token, UserId=made["Id"])
    listed = workdocs.describe_users(AuthenticationToken=token, Include="ALL", Query="hired")["Users"]
    assert [(u["GivenName"], u["Status"]) for u in listed] == [("Hired", "INACTIVE")]


def test_token_user_cannot_reach_another_organization():
    with WorkDocsLocalServer(organizations=["d-1111111111", "d-2222222222"]) as server:
        client = make_client(server.url)
        local = create_user(client, "d-1111111111", "local")
        client.update_user(UserId=local["Id"], Type="ADMIN")
        outsider = create_user(client, "d-2222222222", "outsider")
        token = issue_token(server.url, "local", "d-1111111111")
        with pytest.raises(client.exceptions.UnauthorizedResourceAccessException):
            client.describe_users(AuthenticationToken=token, OrganizationId="d-2222222222")
        with pytest.raises(client.exceptions.EntityNotExistsException):
            client.update_user(AuthenticationToken=token, UserId=outsider["Id"], GivenName="X")
        # Its own organization's listing does not leak the other one.
        visible = client.describe_users(AuthenticationToken=token)["Users"]
        assert [u["Username"] for u in visible] == ["local", SITE_ADMIN]


def test_token_user_cannot_read_someone_elses_folder(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]
):
    token = issue_token(workdocs_server.url, "worker")
    own = workdocs.get_folder(AuthenticationToken=token, FolderId=people["worker"]["RootFolderId"])
    assert own["Metadata"]["CreatorId"] == people["worker"]["Id"]
    with pytest.raises(workdocs.exceptions.UnauthorizedResourceAccessException):
        workdocs.get_folder(AuthenticationToken=token, FolderId=people["boss"]["RootFolderId"])


def test_unknown_token_is_rejected(workdocs: Any, people: dict[str, Any]):
    with pytest.raises(workdocs.exceptions.UnauthorizedResourceAccessException):
        workdocs.get_current_user(AuthenticationToken="not-a-token-this-service-issued")


def test_token_of_deactivated_or_deleted_user_stops_working(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]
):
    token = issue_token(workdocs_server.url, "worker")
    workdocs.deactivate_user(UserId=people["worker"]["Id"])
    with pytest.raises(workdocs.exceptions.UnauthorizedResourceAccessException):
        workdocs.get_current_user(AuthenticationToken=token)
    workdocs.activate_user(UserId=people["worker"]["Id"])
    assert workdocs.get_current_user(AuthenticationToken=token)["User"]["Username"] == "worker"
    workdocs.delete_user(UserId=people["worker"]["Id"])
    with pytest.raises(workdocs.exceptions.UnauthorizedResourceAccessException):
        workdocs.get_current_user(AuthenticationToken=token)


def test_token_for_unknown_user_is_refused(workdocs_server: WorkDocsLocalServer):
    status, body = control(workdocs_server.url, "POST", "tokens", {"Username": "nobody"})
    assert status == 404
    assert body["code"] == "EntityNotExistsException"
    status, body = control(workdocs_server.url, "POST", "tokens", {"OrganizationId": "d-1"})
    assert status == 400


def test_chosen_token_value_is_honoured(workdocs: Any, workdocs_server: WorkDocsLocalServer, people: dict[str, Any]):
    status, body = control(
        workdocs_server.url, "POST", "tokens", {"Username": "boss", "AuthenticationToken": "boss-token-1"}
    )
    assert (status, body) == (200, {"AuthenticationToken": "boss-token-1"})
    assert workdocs.get_current_user(AuthenticationToken="boss-token-1")["User"]["Type"] == "ADMIN"
