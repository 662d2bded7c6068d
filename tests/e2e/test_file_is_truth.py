"""The users file is the truth, and the plan says all of it (engine + workdocs-local)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.commands import plan as plan_command
from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import ACCESS_KEY, SECRET_KEY, UsersCli, user
from tests.e2e.test_workdocs_user import client
from workdocs_local import WorkDocsLocalServer

pytestmark = pytest.mark.e2e


def live(cli: UsersCli) -> dict[str, dict[str, Any]]:
    users = client(cli.runner).describe_users(OrganizationId=cli.runner.server.organization_id, Include="ALL")["Users"]
    return {u["Username"]: u for u in users}


def plan_json(cli: UsersCli, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = cli("plan", "--format", "json", *args)
    out = capsys.readouterr().out
    return code, json.loads(out) if out else {}


def test_an_out_of_band_promotion_is_planned_and_reverted(cli: UsersCli, capsys: pytest.CaptureFixture[str]) -> None:
    """alan has no type: line, so he is a USER; an ADMIN made in WorkDocs is shown and undone."""
    cli.write([user("alan"), user("grace", type="ADMIN")])
    assert cli("up") == 0
    wd = client(cli.runner)
    wd.update_user(UserId=live(cli)["alan"]["Id"], Type="ADMIN")
    code, plan = plan_json(cli, capsys)
    assert code == 2
    assert plan["changes"] == [
        {"kind": "update", "username": "alan", "reason": "updated in place",
         "fields": [{"field": "type", "before": "ADMIN", "after": "USER"}]},
    ]  # fmt: skip
    assert cli("up") == 0
    assert live(cli)["alan"]["Type"] == "USER"
    assert plan_json(cli, capsys)[0] == 0
    # After a plain refresh too, the promotion is not lost: the next plan still shows it.
    wd.update_user(UserId=live(cli)["alan"]["Id"], Type="ADMIN")
    open_stack(load(cli.path), "dev", cli.runner.backend, cli.path.parent, endpoint=cli.runner.server.url).refresh()
    assert plan_json(cli, capsys)[0] == 2


def test_the_risk_section_shows_privilege_adoption_deletion_policy_and_protection(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.write([user("alice", protect=True), user("bob")])
    assert cli("up") == 0
    wd = client(cli.runner)
    org = cli.runner.server.organization_id
    old = wd.create_user(OrganizationId=org, Username="carol", GivenName="Carol", Surname="Tester",
                         EmailAddress="carol@example.com", Password="Old-Pass-1")["User"]  # fmt: skip
    wd.deactivate_user(UserId=old["Id"])
    cli.write([
        user("alice"),  # protect removed
        user("bob", deletion_policy="DELETE"),  # switch to DELETE
        user("carol", adopt=True),  # an INACTIVE account taken over: reactivated
        user("ada", type="ADMIN", storage="50 GB"),  # a new ADMIN
    ])  # fmt: skip
    cli.runner.server.app.requests.clear()
    code, plan = plan_json(cli, capsys)
    assert code == 2
    risks = {(r["kind"], r["username"]): r for r in plan["risks"]}
    assert list(risks) == [("privilege", "ada"), ("adoption", "carol"), ("deletion_policy", "bob"),
                           ("protect", "alice")]  # fmt: skip
    assert risks["privilege", "ada"]["facts"] == {"type": "ADMIN"}
    assert risks["adoption", "carol"]["facts"] == {"id": old["Id"], "status": "INACTIVE", "type": "USER",
                                                   "reactivates": True}  # fmt: skip
    assert "it will be reactivated" in risks["adoption", "carol"]["summary"]
    creates = {c["username"]: c for c in plan["changes"] if c["kind"] == "create"}
    assert creates["ada"]["details"] == {"type": "ADMIN", "status": "ACTIVE", "storage_rule": "50 GB"}
    assert creates["carol"]["details"]["adopts"] == old["Id"]
    assert cli.mutations() == []

    capsys.readouterr()
    assert cli("plan", "--format", "markdown") == 2
    markdown = capsys.readouterr().out
    review = markdown.index("#### Review first")
    assert review < markdown.index("#### Created") and review < markdown.index("#### Updated in place")
    for words in ("**privilege** `ada`: created as ADMIN", f"takes over existing user {old['Id']}",
                  "**deletion_policy** `bob`", "**protect** `alice`: protect removed"):  # fmt: skip
        assert words in markdown, words
    assert "type ADMIN, status ACTIVE, storage 50 GB" in markdown


def test_restoring_a_removed_user_is_refused_by_plan_naming_the_existing_id(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.write([user("alice"), user("bob")])
    assert cli("up") == 0
    bob = live(cli)["bob"]
    cli.write([user("alice")])
    assert cli("up", "--max-removals", "1") == 0
    assert live(cli)["bob"]["Status"] == "INACTIVE"  # deactivated: still holds the username
    cli.write([user("alice"), user("bob")])
    cli.runner.server.app.requests.clear()
    capsys.readouterr()
    for command in ("plan", "up"):
        assert cli(command) == 1
        printed = capsys.readouterr()
        assert printed.err.splitlines() == [
            f"workdocs-users {command}: refused: users[1] 'bob': a WorkDocs user with this username already exists "
            f"(Id {bob['Id']}, INACTIVE), so it cannot be created; to manage that user, add adopt: true to its "
            "entry (or give the new user another username)"
        ]
        assert "Traceback" not in printed.err and "During handling" not in printed.err
    assert cli.mutations() == []
    cli.write([user("alice"), user("bob", adopt=True)])
    assert cli("up") == 0
    assert live(cli)["bob"]["Status"] == "ACTIVE" and live(cli)["bob"]["Id"] == bob["Id"]


def test_plan_up_and_drift_use_one_endpoint_never_saved_in_the_stack(
    cli: UsersCli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--endpoint, then $AWS_ENDPOINT_URL_WORKDOCS, then workdocs:endpoint: the same for every command."""
    with WorkDocsLocalServer(
        access_keys=[f"{ACCESS_KEY}:{SECRET_KEY}"], organizations=[cli.runner.server.organization_id]
    ) as other:
        here, there = cli.runner.server, other

        def run(*args: str) -> int:
            common = ["--file", str(cli.path), "--stack", "dev", "--backend", str(cli.runner.backend)]
            from pulumi_workdocs.cli import main

            return main([args[0], *common, *args[1:]])

        cli.write([user("alice")])
        # workdocs-local's site administrator is kept outside the file, as docs/drift.md shows.
        (cli.path.parent / ".workdocs-drift-ignore.yaml").write_text("ignore:\n  - username: siteadmin\n")
        monkeypatch.setenv("AWS_ENDPOINT_URL_WORKDOCS", there.url)
        for server in (here, there):
            server.app.requests.clear()
        assert run("up") == 0
        assert run("plan") == 0
        assert run("drift") == 0
        assert here.app.requests.entries() == [] and there.app.requests.entries("CreateUser")
        config = cli.path.parent / "Pulumi.dev.yaml"
        assert "endpoint" not in config.read_text()  # the environment's endpoint is not saved
        capsys.readouterr()
        assert run("plan") == 0
        assert f"WorkDocs: {there.url} (from $AWS_ENDPOINT_URL_WORKDOCS)" in capsys.readouterr().out
        assert run("plan", "--format", "json") == 0
        assert json.loads(capsys.readouterr().out)["endpoint"] == f"{there.url} (from $AWS_ENDPOINT_URL_WORKDOCS)"
        # Without the variable, the flag names the service for all three.
        monkeypatch.delenv("AWS_ENDPOINT_URL_WORKDOCS")
        there.app.requests.clear()
        cli.write([user("alice"), user("bob")])
        assert run("plan", "--endpoint", here.url) == 2
        assert run("up", "--endpoint", here.url) == 0
        assert run("drift", "--endpoint", here.url) == 0
        assert there.app.requests.entries() == []
        assert {"alice", "bob"} <= {u["Username"] for u in client_for(here).describe_users(
            OrganizationId=here.organization_id)["Users"]}  # fmt: skip
        assert "endpoint" not in config.read_text()


