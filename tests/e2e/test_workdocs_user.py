"""WorkDocsUser under the real Pulumi engine, against workdocs-local."""

from __future__ import annotations

import base64
from typing import Any

import boto3
import pulumi
import pytest
from pulumi import automation as auto

from pulumi_workdocs import WorkDocsUser
from tests.e2e.conftest import ACCESS_KEY, SECRET_KEY, StackRunner

pytestmark = pytest.mark.e2e
PASSWORD = "Initial-Pass-7f3a"


def client(runner: StackRunner) -> Any:
    return boto3.client(
        "workdocs",
        endpoint_url=runner.server.url,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def users_program(runner: StackRunner, users: list[dict[str, Any]]) -> Any:
    def program() -> None:
        for spec in users:
            name = spec.get("name", spec["username"])
            user = WorkDocsUser(
                name,
                organization_id=runner.server.organization_id,
                password=spec.get("password", PASSWORD),
                **{k: v for k, v in spec.items() if k not in ("password", "name")},
            )
            pulumi.export(name, {"id": user.id, "root": user.root_folder_id})

    return program


ALICE = {
    "username": "alice",
    "given_name": "Alice",
    "surname": "Liddell",
    "email_address": "alice@example.com",
}
BOB = {"username": "bob", "given_name": "Bob", "surname": "Builder", "deletion_policy": "DELETE"}


def changes(result: Any) -> dict[str, int]:
    """Resource changes by operation name ("create", "update", ...)."""
    summary = getattr(result, "summary", None)
    raw = summary.resource_changes if summary is not None else result.change_summary
    return {getattr(k, "value", str(k)): v for k, v in (raw or {}).items()}


def calls(runner: StackRunner, operation: str) -> int:
    return len(runner.server.app.requests.entries(operation))


def test_up_creates_users_with_outputs_equal_to_describe_users(runner: StackRunner) -> None:
    result = runner.up(users_program(runner, [ALICE, BOB]))
    assert changes(result) == {"create": 3}
    state = runner.resources()
    live = {
        u["Username"]: u
        for u in client(runner).describe_users(OrganizationId=runner.server.organization_id, Fields="STORAGE_METADATA")[
            "Users"
        ]
    }
    assert set(state) == {"alice", "bob"} == set(live) - {"siteadmin"}  # the site's own administrator
    for name, resource in state.items():
        outs, user = resource["outputs"], live[name]
        assert resource["id"] == user["Id"] == result.outputs[name].value["id"]
        assert outs["root_folder_id"] == user["RootFolderId"]
        assert outs["recycle_bin_folder_id"] == user["RecycleBinFolderId"]
        for prop, api in [
            ("status", "Status"),
            ("type", "Type"),
            ("locale", "Locale"),
            ("time_zone_id", "TimeZoneId"),
            ("given_name", "GivenName"),
            ("surname", "Surname"),
            ("organization_id", "OrganizationId"),
        ]:
            assert outs[prop] == user[api], prop
        assert outs["storage_rule"]["storage_type"] == user["Storage"]["StorageRule"]["StorageType"]
        assert outs["storage_utilized_in_bytes"] == user["Storage"]["StorageUtilizedInBytes"]
        assert outs["created_timestamp"].startswith(user["CreatedTimestamp"].strftime("%Y-%m-%d"))
        assert outs["modified_timestamp"]
    second = runner.up()
    assert changes(second) == {"same": 3}


def test_given_name_updates_in_place_and_username_replaces(runner: StackRunner) -> None:
    runner.up(users_program(runner, [ALICE]))
    first_id = runner.resources()["alice"]["id"]
    runner.up(users_program(runner, [{**ALICE, "given_name": "Alicia"}]))
    state = runner.resources()["alice"]
    assert state["id"] == first_id and state["outputs"]["given_name"] == "Alicia"
    assert calls(runner, "UpdateUser") == 1 and calls(runner, "CreateUser") == 1

    result = runner.up(users_program(runner, [{**ALICE, "name": "alice", "username": "alice.l"}]))
    assert changes(result).get("replace") == 1
    replaced = runner.resources()["alice"]
    assert replaced["id"] != first_id and replaced["outputs"]["username"] == "alice.l"
    old = client(runner).describe_users(UserIds=first_id, Include="ALL")["Users"]
    assert old[0]["Status"] == "INACTIVE"  # the replaced user went by its DEACTIVATE policy


def test_status_inactive_deactivates_and_removal_applies_the_policy(runner: StackRunner) -> None:
    runner.up(users_program(runner, [ALICE, BOB]))
    ids = {name: r["id"] for name, r in runner.resources().items()}
    runner.up(users_program(runner, [{**ALICE, "status": "INACTIVE"}, BOB]))
    wd = client(runner)
    assert wd.describe_users(UserIds=ids["alice"], Include="ALL")["Users"][0]["Status"] == "INACTIVE"
    assert runner.resources()["alice"]["outputs"]["status"] == "INACTIVE"

    runner.up(users_program(runner, [{**ALICE, "status": "INACTIVE"}]))  # bob removed: DELETE
    assert wd.describe_users(UserIds=ids["bob"], Include="ALL")["Users"] == []
    assert calls(runner, "DeleteUser") == 1
    runner.up(users_program(runner, []))  # alice removed: DEACTIVATE keeps her documents
    assert wd.describe_users(UserIds=ids["alice"], Include="ALL")["Users"][0]["Status"] == "INACTIVE"
    assert calls(runner, "DeleteUser") == 1


def test_refresh_takes_live_values_and_drops_deleted_users(runner: StackRunner) -> None:
    runner.up(users_program(runner, [ALICE, BOB]))
    ids = {name: r["id"] for name, r in runner.resources().items()}
    wd = client(runner)
    wd.update_user(UserId=ids["alice"], GivenName="Changed-By-Hand")
    wd.delete_user(UserId=ids["bob"])

    result = runner.refresh()
    assert changes(result).get("update") == 1
    assert changes(result).get("delete") == 1
    state = runner.resources()
    assert set(state) == {"alice"}
    assert state["alice"]["outputs"]["given_name"] == "Changed-By-Hand"
    assert state["alice"]["inputs"]["given_name"] == "Changed-By-Hand"

    preview = runner.preview()  # the program still says Alice: the next up puts it back
    assert changes(preview).get("update") == 1 and changes(preview).get("create") == 1


def test_destroy_applies_each_policy(runner: StackRunner) -> None:
    runner.up(users_program(runner, [ALICE, BOB]))
    ids = {name: r["id"] for name, r in runner.resources().items()}
    result = runner.destroy()
    assert changes(result) == {"delete": 3}
    wd = client(runner)
    assert wd.describe_users(UserIds=ids["bob"], Include="ALL")["Users"] == []
    assert wd.describe_users(UserIds=ids["alice"], Include="ALL")["Users"][0]["Status"] == "INACTIVE"
    assert runner.resources() == {}


def test_adopt_takes_over_an_existing_user_without_create(runner: StackRunner) -> None:
    wd = client(runner)
    existing = wd.create_user(
        OrganizationId=runner.server.organization_id,
        Username="alice",
        GivenName="Old",
        Surname="Liddell",
        Password="whatever1",
        EmailAddress="alice@example.com",
    )["User"]
    runner.server.app.requests.clear()
    runner.up(users_program(runner, [{**ALICE, "adopt": True}]))
    state = runner.resources()["alice"]
    assert state["id"] == existing["Id"]
    assert state["outputs"]["given_name"] == "Alice"
    assert calls(runner, "CreateUser") == 0


def test_without_adopt_an_existing_user_fails_with_one_line(runner: StackRunner) -> None:
    wd = client(runner)
    existing = wd.create_user(
        OrganizationId=runner.server.organization_id,
        Username="alice",
        GivenName="Old",
        Surname="Liddell",
        Password="whatever1",
    )["User"]
    with pytest.raises(auto.CommandError) as err:
        runner.up(users_program(runner, [ALICE]))
    text = str(err.value)
    expected = (
        f"pulumi_workdocs.errors.WorkDocsUserError: WorkDocs user 'alice': CreateUser failed: a user "
        f"with this username already exists (Id {existing['Id']}); to manage it, set adopt=True"
    )
    assert expected in text
    assert "Traceback" not in text
    assert f"a user with this username already exists (Id {existing['Id']})" in text
    assert "adopt" in text


def test_state_holds_no_password_and_no_secret_key(runner: StackRunner) -> None:
    runner.up(users_program(runner, [ALICE]))
    exported = runner.export_plain()
    assert PASSWORD not in exported and SECRET_KEY not in exported
    resource = runner.resources()["alice"]
    assert "password" not in resource["outputs"]
    for props in (resource["inputs"], resource["outputs"]):
        pickled = base64.b64decode(props["__provider"])
        assert len(pickled) < 200  # a class reference, not bytecode
        assert PASSWORD.encode() not in pickled and SECRET_KEY.encode() not in pickled
        assert b"pulumi_workdocs.provider" in pickled
    assert PASSWORD not in "".join(runner.output) and SECRET_KEY not in "".join(runner.output)


def test_password_change_is_ignored_with_a_warning(runner: StackRunner) -> None:
    runner.up(users_program(runner, [ALICE]))
    result = runner.up(users_program(runner, [{**ALICE, "password": "Another-Pass-9"}]))
    assert changes(result) == {"same": 2}
    assert "a new password is ignored" in "".join(runner.output)
    assert "Another-Pass-9" not in "".join(runner.output)


def test_bad_input_fails_at_preview_before_any_api_call(runner: StackRunner) -> None:
    runner.server.app.requests.clear()
    with pytest.raises(auto.CommandError) as err:
        runner.preview(users_program(runner, [{**ALICE, "username": "alice smith", "type": "BOSS"}]))
    text = str(err.value)
    assert "username must match the pattern" in text and "type must be one of" in text
    assert runner.server.app.requests.entries() == []


def test_same_username_replace_under_deactivate_is_refused_at_preview(runner: StackRunner) -> None:
    runner.up(users_program(runner, [ALICE]))
    with pytest.raises(auto.CommandError) as err:
        runner.preview(users_program(runner, [{**ALICE, "email_address": "alice@new.example.com"}]))
    assert "apply deletion_policy DELETE first" in str(err.value)
    runner.up(users_program(runner, [{**ALICE, "deletion_policy": "DELETE"}]))
    old_id = runner.resources()["alice"]["id"]
    result = runner.up(
        users_program(runner, [{**ALICE, "deletion_policy": "DELETE", "email_address": "alice@new.example.com"}])
    )
    assert changes(result).get("replace") == 1
    assert runner.resources()["alice"]["id"] != old_id
    assert client(runner).describe_users(UserIds=old_id, Include="ALL")["Users"] == []
