"""The ``pulumi import --file`` document of ``export --format pulumi-import``: pure, no server, no engine."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from pulumi_workdocs.cli import main
from pulumi_workdocs.core.drift import Ignore, IgnoreRule
from pulumi_workdocs.core.import_file import (
    PLUGIN_USER_TYPE,
    build_import_file,
    parse_provider,
    render_import_file,
    resource_name,
)
from pulumi_workdocs.engine.state import stack_resources
from pulumi_workdocs.errors import UsageError
from pulumi_workdocs.plugin.package_schema import USER
from tests.pulumi_workdocs.test_drift import ORG, api_user, resource, users_file

PROVIDER_URN = "urn:pulumi:dev::team::pulumi:providers:workdocs::eu"


def plugin_resource(user: dict[str, Any], name: str) -> dict[str, Any]:
    """A workdocs:index:User in a deployment of a program that uses the plugin (camelCase outputs)."""
    return {
        "urn": f"urn:pulumi:dev::team::{PLUGIN_USER_TYPE}::{name}",
        "type": PLUGIN_USER_TYPE,
        "id": user["Id"],
        "outputs": {"username": user["Username"], "givenName": user["GivenName"]},
    }


def ids(document: dict[str, Any]) -> list[str]:
    return [r["id"] for r in document["resources"]]


def test_the_type_is_the_plugins() -> None:
    assert PLUGIN_USER_TYPE == USER


@pytest.mark.parametrize(
    ("username", "name"),
    [
        ("ada", "ada"),
        ("Ada.Lovelace", "ada_lovelace"),
        ("grace.hopper@example.com", "grace_hopper_example_com"),
        ("j-doe+ops", "j_doe_ops"),
        ("__x__", "x"),
        ("007", "user_007"),
        ("_9lives", "user_9lives"),
        ("...", "user"),
    ],
)
def test_a_username_becomes_an_identifier_every_language_takes(username: str, name: str) -> None:
    assert resource_name(username) == name
    assert name.isidentifier() and name.isascii() and name[0].isalpha()


def test_unmanaged_users_only_each_with_the_plugins_type_a_valid_name_and_its_workdocs_id(tmp_path: Path) -> None:
    ada, alan, grace = api_user("ada.lovelace"), api_user("alan.turing"), api_user("grace.hopper@example.com")
    edsger, barbara = api_user("Edsger"), api_user("barbara", Status="INACTIVE")
    other_org = api_user("linus", OrganizationId="d-other00000")
    declared = users_file(tmp_path, [{"username": "alan.turing", "given_name": "Alan", "surname": "Turing",
                                      "email_address": "alan@example.com"}])  # fmt: skip
    document = build_import_file(
        declared,
        [grace, edsger, ada, alan, barbara, other_org],
        stack_resources([resource(ada)]),  # ada is in the root stack's state; alan is in the users file
        ORG,
    )
    assert document == {
        "nameTable": {},
        "resources": [
            {"type": "workdocs:index:User", "name": "barbara", "id": "id-barbara"},  # any status
            {"type": "workdocs:index:User", "name": "edsger", "id": "id-Edsger"},
            {"type": "workdocs:index:User", "name": "grace_hopper_example_com", "id": "id-grace.hopper@example.com"},
        ],
    }


def test_without_a_users_file_the_state_alone_tells_the_managed_and_plugin_users_count(tmp_path: Path) -> None:
    ada, alan, grace = api_user("ada"), api_user("alan"), api_user("grace")
    state = [plugin_resource(ada, "ada"), {**plugin_resource(grace, "grace"), "delete": True}]
    document = build_import_file(None, [ada, alan, grace], stack_resources(state), ORG)
    assert ids(document) == ["id-alan", "id-grace"]  # a pending deletion is not managed


def test_names_are_unique_and_never_one_the_stack_already_uses(tmp_path: Path) -> None:
    users = [api_user(n) for n in ("ada.x", "ada-x", "ada_x", "ada+x", "bob", "ada_x_2")]
    state = [plugin_resource(api_user("someone"), "bob")]  # a resource of the program named bob
    document = build_import_file(None, users, stack_resources(state), ORG)
    names = {r["id"]: r["name"] for r in document["resources"]}
    assert names == {
        "id-ada+x": "ada_x",
        "id-ada-x": "ada_x_2",
        "id-ada.x": "ada_x_3",
        "id-ada_x": "ada_x_4",
        "id-ada_x_2": "ada_x_2_2",
        "id-bob": "bob_2",
    }
    assert len(set(names.values())) == len(names)


def test_the_order_and_the_text_do_not_depend_on_the_listing_order() -> None:
    users = [api_user(n) for n in ("zed", "Amy", "amy.b", "mia", "amy_b", "bo")]
    first = render_import_file(build_import_file(None, users, stack_resources([]), ORG))
    for seed in range(5):
        shuffled = users[:]
        random.Random(seed).shuffle(shuffled)
        assert render_import_file(build_import_file(None, shuffled, stack_resources([]), ORG)) == first
    assert [r["name"] for r in json.loads(first)["resources"]] == ["amy", "amy_b", "amy_b_2", "bo", "mia", "zed"]


def test_ignored_users_are_left_out_as_export_leaves_them() -> None:
    users = [api_user("siteadmin", Type="ADMIN"), api_user("ada")]
    document = build_import_file(None, users, stack_resources([]), ORG, Ignore((IgnoreRule("SiteAdmin"),)))
    assert ids(document) == ["id-ada"]


def test_an_explicit_provider_goes_in_the_name_table_and_on_every_resource() -> None:
    provider = parse_provider(f"eu={PROVIDER_URN}")
    users = [api_user("eu"), api_user("ada")]
    document = build_import_file(None, users, stack_resources([]), ORG, provider=provider)
    assert document["nameTable"] == {"eu": PROVIDER_URN}
    assert document["resources"] == [
        {"type": PLUGIN_USER_TYPE, "name": "ada", "id": "id-ada", "provider": "eu"},
        {"type": PLUGIN_USER_TYPE, "name": "eu_2", "id": "id-eu", "provider": "eu"},  # not the provider's name
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (PROVIDER_URN, "expected NAME=URN"),
        (f"1eu={PROVIDER_URN}", "expected NAME=URN"),
        ("eu=urn:pulumi:dev::team::workdocs:index:User::ada", "must be a workdocs provider's"),
        ("eu=pulumi:providers:workdocs", "must be a workdocs provider's"),
    ],
)
def test_a_bad_provider_is_refused_in_one_line(text: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as err:
        parse_provider(text)
    assert "\n" not in str(err.value)


def test_no_unmanaged_user_gives_an_empty_file_pulumi_import_reads() -> None:
    assert json.loads(render_import_file(build_import_file(None, [], stack_resources([]), ORG))) == {
        "nameTable": {},
        "resources": [],
    }


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--all", "--organization-id", ORG], "--all writes a users file"),
        (["--provider", f"eu={PROVIDER_URN}"], "--provider goes with --format pulumi-import"),
        (["--format", "pulumi-import", "--provider", "nope"], "--provider 'nope': expected NAME=URN"),
        (["--format", "pulumi-import"], "no users file; give --organization-id"),
    ],
)
def test_the_cli_refuses_bad_combinations_before_any_call(
    args: list[str], says: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if "--all" in args:
        args = [*args, "--format", "pulumi-import"]
    # No server at this endpoint and no backend: a refusal that made a call would fail otherwise.
    common = ["--file", str(tmp_path / "users.yaml"), "--backend", str(tmp_path / "nothing"),
              "--endpoint", "http://127.0.0.1:9"]  # fmt: skip
    assert main(["export", *common, *args]) == 1
    err = capsys.readouterr().err
    assert says in err and len(err.strip().splitlines()) == 1, err
