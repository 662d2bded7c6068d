"""`workdocs-users plan` and `up` from a real preview (engine + workdocs-local)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import UsersCli, user, user_resources
from tests.e2e.test_workdocs_user import client

pytestmark = pytest.mark.e2e


START = [
    user("alice"),
    user("bob", deletion_policy="DELETE"),
    user("carol", deletion_policy="DELETE"),
    user("dave"),
    user("erin"),
    user("grace"),
]
CHANGED = [
    user("alice", given_name="Alicia", storage="1 TiB"),  # update in place
    # bob removed: DELETE policy -> documents permanently deleted
    user("carol", deletion_policy="DELETE", email_address="carol@new.example.com"),  # replace
    # dave removed: DEACTIVATE
    user("erin", status="INACTIVE"),  # deactivation
    user("frank"),  # create
    user("grace"),  # unchanged
]


def test_plan_renders_every_kind_of_change_destructive_first(cli: UsersCli, capsys: pytest.CaptureFixture[str]) -> None:
    cli.write(START, defaults={"storage": "50 GB"})
    assert cli("up") == 0
    capsys.readouterr()
    assert cli("plan", "--format", "json") == 0  # nothing to do
    assert json.loads(capsys.readouterr().out)["changes"] == []

    cli.write(CHANGED, defaults={"storage": "50 GB"})
    cli.runner.server.app.requests.clear()
    assert cli("plan", "--format", "json", "--max-removals", "100%") == 2
    plan = json.loads(capsys.readouterr().out)
    assert [(c["kind"], c["username"]) for c in plan["changes"]] == [
        ("delete", "bob"),
        ("replace", "carol"),
        ("deactivate", "dave"),
        ("deactivate", "erin"),
        ("create", "frank"),
        ("update", "alice"),
    ]
    carol = plan["changes"][1]
    assert carol["fields"] == [
        {"field": "email_address", "before": "carol@example.com", "after": "carol@new.example.com"}
    ]
    assert "DeleteUser permanently deletes" in carol["reason"]
    assert plan["changes"][5]["fields"] == [
        {"field": "given_name", "before": "Alice", "after": "Alicia"},
        {"field": "storage_rule", "before": "50 GB", "after": "1 TiB"},
    ]
    assert plan["totals"]["unchanged"] == 1 and plan["removals"] == 4 and plan["managed"] == 6
    assert cli.mutations() == []  # a plan changes nothing

    assert cli("plan", "--format", "markdown", "--max-removals", "100%") == 2
    markdown = capsys.readouterr().out
    assert markdown.index("#### Deleted") < markdown.index("#### Replaced") < markdown.index("#### Created")
    assert "Tester" in markdown and "ciphertext" not in markdown


def test_max_removals_blocks_plan_and_up_and_allows_when_raised(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.write(START)
    assert cli("up") == 0
    cli.write(CHANGED)
    cli.runner.server.app.requests.clear()
    capsys.readouterr()
    assert cli("plan") == 1  # 4 removals of 6 managed users > 25%
    assert "refused: 4 users would be deleted or deactivated" in capsys.readouterr().err
    assert cli("up") == 1
    assert cli.mutations() == []  # refused before anything changed
    assert cli("plan", "--max-removals", "4") == 2
    assert cli("up", "--max-removals", "4") == 0
    assert sorted(set(cli.mutations())) == ["CreateUser", "DeactivateUser", "DeleteUser", "UpdateUser"]
    assert cli("plan") == 0


def test_password_sources_never_leak(
    cli: UsersCli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from pulumi import automation as auto

    from pulumi_workdocs.engine.root_stack import open_stack
    from pulumi_workdocs.users_file import load

    monkeypatch.setenv("BOB_INITIAL_PASSWORD", "Env-Pass-4417")
    cli.write([
        user("alice", password={"config": "alicePassword"}),
        user("bob", password={"env": "BOB_INITIAL_PASSWORD"}),
        user("carol"),  # generated
    ])  # fmt: skip
    stack = open_stack(load(cli.path), "dev", cli.runner.backend, cli.path.parent, endpoint=cli.runner.server.url)
    stack.set_config("workdocs-users:alicePassword", auto.ConfigValue("Config-Pass-9921", secret=True))
    assert cli("up") == 0
    printed = capsys.readouterr()
    generated = stack.outputs()["generated_passwords"]
    assert generated.secret and set(generated.value) == {"carol"}
    secrets = ["Config-Pass-9921", "Env-Pass-4417", generated.value["carol"]]
    exported = cli.runner.export_plain(cwd=cli.path.parent)
    for secret in secrets:
        assert secret not in exported and secret not in printed.out and secret not in printed.err
    assert cli("plan", "--format", "markdown") == 0
    assert all(secret not in capsys.readouterr().out for secret in secrets)
    state = user_resources(stack)
    # The right password went in; it is readable only through --show-secrets (the decrypted view).
    assert json.loads(state["alice"]["inputs"]["password"]["plaintext"]) == "Config-Pass-9921"
    assert json.loads(state["bob"]["inputs"]["password"]["plaintext"]) == "Env-Pass-4417"
    # Later runs need not carry the variable: the password was used once, to create bob.
    monkeypatch.delenv("BOB_INITIAL_PASSWORD")
    assert cli("plan") == 0
    state = user_resources(stack)
    assert json.loads(state["bob"]["inputs"]["password"]["plaintext"]) == "Env-Pass-4417"
    stack.refresh()  # read() keeps no password in the inputs: bob must still count as existing
    cli.runner.server.app.requests.clear()
    assert cli("plan") == 0 and cli("up") == 0
    assert cli.mutations() == []


@pytest.mark.parametrize(
    ("users", "name", "words"),
    [
        # a replace the deletion policy cannot do: refused at check
        ([user("alice", protect=True), user("bob", email_address="bob@new.example.com")], "bob", "deletion_policy"),
        # a new user whose password variable is not set
        ([user("alice", protect=True), user("bob"), user("dave", password={"env": "DAVE_PASSWORD"})], "dave",
         "password.env names DAVE_PASSWORD, which is not set; it is needed to create WorkDocs user 'dave'"),
        # a new user whose password the service would refuse (too long): never printed
        ([user("alice", protect=True), user("bob"), user("erin", password={"env": "ERIN_PASSWORD"})], "erin",
         "password must be at most 32 characters"),
        # a protected user removed
        ([user("bob")], "alice", "protect"),
    ],
)  # fmt: skip
def test_what_the_engine_refuses_is_one_line_without_values(
    cli: UsersCli,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    users: list[dict[str, Any]],
    name: str,
    words: str,
) -> None:
    """Not the engine's whole log, and not the engine's quoting of the offending value."""
    monkeypatch.delenv("DAVE_PASSWORD", raising=False)
    monkeypatch.setenv("ERIN_PASSWORD", "Too-Long-Secret-" + "x" * 30)
    cli.write([user("alice", protect=True), user("bob")])
    assert cli("up") == 0
    cli.runner.server.app.requests.clear()
    capsys.readouterr()
    cli.write(users)
    assert cli("plan", "--max-removals", "100%") == 1
    printed = capsys.readouterr()
    assert printed.err.splitlines()[0] == "workdocs-users: the preview failed:"
    rest = printed.err.splitlines()[1:]
    assert len(rest) == 1 and rest[0].startswith(f"  {name}: ") and words in rest[0], printed.err
    assert "Too-Long-Secret" not in printed.err and "new.example.com" not in printed.err
    assert printed.out == "" and cli.mutations() == []


def test_a_users_file_without_its_stack_config_is_refused(
    cli: UsersCli, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Pulumi.<stack>.yaml holds the password seed: a checkout without it must not mint a new one."""
    cli.write([user("alice"), user("bob")])
    assert cli("up") == 0
    assert (cli.path.parent / "Pulumi.dev.yaml").exists()
    elsewhere = UsersCli(cli.runner, tmp_path / "checkout")
    elsewhere.path.parent.mkdir()
    elsewhere.path.write_text(cli.path.read_text())
    capsys.readouterr()
    assert elsewhere("plan") == 1
    assert capsys.readouterr().err.splitlines() == [
        f"workdocs-users: stack 'dev' has been updated before, but {elsewhere.path.parent}/Pulumi.dev.yaml has no "
        "workdocs-users:passwordSeed: restore that file (keep it in git next to the users file; it holds only "
        "ciphertext), or, if it is lost for good, set a new seed with `pulumi config set --secret "
        "workdocs-users:passwordSeed ...` (generated passwords then change in the outputs, not in WorkDocs)"
    ]
    made = elsewhere.path.parent / "Pulumi.dev.yaml"  # the engine writes the encryption salt on select
    assert not made.exists() or "passwordSeed" not in made.read_text()
    (elsewhere.path.parent / "Pulumi.dev.yaml").write_text((cli.path.parent / "Pulumi.dev.yaml").read_text())
    assert elsewhere("plan") == 0


