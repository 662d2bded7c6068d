"""The provider plugin's gRPC service, called over gRPC as the engine calls it, against workdocs-local.

The engine-driven runs are in tests/e2e/test_yaml_plugin.py; these pin the adapter's own
behaviour: names, secrets, detailed diffs, previews, import by Id, one-line errors, the schema.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import botocore.session
import grpc
import pytest
from google.protobuf import empty_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import provider_pb2_grpc
from pulumi.runtime.rpc import UNKNOWN, is_rpc_secret

from pulumi_workdocs.plugin import package_schema
from pulumi_workdocs.plugin._names import FIELDS, ClientSettings, translate
from pulumi_workdocs.plugin.server import WorkDocsProviderServicer
from pulumi_workdocs.plugin.wire import decode, encode
from workdocs_local import WorkDocsLocalServer

URN = "urn:pulumi:dev::p::workdocs:index:User::alice"
SECRET = "Wonderland-1865"


@pytest.fixture
def stub(aws_env: None) -> Iterator[Any]:
    """The servicer on a real gRPC server on 127.0.0.1, and a client stub, as the engine has them."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(WorkDocsProviderServicer(None), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    yield provider_pb2_grpc.ResourceProviderStub(channel)
    channel.close()
    server.stop(None)


@pytest.fixture
def configured(stub: Any, workdocs_server: WorkDocsLocalServer) -> Any:
    response = stub.Configure(
        proto.ConfigureRequest(
            args=encode({"endpoint": workdocs_server.url, "region": "us-east-1"}), acceptSecrets=True
        )
    )
    assert response.acceptSecrets and response.supportsPreview
    return stub


@pytest.fixture
def alice(workdocs_server: WorkDocsLocalServer) -> dict[str, Any]:
    """Checked-style inputs, as Pulumi names them."""
    return {
        "organizationId": workdocs_server.organization_id,
        "username": "alice",
        "givenName": "Alice",
        "surname": "Liddell",
        "emailAddress": "alice@example.com",
        "password": SECRET,
        "deletionPolicy": "DELETE",
    }


def check(stub: Any, news: dict[str, Any], olds: dict[str, Any] | None = None) -> Any:
    return stub.Check(
        proto.CheckRequest(urn=URN, type="workdocs:index:User", olds=encode(olds or {}), news=encode(news))
    )


def failures(response: Any) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in response.failures]


def calls(server: WorkDocsLocalServer, *operations: str) -> int:
    return sum(len(server.app.requests.entries(op)) for op in operations)


# -- schema ------------------------------------------------------------------------------


def test_get_schema_serves_the_checked_in_file() -> None:
    """GetSchema answers from the file (test_codegen holds it equal to its generator)."""
    assert package_schema.OUT.read_text() == package_schema.text()


def test_schema_follows_the_field_table_the_model_and_the_client_settings() -> None:
    schema = json.loads(package_schema.text())
    user = schema["resources"]["workdocs:index:User"]
    model = botocore.session.get_session().get_service_model("workdocs").shape_for("User")
    for field in FIELDS:
        name = package_schema.camel(field.prop)
        assert name in user["inputProperties"] and name in user["properties"], name
        if field.api in model.members:
            doc = " ".join(model.members[field.api].documentation.replace("<p>", "").replace("</p>", "").split())
            assert user["properties"][name]["description"].startswith(doc), name
    assert user["inputProperties"]["password"]["secret"] is True
    assert "password" not in user["properties"]
    assert "password" not in user["requiredInputs"]  # an imported or adopted user needs none
    asked: list[str] = []
    ClientSettings.from_config(asked.append)
    assert [f"workdocs:{k}" for k in schema["config"]["variables"]] == asked
    assert schema["provider"]["inputProperties"] == schema["config"]["variables"]
    assert schema["version"] == package_schema.version()


def test_get_schema_and_plugin_info_answer_from_the_checked_in_file(stub: Any) -> None:
    assert stub.GetSchema(proto.GetSchemaRequest()).schema == package_schema.text()
    assert stub.GetPluginInfo(empty_pb2.Empty()).version == package_schema.version()


# -- configuration -----------------------------------------------------------------------


def test_check_config_names_each_bad_setting(stub: Any) -> None:
    bad = {"retryMode": "fast", "maxAttempts": "three", "endpont": "http://x", "version": "0.1.0"}
    found = dict(failures(stub.CheckConfig(proto.CheckRequest(news=encode(bad)))))
    assert set(found) == {"retryMode", "maxAttempts", "endpont"}
    assert found["endpont"].startswith("workdocs:endpont is not a setting of the workdocs provider (known: ")
    assert found["maxAttempts"] == "workdocs:maxAttempts must be a whole number of attempts, at least 1"
    good = {"region": "eu-west-1", "maxAttempts": "3", "retryMode": "adaptive", "endpoint": "http://127.0.0.1:1"}
    assert failures(stub.CheckConfig(proto.CheckRequest(news=encode(good)))) == []