def client_for(server: WorkDocsLocalServer) -> Any:
    import boto3

    return boto3.client("workdocs", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)  # fmt: skip


def test_an_update_landing_between_check_and_apply_cannot_bypass_the_guard(
    cli: UsersCli, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Another up adds users after this up's check: this up must not remove them unreviewed."""
    cli.write([user("alice"), user("bob")])
    assert cli("up") == 0
    other_file = tmp_path / "other" / "users.yaml"
    other_file.parent.mkdir()
    other_file.write_text(cli.path.read_text())
    (other_file.parent / "Pulumi.dev.yaml").write_text((cli.path.parent / "Pulumi.dev.yaml").read_text())
    other = UsersCli(cli.runner, other_file.parent)
    other.write([user("alice"), user("bob"), user("xavier"), user("yvonne"), user("zoe")])

    real_guard = plan_command.guard
    raced: list[int] = []

    def guard_then_race(*args: Any) -> str | None:
        verdict = real_guard(*args)
        if not raced:  # once: the other up checks with this guard too
            raced.append(-1)
            raced[0] = other("up", "--max-removals", "0")  # lands after the check, before the apply
        return verdict

    monkeypatch.setattr(plan_command, "guard", guard_then_race)
    cli.write([user("alice"), user("bob"), user("carol")])  # checked: one create, no removal
    capsys.readouterr()
    assert cli("up") == 1
    assert raced == [0]
    printed = capsys.readouterr()
    assert "its removal was not in the plan that workdocs-users up checked" in printed.err
    summary = printed.out[printed.out.index("Update failed:") :].splitlines()
    assert summary == ["Update failed: applied 1 of 1 planned changes (1 created).", "Failed: xavier, yvonne, zoe."]
    users = live(cli)
    assert all(users[name]["Status"] == "ACTIVE" for name in ("xavier", "yvonne", "zoe"))
    monkeypatch.setattr(plan_command, "guard", real_guard)
    assert cli("plan") == 1  # now the three removals are in the plan, and past the 25% guard


def test_up_of_300_users_prints_a_summary_progress_and_totals(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.write([user(f"user{i:03d}") for i in range(300)])
    capsys.readouterr()
    assert cli("up") == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) < 50, out
    assert out[0].startswith("WorkDocs: ") and "Created (300):" in out
    assert [line for line in out if line.startswith("applied ")][-1] == "applied 300/300"
    assert out[-1] == "Done: 300 created."
    assert not any(line.startswith(("  + ", "  - ", "+  ", "-  ")) for line in out)


def test_demoting_the_last_admin_is_refused_at_plan_time(cli: UsersCli, capsys: pytest.CaptureFixture[str]) -> None:
    cli.write([user("alice", type="ADMIN"), user("bob")])
    assert cli("up") == 0
    wd = client(cli.runner)
    for other in live(cli).values():  # a site's own administrator too: alice is to be the last ADMIN
        if other["Username"] != "alice" and other.get("Type") == "ADMIN":
            wd.update_user(UserId=other["Id"], Type="USER")
    cli.write([user("alice"), user("bob")])
    cli.runner.server.app.requests.clear()
    capsys.readouterr()
    assert cli("plan") == 1
    err = capsys.readouterr().err
    assert "alice would leave the organization without an active ADMIN" in err
    assert "DeactivatingLastSystemUserException" in err
    assert cli("up") == 1 and cli.mutations() == []
    assert yaml.safe_load(cli.path.read_text())["users"][0]["username"] == "alice"
