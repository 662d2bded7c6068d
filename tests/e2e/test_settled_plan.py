"""A plan with nothing to change skips the engine's preview, and says what the preview says.

``core.plan.settled_steps`` decides from the users file, the state and one listing; the
preview (``--always-preview``) stays the authority whenever anything may change. Each case
below runs the real engine against workdocs-local.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pulumi import automation as auto

from pulumi_workdocs.commands import plan as plan_command
from pulumi_workdocs.core.recovery import JournalRun
from pulumi_workdocs.engine.journal import open_journal
from pulumi_workdocs.engine.root_stack import PROJECT, open_stack
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import UsersCli, user, user_resources
from tests.e2e.test_workdocs_user import client

pytestmark = pytest.mark.e2e


def plan(cli: UsersCli, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], int, int]:
    """(exit code, the JSON plan, DescribeUsers calls, engine previews run)."""
    cli.runner.server.app.requests.clear()
    capsys.readouterr()
    previews = len(PREVIEWS)
    code = cli("plan", "--format", "json", *args)
    out = capsys.readouterr().out
    calls = sum(1 for e in cli.runner.server.app.requests.entries() if e["operation"] == "DescribeUsers")
    return code, json.loads(out) if out else {}, calls, len(PREVIEWS) - previews


PREVIEWS: list[str] = []


@pytest.fixture(autouse=True)
def count_previews(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts the engine's previews (the real ones: the wrapper calls through)."""
    real = plan_command.preview_steps

    def counted(stack: Any) -> Any:
        PREVIEWS.append(stack.name)
        return real(stack)

    monkeypatch.setattr(plan_command, "preview_steps", counted)


def ids(cli: UsersCli) -> dict[str, str]:
    wd = client(cli.runner)
    users = wd.describe_users(OrganizationId=cli.runner.server.organization_id, Include="ALL")["Users"]
    return {u["Username"]: u["Id"] for u in users}


def test_nothing_to_change_is_planned_without_the_engine_and_as_the_engine_plans_it(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.write([user("alice", protect=True), user("bob"), user("carol", locale="de")])
    assert cli("up") == 0
    wd = client(cli.runner)
    # A change WorkDocs holds in a field the file leaves to it (bob has no locale: line) is not drift.
    wd.update_user(UserId=ids(cli)["bob"], Locale="fr")

    fast = plan(cli, capsys)
    engine = plan(cli, capsys, "--always-preview")
    assert fast[0] == engine[0] == 0
    assert fast[1] == engine[1] and fast[1]["totals"]["unchanged"] == 3 and fast[1]["managed"] == 3
    assert (fast[3], engine[3]) == (0, 1)  # the engine's preview ran for the second only
    assert fast[2] == engine[2] == 1  # one listing either way: the preview's refresh reads the plan's
    capsys.readouterr()
    assert cli("up") == 0 and "No changes" in capsys.readouterr().out


@pytest.mark.parametrize(
    "case",
    ["file changes a field", "WorkDocs changes a managed field", "protect goes", "a user is added",
     "a user is removed", "a user is deleted in WorkDocs", "an interrupted update left its journal"],
)  # fmt: skip
def test_anything_that_may_change_goes_through_the_engine(
    cli: UsersCli, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    users = [user("alice", protect=True), user("bob"), user("carol")]
    cli.write(users)
    assert cli("up") == 0
    wd, known = client(cli.runner), ids(cli)
    expected: list[tuple[str, str]] = []
    if case == "file changes a field":
        cli.write([users[0], user("bob", surname="Builder"), users[2]])
        expected = [("update", "bob")]
    elif case == "WorkDocs changes a managed field":
        wd.update_user(UserId=known["carol"], GivenName="Caroline")
        expected = [("update", "carol")]
    elif case == "protect goes":
        cli.write([user("alice"), *users[1:]])
        expected = [("update", "alice")]
    elif case == "a user is added":
        cli.write([*users, user("dave")])
        expected = [("create", "dave")]
    elif case == "a user is removed":
        cli.write(users[:2])
        expected = [("deactivate", "carol")]
    elif case == "a user is deleted in WorkDocs":
        wd.delete_user(UserId=known["bob"])
        expected = [("create", "bob")]
    else:
        journal = open_journal(str(cli.runner.backend), cli.path.parent, PROJECT, "dev")
        journal.record(JournalRun(dt.datetime.now(dt.UTC), frozenset()))
    code, planned, calls, previews = plan(cli, capsys, "--max-removals", "1")
    assert previews == 1
    # One listing, read again by the preview's refresh; a user missing from it is described alone.
    assert calls == (2 if case == "a user is deleted in WorkDocs" else 1)
    assert [(c["kind"], c["username"]) for c in planned["changes"]] == expected
    assert code == (2 if expected else 0)


def test_a_refresh_of_unchanged_users_leaves_their_state_as_it_was(cli: UsersCli) -> None:
    """The provider's read gives no inputs for an unchanged user, so the engine keeps the stored
    ones: a preview with a refresh then has nothing to rewrite for that user (when read gave
    the live values as inputs, every user differed from the program's and the engine rewrote the
    whole snapshot once per user: a no-change plan was quadratic in the users)."""
    cli.write([user("alice"), user("bob")])
    assert cli("up") == 0
    stack = open_stack(load(cli.path), "dev", cli.runner.backend, cli.path.parent, endpoint=cli.runner.server.url)
    before = user_resources(stack)
    client(cli.runner).update_user(UserId=ids(cli)["bob"], GivenName="Robert")
    stack.refresh()
    after = user_resources(stack)
    assert after["alice"]["inputs"] == before["alice"]["inputs"] and "password" in after["alice"]["inputs"]
    assert after["alice"]["outputs"] == before["alice"]["outputs"]
    assert after["bob"]["inputs"]["given_name"] == "Robert"  # a change in WorkDocs reaches the inputs


def test_a_password_the_program_could_not_pass_goes_to_the_preview(
    cli: UsersCli, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without a preview the program does not run: a password from config must exist and pass the
    schema, else the preview runs and refuses as before."""
    cli.write([user("alice"), user("bob")])
    assert cli("up") == 0
    cli.write([user("alice", password={"config": "alicePassword"}), user("bob")])
    code, _, _, previews = plan(cli, capsys)
    assert (code, previews) == (1, 1)  # the key is not set: the engine says so
    stack = open_stack(load(cli.path), "dev", cli.runner.backend, cli.path.parent, endpoint=cli.runner.server.url)
    stack.set_config("workdocs-users:alicePassword", auto.ConfigValue("x" * 40, secret=True))
    code, _, _, previews = plan(cli, capsys)
    assert (code, previews) == (1, 1)  # longer than WorkDocs allows: check() refuses it
    stack.set_config("workdocs-users:alicePassword", auto.ConfigValue("Passw0rd-for-alice", secret=True))
    code, planned, _, previews = plan(cli, capsys)
    assert (code, previews, planned["changes"]) == (0, 0, [])  # a good one: nothing to preview