def test_a_new_endpoint_is_an_update_of_the_provider_never_a_replace(stub: Any) -> None:
    response = stub.DiffConfig(
        proto.DiffRequest(olds=encode({"endpoint": "http://a"}), news=encode({"endpoint": "http://b"}))
    )
    assert response.changes == proto.DiffResponse.DIFF_SOME and list(response.diffs) == ["endpoint"]
    assert list(response.replaces) == []


# -- check and diff ----------------------------------------------------------------------


def test_check_keeps_the_password_secret_and_answers_in_pulumi_names(configured: Any, alice: dict[str, Any]) -> None:
    response = check(configured, alice)
    assert failures(response) == []
    inputs, secret = decode(response.inputs)
    assert secret == {"password"} and inputs["password"] == SECRET and inputs["givenName"] == "Alice"
    raw = json.loads(json.dumps(dict(response.inputs.items()), default=lambda v: dict(v.items())))
    assert is_rpc_secret(raw["password"])


def test_check_failures_name_the_pulumi_property(configured: Any, alice: dict[str, Any]) -> None:
    bad = {**alice, "givenName": "x" * 65, "storageRule": {"storageType": "QUOTA"}, "nickname": "Al"}
    found = failures(check(configured, bad))
    assert ("givenName", "givenName must be at most 64 characters") in found
    assert ("storageRule", "storageRule.storageAllocatedInBytes is required when storageType is QUOTA") in found
    unknown = [reason for prop, reason in found if prop == "nickname"]
    assert unknown and unknown[0].startswith("nickname is not an input of workdocs:index:User (inputs: adopt, ")


def test_the_cruds_own_names_are_not_inputs(configured: Any, alice: dict[str, Any]) -> None:
    """given_name is how the Python resource spells it; the Pulumi schema says givenName."""
    news = {k: v for k, v in alice.items() if k != "givenName"} | {"given_name": "Alice"}
    found = dict(failures(check(configured, news)))
    assert found["givenName"] == "givenName is required" and "given_name" in found


def test_an_imported_user_checks_without_a_password_but_a_replacement_needs_one(
    configured: Any, alice: dict[str, Any]
) -> None:
    imported = {k: v for k, v in alice.items() if k != "password"}
    assert failures(check(configured, imported, olds=imported)) == []
    assert failures(check(configured, imported)) == [("password", "password is required")]
    replaced = failures(check(configured, {**imported, "emailAddress": "a@new.example.com"}, olds=imported))
    assert replaced == [
        (
            "password",
            "changing emailAddress replaces user 'alice' with a new one, which needs a password: set password",
        )
    ]


def test_diff_is_detailed_with_replaces_and_delete_before_replace(configured: Any, alice: dict[str, Any]) -> None:
    outputs = {k: v for k, v in alice.items() if k != "password"} | {"status": "ACTIVE", "type": "USER", "adopt": False}
    news = {**alice, "emailAddress": "alice@new.example.com", "givenName": "Alicia", "locale": "fr"}
    response = configured.Diff(proto.DiffRequest(id="u-1", urn=URN, olds=encode(outputs), news=encode(news)))
    kinds = {k: v.kind for k, v in response.detailedDiff.items()}
    assert kinds == {
        "emailAddress": proto.PropertyDiff.UPDATE_REPLACE,
        "givenName": proto.PropertyDiff.UPDATE,
        "locale": proto.PropertyDiff.ADD,
    }
    assert response.hasDetailedDiff and list(response.replaces) == ["emailAddress"]
    assert response.deleteBeforeReplace  # same username: the old user must go first
    same = configured.Diff(proto.DiffRequest(id="u-1", urn=URN, olds=encode(outputs), news=encode(alice)))
    assert same.changes == proto.DiffResponse.DIFF_NONE and not same.detailedDiff
    ignored = configured.Diff(
        proto.DiffRequest(id="u-1", urn=URN, olds=encode(outputs), news=encode(news), ignoreChanges=["givenName"])
    )
    assert "givenName" not in ignored.detailedDiff


# -- create, read (refresh and import), update, delete --------------------------------------


