"""The run hand-off: one versioned document from workdocs-users to its provider process."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pulumi_workdocs import handoff
from pulumi_workdocs.aws import ClientSettings
from pulumi_workdocs.errors import WorkDocsError
from pulumi_workdocs.handoff import Endpoint, HandoffError, RunHandoff, resolve_endpoint, sdk_endpoint
from pulumi_workdocs.provider import WorkDocsUserProvider
from pulumi_workdocs.stack import unset_password_env
from pulumi_workdocs.users_file import load
from tests.pulumi_workdocs.conftest import ALICE

FULL = RunHandoff(
    endpoint=Endpoint("http://127.0.0.1:4567", "from --endpoint"),
    approved_removals=frozenset({"u-2", "u-1"}),
    journal="/state/.workdocs-users/p/dev.journal.json",
    listing="/tmp/x/listing.json",
    unset_password_env={"Dave": "DAVE_PASSWORD"},
)


@pytest.mark.parametrize("run", [FULL, RunHandoff(), RunHandoff(approved_removals=frozenset())])
def test_the_hand_off_round_trips_through_its_file(run: RunHandoff, tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    run.write(path)
    assert handoff.read(path) == run
    # None and an empty set differ: no guard (a preview) against "remove nobody".
    assert handoff.read(path).approved_removals == run.approved_removals


def test_the_document_is_one_versioned_json_object_and_the_object_is_frozen(tmp_path: Path) -> None:
    path = tmp_path / "run.json"
    FULL.write(path)
    assert json.loads(path.read_text()) == {
        "version": 1,
        "endpoint": {"url": "http://127.0.0.1:4567", "source": "from --endpoint"},
        "approved_removals": ["u-1", "u-2"],
        "journal": "/state/.workdocs-users/p/dev.journal.json",
        "listing": "/tmp/x/listing.json",
        "unset_password_env": {"dave": "DAVE_PASSWORD"},
    }
    with pytest.raises(dataclasses.FrozenInstanceError):
        FULL.journal = None  # type: ignore[misc]
    with pytest.raises(TypeError):
        FULL.unset_password_env["erin"] = "ERIN_PASSWORD"  # type: ignore[index]
    assert FULL.password_env_not_set("DAVE") == "DAVE_PASSWORD" and FULL.password_env_not_set("erin") is None


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (json.dumps({**FULL.to_json(), "version": 2}), "is version 2, and this workdocs provider reads version 1 only"),
        (json.dumps({k: v for k, v in FULL.to_json().items() if k != "version"}), "is version None"),
        (json.dumps({**FULL.to_json(), "listings": []}), "has keys version 1 does not define: listings"),
        (json.dumps({**FULL.to_json(), "approved_removals": "u-1"}), "approved_removals must be a list of user Ids"),
        (json.dumps({**FULL.to_json(), "endpoint": "http://x"}), "endpoint must be an object"),
        (json.dumps([1]), "is not a JSON object"),
        ('{"version": 1,', "is not JSON"),
    ],
)
def test_another_version_or_a_broken_document_is_one_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "run.json"
    path.write_text(text)
    with pytest.raises(HandoffError) as refused:
        handoff.read(path)
    message = str(refused.value)
    assert isinstance(refused.value, WorkDocsError)
    assert words in message and str(path) in message and "WORKDOCS_RUN" in message and "\n" not in message


def test_a_missing_hand_off_file_is_refused_not_ignored(tmp_path: Path) -> None:
    missing = tmp_path / "gone.json"
    with pytest.raises(HandoffError, match=r"gone\.json \(\$WORKDOCS_RUN\) cannot be read: No such file"):
        handoff.current({handoff.RUN_ENV: str(missing)})


def test_no_variable_no_hand_off_and_a_file_is_read_once(tmp_path: Path) -> None:
    assert handoff.current({}) is None
    path = tmp_path / "run.json"
    FULL.write(path)
    first = handoff.current({handoff.RUN_ENV: str(path)})
    path.unlink()  # read once per process: the provider does not depend on the file afterwards
    assert handoff.current({handoff.RUN_ENV: str(path)}) is first


def test_a_temp_file_holds_the_hand_off_for_its_owner_only() -> None:
    path = handoff.temp_file(FULL)
    try:
        assert path.stat().st_mode & 0o077 == 0
        assert handoff.read(path) == FULL
    finally:
        path.unlink()


ENVIRON = {"AWS_ENDPOINT_URL": "http://env:2", "AWS_ENDPOINT_URL_WORKDOCS": "http://env-workdocs:3"}


@pytest.mark.parametrize(
    ("flag", "environ", "config", "expected"),
    [
        ("http://flag:4", ENVIRON, "http://config:1", Endpoint("http://flag:4", "from --endpoint")),
        (None, ENVIRON, "http://config:1", Endpoint("http://env-workdocs:3", "from $AWS_ENDPOINT_URL_WORKDOCS")),
        (None, {"AWS_ENDPOINT_URL": "http://env:2"}, "http://config:1",
         Endpoint("http://env:2", "from $AWS_ENDPOINT_URL")),
        (None, {"AWS_ENDPOINT_URL": ""}, "http://config:1",
         Endpoint("http://config:1", "from workdocs:endpoint in Pulumi.dev.yaml")),
        (None, {}, None, Endpoint(None, handoff.AWS_DEFAULT)),
    ],
)  # fmt: skip
def test_the_endpoint_rule_flag_variables_config_then_aws(
    flag: str | None, environ: dict[str, str], config: str | None, expected: Endpoint
) -> None:
    assert resolve_endpoint(flag, environ, config, "Pulumi.dev.yaml") == expected


def test_without_a_hand_off_the_provider_goes_by_its_stack_config_then_boto3s_variables() -> None:
    """A plain ``pulumi up``: the stack's workdocs:endpoint is the client's explicit endpoint."""
    assert sdk_endpoint("http://config:1", ENVIRON) == Endpoint(
        "http://config:1", "from workdocs:endpoint in the stack config"
    )
    assert sdk_endpoint(None, ENVIRON) == Endpoint("http://env-workdocs:3", "from $AWS_ENDPOINT_URL_WORKDOCS")
    assert sdk_endpoint(None, {}).describe() == f"AWS (the region endpoint) ({handoff.AWS_DEFAULT})"


def test_the_provider_takes_the_handed_endpoint_over_its_stack_config(
    hand_off: Callable[..., RunHandoff], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    for name in handoff.ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config = ConfigureRequest(Config({"workdocs:endpoint": "http://config:1"}, "test"))
    provider = WorkDocsUserProvider()
    provider.configure(config)  # no hand-off: the stack config
    assert provider._settings.endpoint_of() == Endpoint("http://config:1", "from workdocs:endpoint in the stack config")
    hand_off(endpoint=Endpoint("http://flag:4", "from --endpoint"))
    provider.configure(config)
    assert provider._settings.endpoint_of() == Endpoint("http://flag:4", "from --endpoint")
    hand_off(endpoint=Endpoint(None, handoff.AWS_DEFAULT))  # nothing resolved: the stack config decides
    provider.configure(config)
    assert provider._settings.endpoint == "http://config:1"
    settings = dataclasses.replace(ClientSettings(), endpoint="http://e:5", endpoint_source="from $AWS_ENDPOINT_URL")
    assert settings.endpoint_of().describe() == "http://e:5 (from $AWS_ENDPOINT_URL)"


def test_a_document_of_another_version_stops_the_provider_with_its_one_line(tmp_path: Path, monkeypatch: Any) -> None:
    from pulumi.dynamic import ConfigureRequest
    from pulumi.dynamic.config import Config

    path = tmp_path / "newer.json"
    path.write_text(json.dumps({**FULL.to_json(), "version": 2}))
    monkeypatch.setenv(handoff.RUN_ENV, str(path))
    with pytest.raises(HandoffError, match="is version 2"):
        WorkDocsUserProvider().configure(ConfigureRequest(Config({}, "test")))


ARGS: dict[str, Any] = {"organization_id": "d-1234567890", **ALICE}
NO_PASSWORD = {k: v for k, v in ARGS.items() if k != "password"}
UNSET = "password.env names ALICE_PASSWORD, which is not set; it is needed to create WorkDocs user 'alice'"


def _failures(news: dict[str, Any], olds: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in WorkDocsUserProvider().check(olds or {}, news).failures]


def test_only_the_named_user_without_a_password_is_refused_as_unset(hand_off: Callable[..., RunHandoff]) -> None:
    hand_off(unset_password_env={"ALICE": "ALICE_PASSWORD"})  # usernames are case-insensitive
    assert _failures(NO_PASSWORD) == [("password", UNSET)]
    # A password that came (set in another way) is used: the hand-off speaks only of a missing one.
    assert _failures(ARGS) == []
    hand_off(unset_password_env={"bob": "BOB_PASSWORD"})
    assert _failures(NO_PASSWORD) == [("password", "password is required")]


def test_without_a_hand_off_a_missing_password_is_the_schemas_refusal() -> None:
    """A plain ``pulumi up`` of one's own program: today's check, nothing from workdocs-users."""
    assert _failures(NO_PASSWORD) == [("password", "password is required")]
    assert _failures(NO_PASSWORD, olds=ARGS) == []  # an existing user needs none


def test_the_program_and_its_hand_off_agree_on_the_unset_password_variables(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    path.write_text(
        "organization_id: d-1234567890\nusers:\n"
        "  - {username: Alice, given_name: A, surname: L, password: {env: ALICE_PASSWORD}}\n"
        "  - {username: bob, given_name: B, surname: L, password: {env: BOB_PASSWORD}}\n"
        "  - {username: carol, given_name: C, surname: L, password: {config: carolPassword}}\n"
        "  - {username: dave, given_name: D, surname: L}\n"
    )
    users = load(path)
    assert unset_password_env(users, {"BOB_PASSWORD": "Set-Pass-1234"}) == {"Alice": "ALICE_PASSWORD"}
    assert unset_password_env(users, {"BOB_PASSWORD": "", "ALICE_PASSWORD": "x"}) == {"bob": "BOB_PASSWORD"}


def test_an_endpoint_is_described_without_its_user_and_password() -> None:
    """Plans (pull-request comments) and progress lines show the endpoint: never a credential in it."""
    from pulumi_workdocs.handoff import Endpoint

    assert Endpoint("http://key:secret@127.0.0.1:4567", "from --endpoint").describe() == (
        "http://127.0.0.1:4567 (from --endpoint)"
    )
    assert Endpoint(None, "AWS default").describe() == "AWS (the region endpoint) (AWS default)"
