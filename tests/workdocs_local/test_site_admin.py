"""A site like a real one: each organization starts with its ADMIN site administrator, the last
active ADMIN is protected (DeactivatingLastSystemUserException), and GrantPoweruserPrivileges
neither demotes an ADMIN nor overrides a Type given in the same call."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import SITE_ADMIN, create_user, issue_token, raw_request, usernames
from workdocs_local import WorkDocsLocalServer

LAST_ADMIN = "DeactivatingLastSystemUserException"


def _site_admin(client: Any, organization_id: str) -> dict[str, Any]:
    [admin] = client.describe_users(OrganizationId=organization_id, Query=SITE_ADMIN, Include="ALL")["Users"]
    return dict(admin)


def _stored(client: Any, user_id: str) -> dict[str, Any]:
    [user] = client.describe_users(UserIds=user_id, Include="ALL")["Users"]
    return dict(user)


def _promoted(client: Any, organization_id: str, username: str) -> dict[str, Any]:
    user = create_user(client, organization_id, username)
    return dict(client.update_user(UserId=user["Id"], Type="ADMIN")["User"])


def _refused_as_last_admin(client: Any, call: Any) -> None:
    with pytest.raises(client.exceptions.DeactivatingLastSystemUserException) as caught:
        call()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert caught.value.response["Error"]["Code"] == LAST_ADMIN


def test_each_new_organization_starts_with_one_active_site_admin():
    with WorkDocsLocalServer(organizations=["d-1111111111", "d-2222222222"]) as server:
        client = make_client(server.url)
        admins = []
        for org in ("d-1111111111", "d-2222222222"):
            [admin] = client.describe_users(OrganizationId=org, Include="ALL", Fields="STORAGE_METADATA")["Users"]
            assert (admin["Username"], admin["Type"], admin["Status"]) == (SITE_ADMIN, "ADMIN", "ACTIVE")
            assert (admin["GivenName"], admin["Surname"], admin["OrganizationId"]) == ("Site", "Administrator", org)
            assert admin["Storage"]["StorageRule"] == {"StorageType": "QUOTA", "StorageAllocatedInBytes": 1024**4}
            assert client.get_folder(FolderId=admin["RootFolderId"])["Metadata"]["CreatorId"] == admin["Id"]
            admins.append(admin["Id"])
        assert admins[0] != admins[1]


def test_the_site_admin_username_is_a_server_setting():
    with WorkDocsLocalServer(site_admin="it.admin@example.com") as server:
        assert server.banner().endswith(" site_admin=it.admin@example.com")
        assert usernames(make_client(server.url), server.organization_id) == ["it.admin@example.com"]


@pytest.mark.parametrize("name", ["", "two words", "x" * 257])
def test_a_site_admin_username_workdocs_would_refuse_is_refused_at_start(name: str):
    with pytest.raises(ValueError, match="site admin username: .*Value at 'Username' failed to satisfy constraint"):
        WorkDocsLocalServer(site_admin=name)


def test_the_site_admin_administers_users_with_a_token(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    token = issue_token(workdocs_server.url, SITE_ADMIN)
    assert workdocs.get_current_user(AuthenticationToken=token)["User"]["Type"] == "ADMIN"
    made = workdocs.create_user(
        AuthenticationToken=token, Username="hire", GivenName="H", Surname="Ire", Password="password1"
    )["User"]
    assert made["OrganizationId"] == workdocs_server.organization_id


@pytest.mark.parametrize("new_type", ["USER", "POWERUSER", "MINIMALUSER", "WORKSPACESUSER"])
def test_update_user_cannot_demote_the_last_active_admin(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, new_type: str
):
    admin = _site_admin(workdocs, workdocs_server.organization_id)
    _refused_as_last_admin(workdocs, lambda: workdocs.update_user(UserId=admin["Id"], Type=new_type, GivenName="X"))
    stored = _stored(workdocs, admin["Id"])
    assert (stored["Type"], stored["GivenName"]) == ("ADMIN", "Site")  # nothing of the call was applied


def test_the_last_active_admin_cannot_be_deactivated_or_deleted(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    admin = _site_admin(workdocs, workdocs_server.organization_id)
    _refused_as_last_admin(workdocs, lambda: workdocs.deactivate_user(UserId=admin["Id"]))
    _refused_as_last_admin(workdocs, lambda: workdocs.delete_user(UserId=admin["Id"]))
    stored = _stored(workdocs, admin["Id"])
    assert (stored["Type"], stored["Status"]) == ("ADMIN", "ACTIVE")


def test_the_last_active_admin_cannot_deactivate_itself_with_its_token(
    workdocs: Any, workdocs_server: WorkDocsLocalServer
):
    admin = _site_admin(workdocs, workdocs_server.organization_id)
    token = issue_token(workdocs_server.url, SITE_ADMIN)
    _refused_as_last_admin(workdocs, lambda: workdocs.deactivate_user(AuthenticationToken=token, UserId=admin["Id"]))


def test_the_refusal_on_the_wire(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    admin = _site_admin(workdocs, workdocs_server.organization_id)
    status, headers, body = raw_request(
        workdocs_server.url, "PATCH", f"/api/v1/users/{admin['Id']}", body=json.dumps({"Type": "USER"}).encode()
    )
    assert (status, headers["x-amzn-errortype"]) == (409, LAST_ADMIN)
    assert json.loads(body)["__type"] == LAST_ADMIN


def test_with_another_active_admin_the_site_admin_can_be_demoted_deactivated_and_deleted(
    workdocs: Any, workdocs_server: WorkDocsLocalServer
):
    org = workdocs_server.organization_id
    admin = _site_admin(workdocs, org)
    deputy = _promoted(workdocs, org, "deputy")

    assert workdocs.update_user(UserId=admin["Id"], Type="USER")["User"]["Type"] == "USER"
    _refused_as_last_admin(workdocs, lambda: workdocs.update_user(UserId=deputy["Id"], Type="USER"))
    workdocs.update_user(UserId=admin["Id"], Type="ADMIN")
    workdocs.deactivate_user(UserId=admin["Id"])
    _refused_as_last_admin(workdocs, lambda: workdocs.deactivate_user(UserId=deputy["Id"]))
    workdocs.activate_user(UserId=admin["Id"])
    workdocs.delete_user(UserId=admin["Id"])
    assert usernames(workdocs, org, Include="ALL") == ["deputy"]
    _refused_as_last_admin(workdocs, lambda: workdocs.delete_user(UserId=deputy["Id"]))


def test_an_inactive_admin_is_not_the_other_admin(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    org = workdocs_server.organization_id
    admin = _site_admin(workdocs, org)
    deputy = _promoted(workdocs, org, "deputy")
    workdocs.deactivate_user(UserId=deputy["Id"])

    _refused_as_last_admin(workdocs, lambda: workdocs.update_user(UserId=admin["Id"], Type="USER"))
    workdocs.activate_user(UserId=deputy["Id"])
    assert workdocs.update_user(UserId=admin["Id"], Type="USER")["User"]["Type"] == "USER"


def test_other_updates_of_the_last_admin_go_through(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    admin = _site_admin(workdocs, workdocs_server.organization_id)
    updated = workdocs.update_user(UserId=admin["Id"], Type="ADMIN", Surname="Admin", Locale="fr")["User"]
    assert (updated["Type"], updated["Surname"], updated["Locale"]) == ("ADMIN", "Admin", "fr")


@pytest.mark.parametrize("grant", ["TRUE", "FALSE"])
@pytest.mark.parametrize("other_admin", [False, True], ids=["last-admin", "two-admins"])
def test_grant_poweruser_privileges_never_demotes_an_admin(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, grant: str, other_admin: bool
):
    org = workdocs_server.organization_id
    admin = _site_admin(workdocs, org)
    if other_admin:  # so that the last-admin protection is not what keeps the type
        _promoted(workdocs, org, "deputy")
    updated = workdocs.update_user(UserId=admin["Id"], GrantPoweruserPrivileges=grant)["User"]
    assert updated["Type"] == "ADMIN"
    assert _stored(workdocs, admin["Id"])["Type"] == "ADMIN"


@pytest.mark.parametrize(
    ("start", "new_type", "grant"),
    [
        ("USER", "USER", "TRUE"),
        ("USER", "ADMIN", "TRUE"),
        ("USER", "MINIMALUSER", "TRUE"),
        ("POWERUSER", "POWERUSER", "FALSE"),
        ("POWERUSER", "ADMIN", "FALSE"),
        ("POWERUSER", "WORKSPACESUSER", "FALSE"),
    ],
)
def test_grant_poweruser_privileges_never_overrides_a_type_given_in_the_same_call(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, start: str, new_type: str, grant: str
):
    user = create_user(workdocs, workdocs_server.organization_id, "subject")
    workdocs.update_user(UserId=user["Id"], Type=start)
    updated = workdocs.update_user(UserId=user["Id"], Type=new_type, GrantPoweruserPrivileges=grant)["User"]
    assert updated["Type"] == new_type
    assert _stored(workdocs, user["Id"])["Type"] == new_type