def test_a_preview_creates_nothing_and_leaves_what_workdocs_decides_unknown(
    configured: Any, alice: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    response = configured.Create(proto.CreateRequest(urn=URN, properties=encode(alice), preview=True))
    outs, _ = decode(response.properties)
    assert response.id == "" and calls(workdocs_server, "CreateUser", "DescribeUsers") == 0
    assert outs["givenName"] == "Alice" and outs["status"] == "ACTIVE"
    assert outs["rootFolderId"] == UNKNOWN and outs["timeZoneId"] == UNKNOWN and "password" not in outs


def test_create_then_import_refresh_update_and_delete(
    configured: Any, alice: dict[str, Any], workdocs_server: WorkDocsLocalServer, workdocs: Any
) -> None:
    created = configured.Create(proto.CreateRequest(urn=URN, properties=encode(alice)))
    outs, secret = decode(created.properties)
    live = workdocs.describe_users(UserIds=created.id, Include="ALL")["Users"][0]
    assert outs["rootFolderId"] == live["RootFolderId"] and outs["givenName"] == "Alice"
    assert "password" not in outs and secret == set() and SECRET not in str(created)

    # pulumi import: the Id alone, as USER_ID or ORGANIZATION_ID/USER_ID; no write.
    for import_id in (created.id, f"{workdocs_server.organization_id}/{created.id}"):
        read = configured.Read(proto.ReadRequest(id=import_id, urn=URN, type="workdocs:index:User"))
        inputs, _ = decode(read.inputs)
        assert read.id == created.id
        assert inputs["username"] == "alice" and inputs["deletionPolicy"] == "DEACTIVATE" and "password" not in inputs
    assert calls(workdocs_server, "UpdateUser", "DeleteUser") == 0 and calls(workdocs_server, "CreateUser") == 1

    # refresh of an unchanged user: the stored inputs come back as they were.
    old_inputs = encode(alice, {"password"})
    unchanged = configured.Read(
        proto.ReadRequest(id=created.id, urn=URN, properties=created.properties, inputs=old_inputs)
    )
    assert unchanged.inputs == old_inputs and decode(unchanged.properties)[0]["surname"] == "Liddell"

    # refresh: old outputs and inputs given; the stored password stays, as a secret.
    workdocs.update_user(UserId=created.id, Surname="Hargreaves")
    refreshed = configured.Read(
        proto.ReadRequest(id=created.id, urn=URN, properties=created.properties, inputs=encode(alice, {"password"}))
    )
    inputs, secret = decode(refreshed.inputs)
    assert decode(refreshed.properties)[0]["surname"] == "Hargreaves"
    assert inputs["password"] == SECRET and secret == {"password"}

    updated = configured.Update(
        proto.UpdateRequest(id=created.id, urn=URN, olds=refreshed.properties, news=encode({**alice, "locale": "fr"}))
    )
    assert decode(updated.properties)[0]["surname"] == "Liddell" and decode(updated.properties)[0]["locale"] == "fr"

    configured.Delete(proto.DeleteRequest(id=created.id, urn=URN, properties=updated.properties))
    assert workdocs.describe_users(UserIds=created.id, Include="ALL")["Users"] == []  # deletionPolicy DELETE
    gone = configured.Read(proto.ReadRequest(id=created.id, urn=URN, properties=updated.properties))
    assert gone.id == ""  # refresh drops it; import says it does not exist


def test_errors_are_one_line_naming_the_user_in_pulumi_terms(
    configured: Any, alice: dict[str, Any], workdocs: Any
) -> None:
    workdocs.create_user(
        OrganizationId=alice["organizationId"], Username="alice", GivenName="A", Surname="L", Password="Pass-1234"
    )
    with pytest.raises(grpc.RpcError) as raised:
        configured.Create(proto.CreateRequest(urn=URN, properties=encode(alice)))
    details = raised.value.details()
    assert details.startswith("WorkDocs user 'alice': CreateUser failed: a user with this username already exists")
    assert "\n" not in details and SECRET not in details
    with pytest.raises(grpc.RpcError) as other:
        configured.Check(proto.CheckRequest(urn=URN, type="workdocs:index:Group", news=encode(alice)))
    assert other.value.details() == (
        "the workdocs provider has no resource type 'workdocs:index:Group' (it has workdocs:index:User)"
    )


def test_translate_renames_properties_but_not_quoted_text() -> None:
    assert translate("WorkDocs user 'given_name': given_name and storage_rule.storage_type") == (
        "WorkDocs user 'given_name': givenName and storageRule.storageType"
    )


# -- the executable the engine starts ---------------------------------------------------------


def test_the_plugin_executable_prints_its_port_serves_and_stops_on_sigterm() -> None:
    plugin = Path(sys.executable).parent / "pulumi-resource-workdocs"
    assert os.access(plugin, os.X_OK), "run `make bootstrap`: pip installs the console script"
    process = subprocess.Popen([str(plugin), "127.0.0.1:1"], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            assert stub.GetPluginInfo(empty_pb2.Empty(), timeout=30).version == package_schema.version()
            assert json.loads(stub.GetSchema(proto.GetSchemaRequest(), timeout=30).schema)["name"] == "workdocs"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
