"""check/diff/create/read/update/delete called directly, against the in-process service."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pulumi_workdocs.errors import WorkDocsUserError
from pulumi_workdocs.provider import WorkDocsUserProvider
from workdocs_local import WorkDocsLocalServer


def _calls(server: WorkDocsLocalServer, operation: str) -> int:
    return len(server.app.requests.entries(operation))


def test_create_sets_every_output_as_describe_users_reports_it(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs: Any
) -> None:
    result = provider.create({**user_args, "type": "POWERUSER", "locale": "fr"})
    outs = result.outs or {}
    live = workdocs.describe_users(UserIds=result.id, Include="ALL", Fields="STORAGE_METADATA")["Users"][0]
    assert result.id == live["Id"]
    assert outs["root_folder_id"] == live["RootFolderId"]
    assert outs["recycle_bin_folder_id"] == live["RecycleBinFolderId"]
    assert outs["type"] == "POWERUSER" == live["Type"]
    assert outs["locale"] == "fr" == live["Locale"]
    assert outs["status"] == "ACTIVE"
    assert outs["time_zone_id"] == live["TimeZoneId"]
    assert outs["storage_rule"]["storage_type"] == live["Storage"]["StorageRule"]["StorageType"]
    assert outs["storage_utilized_in_bytes"] == 0
    assert outs["created_timestamp"].endswith("Z") and outs["modified_timestamp"].endswith("Z")
    assert "password" not in outs
    assert "Wonderland-1865" not in json.dumps(outs)


def test_create_inactive_deactivates(provider: WorkDocsUserProvider, user_args: dict[str, Any]) -> None:
    outs = provider.create({**user_args, "status": "INACTIVE"}).outs or {}
    assert outs["status"] == "INACTIVE"


def test_failed_follow_up_deletes_the_half_made_user(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    from workdocs_local.faults import Fault

    workdocs_server.app.faults.add(Fault(kind="failed_dependency", operation="UpdateUser"))
    with pytest.raises(WorkDocsUserError, match=r"^WorkDocs user 'alice': UpdateUser failed: Failed"):
        provider.create({**user_args, "type": "ADMIN"})
    assert _calls(workdocs_server, "DeleteUser") == 1
    # Only the organization's site admin is left.
    assert [r["username"] for r in workdocs_server.backend._query("SELECT username FROM users")] == ["siteadmin"]


def test_lost_create_response_is_recovered_without_duplicate(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    from workdocs_local.faults import Fault

    workdocs_server.app.faults.add(Fault(kind="drop_after_commit", operation="CreateUser", count=1))
    result = provider.create(user_args)
    create_calls = workdocs_server.app.requests.entries("CreateUser")
    assert [c["error"] for c in create_calls] == [None, "EntityAlreadyExistsException"]
    assert (result.outs or {})["username"] == "alice"


def test_a_recent_deactivated_user_is_not_taken_for_a_lost_create(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs: Any
) -> None:
    """Removed from the file (deactivated) and declared again minutes later: that needs adopt."""
    first = provider.create(user_args)
    workdocs.deactivate_user(UserId=first.id)
    with pytest.raises(WorkDocsUserError, match=r"already exists \(Id \w+\); to manage it, set adopt=True"):
        provider.create(user_args)
    live = workdocs.describe_users(UserIds=first.id, Include="ALL")["Users"][0]
    assert live["Status"] == "INACTIVE"


def test_existing_user_is_not_taken_without_adopt(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs: Any
) -> None:
    other = workdocs.create_user(
        OrganizationId=user_args["organization_id"],
        Username="alice",
        GivenName="Someone",
        Surname="Else",
        Password="whatever1",
    )["User"]
    with pytest.raises(WorkDocsUserError) as err:
        provider.create(user_args)
    message = str(err.value)
    assert other["Id"] in message and "adopt" in message and "\n" not in message


def test_adopt_takes_over_and_converges_without_create(
    provider: WorkDocsUserProvider,
    user_args: dict[str, Any],
    workdocs: Any,
    workdocs_server: WorkDocsLocalServer,
) -> None:
    existing = workdocs.create_user(
        OrganizationId=user_args["organization_id"],
        Username="alice",
        GivenName="Al",
        Surname="Liddell",
        Password="whatever1",
        EmailAddress="alice@example.com",
    )["User"]
    workdocs.deactivate_user(UserId=existing["Id"])
    workdocs_server.app.requests.clear()
    result = provider.create({**user_args, "adopt": True})
    assert result.id == existing["Id"]
    assert (result.outs or {})["given_name"] == "Alice"
    assert (result.outs or {})["status"] == "ACTIVE"
    assert _calls(workdocs_server, "CreateUser") == 0


def test_read_returns_live_values_and_inputs(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs: Any
) -> None:
    result = provider.create(user_args)
    workdocs.update_user(UserId=result.id, GivenName="Alicia")
    read = provider.read(result.id, {**(result.outs or {}), "__provider": "x"})
    assert read.id == result.id
    assert (read.outs or {})["given_name"] == "Alicia"
    assert (read.inputs or {})["given_name"] == "Alicia"
    assert "password" not in (read.inputs or {})


def test_read_of_an_unchanged_user_keeps_the_stored_inputs(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs: Any
) -> None:
    """No inputs back: the engine keeps the stored ones (the password's ciphertext included), so
    an unchanged user's state stays identical and the engine does not rewrite it."""
    result = provider.create(user_args)
    read = provider.read(result.id, {**(result.outs or {}), "__provider": "x"})
    assert read.id == result.id and read.inputs is None
    assert (read.outs or {})["given_name"] == (result.outs or {})["given_name"]
    workdocs.update_user(UserId=result.id, Locale="fr")
    changed = provider.read(result.id, {**(result.outs or {}), "__provider": "x"})
    assert (changed.inputs or {})["locale"] == "fr"  # a change in WorkDocs reaches the inputs


def test_read_of_a_deleted_user_drops_it(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs: Any
) -> None:
    result = provider.create(user_args)
    workdocs.delete_user(UserId=result.id)
    read = provider.read(result.id, result.outs or {})
    assert read.id is None and read.outs == {}


def test_update_in_place_and_status(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    created = provider.create(user_args)
    news = {
        **user_args,
        "given_name": "Alicia",
        "status": "INACTIVE",
        "storage_rule": {"storage_type": "QUOTA", "storage_allocated_in_bytes": 5 * 1024**3},
    }
    diff = provider.diff(created.id, created.outs or {}, news)
    assert diff.changes is True and diff.replaces == []
    outs = provider.update(created.id, created.outs or {}, news).outs or {}
    assert outs["given_name"] == "Alicia" and outs["status"] == "INACTIVE"
    assert outs["storage_rule"] == {"storage_type": "QUOTA", "storage_allocated_in_bytes": 5 * 1024**3}
    assert outs["root_folder_id"] == (created.outs or {})["root_folder_id"]
    reactivated = provider.update(created.id, outs, {**news, "status": "ACTIVE"}).outs or {}
    assert reactivated["status"] == "ACTIVE"


@pytest.mark.parametrize(("policy", "operation"), [("DEACTIVATE", "DeactivateUser"), ("DELETE", "DeleteUser")])
def test_delete_applies_the_deletion_policy(
    provider: WorkDocsUserProvider,
    user_args: dict[str, Any],
    workdocs: Any,
    workdocs_server: WorkDocsLocalServer,
    policy: str,
    operation: str,
) -> None:
    created = provider.create({**user_args, "deletion_policy": policy})
    provider.delete(created.id, created.outs or {})
    assert _calls(workdocs_server, operation) == 1
    users = workdocs.describe_users(UserIds=created.id, Include="ALL")["Users"]
    assert users == [] if policy == "DELETE" else users[0]["Status"] == "INACTIVE"
    provider.delete(created.id, created.outs or {})  # already gone or inactive: still fine


def test_numbers_carried_as_doubles_by_pulumi_reach_the_api_as_integers(
    provider: WorkDocsUserProvider, user_args: dict[str, Any]
) -> None:
    rule = {"storage_type": "QUOTA", "storage_allocated_in_bytes": 50e9}  # as the engine sends it
    outs = provider.create({**user_args, "storage_rule": rule}).outs or {}
    assert outs["storage_rule"] == {"storage_type": "QUOTA", "storage_allocated_in_bytes": 50_000_000_000}


def test_sdk_parameter_errors_name_the_parameter_but_not_the_value() -> None:
    from botocore.exceptions import ParamValidationError

    from pulumi_workdocs.aws.errors import describe

    report = "Invalid type for parameter Password, value: Sup3r-Secret, type: <class 'int'>, valid types: <class 'str'>"
    message = str(describe("alice", "CreateUser", ParamValidationError(report=report)))
    assert message == (
        "WorkDocs user 'alice': CreateUser failed: Invalid type for parameter Password, valid types: <class 'str'>"
    )


def test_adopting_nobody_without_a_password_is_one_line_and_calls_nothing(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    args = {k: v for k, v in user_args.items() if k != "password"}
    with pytest.raises(WorkDocsUserError, match=r"^WorkDocs user 'alice': no user to adopt, and no password"):
        provider.create({**args, "adopt": True})
    assert _calls(workdocs_server, "CreateUser") == 0


@pytest.mark.parametrize("attempts", [1, 3])
def test_max_attempts_counts_every_call_as_aws_config_does(
    workdocs_server: WorkDocsLocalServer, aws_env: None, user_args: dict[str, Any], attempts: int
) -> None:
    """workdocs:maxAttempts=N makes N calls in all (botocore's own max_attempts would make N+1)."""
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    from workdocs_local.faults import Fault

    provider = WorkDocsUserProvider()
    config = {"workdocs:endpoint": workdocs_server.url, "workdocs:maxAttempts": str(attempts)}
    provider.configure(ConfigureRequest(Config(config, "test")))
    workdocs_server.app.faults.add(Fault(kind="unavailable", operation="DescribeUsers"))
    with pytest.raises(WorkDocsUserError, match=r"DescribeUsers failed: ServiceUnavailable"):
        provider.read("some-user-id", user_args)
    assert _calls(workdocs_server, "DescribeUsers") == attempts


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_max_attempts_must_be_a_whole_number_of_attempts(value: str) -> None:
    from pulumi_workdocs.aws import ClientSettings
    from pulumi_workdocs.errors import UsageError

    with pytest.raises(UsageError, match=r"^workdocs:maxAttempts must be a whole number of attempts, at least 1$"):
        ClientSettings.from_config({"workdocs:maxAttempts": value}.get)
