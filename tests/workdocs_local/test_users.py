"""CreateUser, UpdateUser, DeleteUser, ActivateUser, DeactivateUser and GetFolder."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import SITE_ADMIN, create_user, usernames
from workdocs_local import WorkDocsLocalServer

ONE_TB = 1024**4


def _org(server: WorkDocsLocalServer) -> str:
    return server.organization_id


def test_create_user_returns_an_active_user_with_defaults(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    user = create_user(
        workdocs,
        _org(workdocs_server),
        "alice",
        GivenName="Alice",
        Surname="Liddell",
        EmailAddress="alice@example.com",
    )
    after = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)

    assert user["Username"] == "alice"
    assert user["GivenName"] == "Alice"
    assert user["Surname"] == "Liddell"
    assert user["EmailAddress"] == "alice@example.com"
    assert user["OrganizationId"] == _org(workdocs_server)
    assert user["Status"] == "ACTIVE"
    assert user["Type"] == "USER"
    assert user["Id"]
    assert user["RootFolderId"] and user["RecycleBinFolderId"]
    assert user["RootFolderId"] != user["RecycleBinFolderId"]
    assert before <= user["CreatedTimestamp"] <= after
    assert user["ModifiedTimestamp"] == user["CreatedTimestamp"]
    assert user["TimeZoneId"] == "GMT"
    assert user["Locale"] == "default"
    assert user["Storage"] == {
        "StorageUtilizedInBytes": 0,
        "StorageRule": {"StorageType": "QUOTA", "StorageAllocatedInBytes": ONE_TB},
    }
    assert "Password" not in user


def test_create_user_keeps_the_given_storage_rule_and_time_zone(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    quota = create_user(
        workdocs,
        _org(workdocs_server),
        "quota",
        StorageRule={"StorageType": "QUOTA", "StorageAllocatedInBytes": 5 * 1024**3},
        TimeZoneId="Europe/Paris",
    )
    unlimited = create_user(workdocs, _org(workdocs_server), "unlimited", StorageRule={"StorageType": "UNLIMITED"})

    assert quota["Storage"]["StorageRule"] == {"StorageType": "QUOTA", "StorageAllocatedInBytes": 5 * 1024**3}
    assert quota["TimeZoneId"] == "Europe/Paris"
    assert unlimited["Storage"]["StorageRule"] == {"StorageType": "UNLIMITED"}
    assert unlimited["Storage"]["StorageUtilizedInBytes"] == 0


def test_default_storage_quota_is_configurable():
    quota = 3 * 1024**3
    with WorkDocsLocalServer(default_storage_quota_bytes=quota) as server:
        user = create_user(make_client(server.url), server.organization_id, "small")
    assert user["Storage"]["StorageRule"] == {"StorageType": "QUOTA", "StorageAllocatedInBytes": quota}


def test_folders_are_created_with_the_user(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    user = create_user(workdocs, _org(workdocs_server), "bob")

    root = workdocs.get_folder(FolderId=user["RootFolderId"])["Metadata"]
    recycle_bin = workdocs.get_folder(FolderId=user["RecycleBinFolderId"])["Metadata"]

    assert root["Id"] == user["RootFolderId"]
    assert root["CreatorId"] == user["Id"]
    assert "ParentFolderId" not in root
    assert root["ResourceState"] == "ACTIVE"
    assert recycle_bin["Id"] == user["RecycleBinFolderId"]
    assert recycle_bin["CreatorId"] == user["Id"]
    assert recycle_bin["ParentFolderId"] == user["RootFolderId"]


def test_get_folder_of_unknown_id_is_entity_not_exists(workdocs: Any):
    with pytest.raises(workdocs.exceptions.EntityNotExistsException) as caught:
        workdocs.get_folder(FolderId="no-such-folder")
    assert caught.value.response["EntityIds"] == ["no-such-folder"]


def test_update_user_changes_each_field(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    user = create_user(workdocs, _org(workdocs_server), "carol")

    updated = workdocs.update_user(
        UserId=user["Id"],
        GivenName="Caroline",
        Surname="Herschel",
        Type="ADMIN",
        StorageRule={"StorageType": "QUOTA", "StorageAllocatedInBytes": 1024},
        TimeZoneId="America/New_York",
        Locale="fr",
    )["User"]

    assert updated["Id"] == user["Id"]
    assert updated["Username"] == "carol"
    assert updated["GivenName"] == "Caroline"
    assert updated["Surname"] == "Herschel"
    assert updated["Type"] == "ADMIN"
    assert updated["Storage"]["StorageRule"] == {"StorageType": "QUOTA", "StorageAllocatedInBytes": 1024}
    assert updated["TimeZoneId"] == "America/New_York"
    assert updated["Locale"] == "fr"
    assert updated["CreatedTimestamp"] == user["CreatedTimestamp"]
    assert updated["ModifiedTimestamp"] >= user["ModifiedTimestamp"]

    # The change is stored, not only echoed.
    [stored] = workdocs.describe_users(UserIds=user["Id"], Fields="STORAGE_METADATA")["Users"]
    assert stored["GivenName"] == "Caroline"
    assert stored["Locale"] == "fr"
    assert stored["Storage"]["StorageRule"]["StorageAllocatedInBytes"] == 1024


def test_update_user_with_only_some_fields_keeps_the_others(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    user = create_user(workdocs, _org(workdocs_server), "dave", GivenName="Dave", Surname="Bowman")

    updated = workdocs.update_user(UserId=user["Id"], Surname="Poole")["User"]

    assert updated["GivenName"] == "Dave"
    assert updated["Surname"] == "Poole"
    assert updated["Type"] == "USER"
    assert updated["Storage"] == user["Storage"]


def test_grant_poweruser_privileges(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    user = create_user(workdocs, _org(workdocs_server), "erin")

    granted = workdocs.update_user(UserId=user["Id"], GrantPoweruserPrivileges="TRUE")["User"]
    revoked = workdocs.update_user(UserId=user["Id"], GrantPoweruserPrivileges="FALSE")["User"]

    assert granted["Type"] == "POWERUSER"
    assert revoked["Type"] == "USER"


def test_delete_user_answers_204_and_removes_user_and_folders(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    user = create_user(workdocs, _org(workdocs_server), "frank")

    response = workdocs.delete_user(UserId=user["Id"])

    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert set(response) == {"ResponseMetadata"}
    assert response["ResponseMetadata"]["HTTPHeaders"].get("content-length", "0") == "0"
    assert usernames(workdocs, _org(workdocs_server), Include="ALL") == [SITE_ADMIN]
    with pytest.raises(workdocs.exceptions.EntityNotExistsException):
        workdocs.get_folder(FolderId=user["RootFolderId"])
    with pytest.raises(workdocs.exceptions.EntityNotExistsException) as caught:
        workdocs.delete_user(UserId=user["Id"])
    assert caught.value.response["EntityIds"] == [user["Id"]]


def test_deactivate_then_activate(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    user = create_user(workdocs, _org(workdocs_server), "grace")

    deactivated = workdocs.deactivate_user(UserId=user["Id"])
    assert deactivated["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert set(deactivated) == {"ResponseMetadata"}
    [stored] = workdocs.describe_users(UserIds=user["Id"], Include="ALL")["Users"]
    assert stored["Status"] == "INACTIVE"

    activated = workdocs.activate_user(UserId=user["Id"])
    assert activated["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert activated["User"]["Id"] == user["Id"]
    assert activated["User"]["Username"] == "grace"
    assert activated["User"]["Status"] == "ACTIVE"


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.update_user(UserId="missing-user", GivenName="X"),
        lambda c: c.activate_user(UserId="missing-user"),
        lambda c: c.deactivate_user(UserId="missing-user"),
        lambda c: c.delete_user(UserId="missing-user"),
    ],
    ids=["update", "activate", "deactivate", "delete"],
)
def test_operations_on_an_unknown_user_name_it(workdocs: Any, call: Any):
    with pytest.raises(workdocs.exceptions.EntityNotExistsException) as caught:
        call(workdocs)
    assert caught.value.response["EntityIds"] == ["missing-user"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


@pytest.mark.parametrize(
    ("operation", "params"),
    [
        ("describe_activities", {"OrganizationId": "PLACEHOLDER"}),
        ("create_folder", {"ParentFolderId": "PLACEHOLDER", "Name": "docs"}),
        ("describe_groups", {"SearchQuery": "staff"}),
    ],
)
def test_other_operations_answer_not_implemented(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, operation: str, params: dict[str, str]
):
    params = {k: (_org(workdocs_server) if v == "PLACEHOLDER" else v) for k, v in params.items()}
    with pytest.raises(workdocs.exceptions.UnauthorizedOperationException) as caught:
        getattr(workdocs, operation)(**params)
    assert "not implemented" in caught.value.response["Error"]["Message"]
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_concurrent_creates_of_one_username_make_one_user(workdocs_server: WorkDocsLocalServer):
    client = make_client(workdocs_server.url)
    org = workdocs_server.organization_id

    def attempt(index: int) -> str:
        try:
            create_user(client, org, "Racer" if index % 2 else "racer")
            return "created"
        except client.exceptions.EntityAlreadyExistsException:
            return "exists"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(16)))

    assert sorted(outcomes) == ["created"] + ["exists"] * 15
    assert client.describe_users(OrganizationId=org, Query="racer")["TotalNumberOfUsers"] == 1


def test_ids_with_reserved_characters_round_trip_through_the_path(workdocs: Any):
    folder_id = "a+b@c.d-e_f"  # allowed by the model's pattern; percent-encoded by botocore
    with pytest.raises(workdocs.exceptions.EntityNotExistsException) as caught:
        workdocs.get_folder(FolderId=folder_id)
    assert caught.value.response["EntityIds"] == [folder_id]