def test_removing_protection_shows_in_the_plan(cli: UsersCli, capsys: pytest.CaptureFixture[str]) -> None:
    cli.write([user("alice", protect=True), user("bob")])
    assert cli("up") == 0
    cli.write([user("alice"), user("bob")])
    capsys.readouterr()
    assert cli("plan", "--format", "json") == 2
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert changes == [
        {"kind": "update", "username": "alice", "reason": "updated in place",
         "fields": [{"field": "protect", "before": "True", "after": "False"}]},
    ]  # fmt: skip
    assert cli("up") == 0 and cli("plan") == 0


def test_a_wrong_passphrase_is_one_line(
    cli: UsersCli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli.write([user("alice")])
    assert cli("up") == 0
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "not-the-passphrase")
    capsys.readouterr()
    assert cli("plan") == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("workdocs-users: the engine failed: error: "), lines
    assert "passphrase" in lines[0]


def test_a_replace_is_refused_against_workdocs_even_when_the_file_never_set_the_field(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    """An adopted user keeps no email in its stored inputs; a new email in the file replaces it,
    which under DEACTIVATE cannot work: refused by plan and up, with no call that changes anything."""
    wd = client(cli.runner)
    organization = cli.runner.server.organization_id
    wd.create_user(OrganizationId=organization, Username="alice", GivenName="Alice", Surname="Tester",
                   EmailAddress="alice@example.com", Password="Passw0rd-xyz-1")  # fmt: skip
    entry = {"username": "alice", "given_name": "Alice", "surname": "Tester", "adopt": True}
    cli.write([entry])
    assert cli("up") == 0
    cli.write([{**entry, "email_address": "alice2@example.com"}])
    cli.runner.server.app.requests.clear()
    capsys.readouterr()
    assert cli("plan", "--max-removals", "5") == 1
    err = capsys.readouterr().err
    assert "alice: changing email_address replaces user 'alice', and under deletion_policy DEACTIVATE" in err, err
    assert cli("up", "--max-removals", "5") == 1
    assert cli.mutations() == []
    [alice] = [u for u in wd.describe_users(OrganizationId=organization, Include="ALL")["Users"]
               if u["Username"] == "alice"]  # fmt: skip
    assert alice["Status"] == "ACTIVE" and alice["EmailAddress"] == "alice@example.com"


def test_an_email_changed_in_workdocs_and_then_in_the_file_plans_and_refreshes_as_usual(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    """A directory sync can change an email WorkDocs' API cannot: the stored inputs keep the old one.
    The refusal above must not fire on a refresh, nor on a plan whose file matches WorkDocs."""
    cli.write([user("alice"), user("bob")])
    assert cli("up") == 0
    with cli.runner.server.backend._transaction() as db:
        db.execute("UPDATE users SET email_address = ? WHERE username = ?", ("alice.new@example.com", "alice"))
    stack = open_stack(load(cli.path), "dev", cli.runner.backend, cli.path.parent, endpoint=cli.runner.server.url)
    stack.refresh()  # the refresh's own diff sees a replace field changed in WorkDocs: not an error
    cli.write([user("alice", email_address="alice.new@example.com"), user("bob"), user("carol")])
    capsys.readouterr()
    assert cli("plan", "--format", "json") == 2
    assert [(c["kind"], c["username"]) for c in json.loads(capsys.readouterr().out)["changes"]] == [("create", "carol")]
    assert cli("up") == 0
