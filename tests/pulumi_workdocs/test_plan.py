"""build_plan, the renderers and the removal guard: pure functions of preview steps."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from pulumi_workdocs.core.plan import FieldChange, Step, build_plan, guard
from pulumi_workdocs.core.plan_render import SECRET_SIGNATURE, render_json, render_markdown, render_text
from pulumi_workdocs.core.user import UserArgs, UserOutputs, as_args, as_outputs
from pulumi_workdocs.errors import UsageError

SECRET = {SECRET_SIGNATURE: "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "[secret]"}


def outs(username: str, **extra: Any) -> UserOutputs:
    return as_outputs({
        "organization_id": "d-1234567890",
        "username": username,
        "given_name": username.title(),
        "surname": "X",
        "email_address": f"{username}@example.com",
        "status": "ACTIVE",
        "type": "USER",
        "deletion_policy": "DEACTIVATE",
        "adopt": False,
        "storage_rule": {"storage_type": "QUOTA", "storage_allocated_in_bytes": 50 * 1000**3},
        **extra,
    })  # fmt: skip


def inputs(username: str, **extra: Any) -> UserArgs:
    base = {k: v for k, v in outs(username).items()}
    return as_args({**base, "password": SECRET, **extra})


STEPS = [
    Step("update", "alice", outs("alice"), inputs("alice", given_name="Alicia", storage_rule={
        "storage_type": "QUOTA", "storage_allocated_in_bytes": 1024**4})),
    Step("delete", "bob", outs("bob", deletion_policy="DELETE"), None),
    Step("create-replacement", "carol", outs("carol", deletion_policy="DELETE"),
         inputs("carol", email_address="carol@new.example.com", deletion_policy="DELETE"), ("email_address",)),
    Step("replace", "carol", outs("carol", deletion_policy="DELETE"),
         inputs("carol", email_address="carol@new.example.com", deletion_policy="DELETE"), ("email_address",)),
    Step("delete-replaced", "carol", outs("carol", deletion_policy="DELETE"), None),
    Step("delete", "dave", outs("dave"), None),
    Step("update", "erin", outs("erin"), inputs("erin", status="INACTIVE")),
    Step("create", "frank", None, inputs("frank")),
    Step("same", "grace", outs("grace"), inputs("grace")),
]  # fmt: skip


def test_destructive_changes_come_first_with_their_causes() -> None:
    plan = build_plan(STEPS)
    assert [(c.kind, c.username) for c in plan.changes] == [
        ("delete", "bob"),
        ("replace", "carol"),
        ("deactivate", "dave"),
        ("deactivate", "erin"),
        ("create", "frank"),
        ("update", "alice"),
    ]
    by_name = {c.username: c for c in plan.changes}
    assert "permanently deletes all of the user's documents" in by_name["bob"].reason
    assert by_name["carol"].reason.startswith("email_address cannot be changed in place")
    assert [(f.field, f.before, f.after) for f in by_name["carol"].fields] == [
        ("email_address", "carol@example.com", "carol@new.example.com")
    ]
    assert "documents kept" in by_name["dave"].reason
    assert by_name["erin"].reason.startswith("status ACTIVE -> INACTIVE")
    assert [f.field for f in by_name["alice"].fields] == ["given_name", "storage_rule"]
    assert plan.managed == 6 and plan.unchanged == 1 and plan.removals == 4


def test_markdown_lists_destructive_first_with_field_level_changes() -> None:
    text = render_markdown(build_plan(STEPS))
    order = [
        text.index(h) for h in ("#### Deleted", "#### Replaced", "#### Deactivated", "#### Created", "#### Updated")
    ]
    assert order == sorted(order)
    assert "- `alice`: given_name `Alice` -> `Alicia`; storage `50 GB` -> `1 TiB`" in text
    assert "**4 destructive change(s) listed first" in text
    assert (
        "**Totals:** 1 to delete, 1 to replace, 2 to deactivate, 1 to create, 1 to update in place, 1 unchanged."
        in text
    )


def test_no_secret_reaches_any_rendering() -> None:
    plan = build_plan(STEPS + [Step("update", "hank", outs("hank"), inputs("hank", given_name="Hank2"))])
    for rendered in (render_text(plan), render_markdown(plan), render_json(plan)):
        assert "ciphertext" not in rendered and SECRET_SIGNATURE not in rendered and "password" not in rendered


def test_json_is_machine_readable() -> None:
    document = json.loads(render_json(build_plan(STEPS)))
    assert document["totals"] == {
        "delete": 1, "replace": 1, "deactivate": 2, "create": 1, "update": 1, "unchanged": 1,
    }  # fmt: skip
    assert document["changes"][0] == {
        "kind": "delete",
        "username": "bob",
        "reason": document["changes"][0]["reason"],
        "fields": [],
    }


def test_no_changes_renders_as_such() -> None:
    plan = build_plan([Step("same", "grace", outs("grace"), inputs("grace"))])
    assert plan.changes == [] and render_text(plan).startswith("No changes")


@pytest.mark.parametrize(
    ("limit", "refused"),
    [("25%", True), ("66%", True), ("67%", False), ("3", True), ("4", False), ("100%", False), ("0", True)],
)
def test_removal_guard(limit: str, refused: bool) -> None:
    plan = build_plan(STEPS)  # 4 removals of 6 managed users
    message = guard(plan, limit)
    assert (message is not None) is refused
    if message:
        assert message.startswith("refused: 4 users would be deleted or deactivated") and "\n" not in message


@pytest.mark.parametrize("limit", ["lots", "-1", "-5%", "nan%", "inf%", "1.5", ""])
def test_guard_rejects_a_malformed_limit(limit: str) -> None:
    with pytest.raises(UsageError, match="--max-removals takes N or P%"):
        guard(build_plan(STEPS), limit)


@pytest.mark.parametrize("argv", [["plan", "--max-removals", "-1"], ["up", "--max-removals", "x%"], ["plan", "--nope"]])
def test_usage_errors_exit_1_before_the_engine_runs(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """2 means "changes" to a CI script; a typo in the workflow must not read as a plan."""
    from pulumi_workdocs.cli import main

    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 1
    last = capsys.readouterr().err.splitlines()[-1]
    assert re.match(r"workdocs-users( plan| up)?: error: (argument --max-removals|unrecognized arguments)", last), last


def test_a_refused_plan_says_so_in_every_format() -> None:
    """The pull-request comment must explain the red check, not look like an ordinary plan."""
    plan = build_plan(STEPS)
    plan.refused = guard(plan, "25%")
    assert plan.refused is not None
    reason = plan.refused.removeprefix("refused: ")
    assert render_markdown(plan).endswith(f"\n> [!CAUTION]\n> **Refused:** {reason}\n")
    assert render_text(plan).endswith(f"\nRefused: {reason}\n")
    assert json.loads(render_json(plan))["refused"] == plan.refused
    assert json.loads(render_json(build_plan(STEPS)))["refused"] is None


def test_a_protection_change_alone_is_an_update_a_reviewer_sees() -> None:
    steps = [
        Step("same", "grace", outs("grace"), inputs("grace"), protect=(True, False)),
        Step("same", "heidi", outs("heidi"), inputs("heidi"), protect=(True, True)),
    ]
    plan = build_plan(steps)
    assert [(c.kind, c.username, c.fields) for c in plan.changes] == [
        ("update", "grace", (FieldChange("protect", True, False),))
    ]
    assert plan.unchanged == 1
    assert "protect True -> False" in render_text(plan)


def test_a_case_only_rename_is_refused() -> None:
    """WorkDocs usernames ignore case: creating 'Henry' beside 'henry' fails half-way through an up."""
    plan = build_plan([Step("delete", "henry", outs("henry"), None), Step("create", "Henry", None, inputs("Henry"))])
    assert guard(plan, "100%") == (
        "refused: 'henry' -> 'Henry' changes only the case of a username; WorkDocs usernames ignore case, so the "
        "new user cannot be created beside the old one: keep each username as it was"
    )
    assert guard(build_plan(STEPS), "100%") is None


# -- risks, predicted failures, the last ADMIN, resumed creates ----------------------------

from pulumi_workdocs.core.plan import LiveUser, last_admin_refusal, predict_failures  # noqa: E402

SIZE_50_GB = {"storage_type": "QUOTA", "storage_allocated_in_bytes": 50 * 1000**3}


def test_risks_come_with_their_facts() -> None:
    steps = [
        Step("create", "ada", None, inputs("ada", type="ADMIN")),
        Step("create", "carol", None, inputs("carol", adopt=True)),
        Step("update", "bob", outs("bob"), inputs("bob", deletion_policy="DELETE", type="POWERUSER")),
        Step("update", "alice", outs("alice"), inputs("alice"), protect=(True, False)),
    ]
    live = [LiveUser("id-carol", "carol", "USER", "INACTIVE")]
    plan = build_plan(steps, live)
    assert [(r.kind, r.username, r.facts) for r in plan.risks] == [
        ("privilege", "ada", {"type": "ADMIN"}),
        ("privilege", "bob", {"type": "POWERUSER", "before": "USER"}),
        ("adoption", "carol", {"id": "id-carol", "status": "INACTIVE", "type": "USER", "reactivates": True}),
        ("deletion_policy", "bob", {"deletion_policy": "DELETE"}),
        ("protect", "alice", {"protect": False}),
    ]
    creates = {c.username: c for c in plan.changes if c.kind == "create"}
    assert creates["ada"].details == {"type": "ADMIN", "status": "ACTIVE", "storage_rule": SIZE_50_GB}
    assert creates["carol"].details["adopts"] == "id-carol" and "reactivated" in creates["carol"].reason
    text = render_text(plan)
    assert text.index("Review first (5):") < text.index("Created (2):")
    assert "ada: new user: Ada X, ada@example.com [type ADMIN, status ACTIVE, storage 50 GB]" in text


def test_an_adoption_of_an_active_user_is_not_a_reactivation() -> None:
    plan = build_plan([Step("create", "carol", None, inputs("carol", adopt=True))],
                      [LiveUser("id-carol", "carol", "USER", "ACTIVE")])  # fmt: skip
    assert plan.risks[0].facts["reactivates"] is False and "reactivated" not in plan.risks[0].summary


def test_a_taken_username_is_predicted_unless_adopted_managed_or_resumed() -> None:
    live = [LiveUser("id-bob", "Bob", "USER", "INACTIVE"), LiveUser("id-al", "alice", "USER", "ACTIVE")]
    declared = [(0, "alice", False), (1, "bob", False), (2, "carol", False)]
    conflicts = predict_failures(declared, {"alice": "id-al"}, live)
    assert [(c.index, c.username, c.existing.id) for c in conflicts] == [(1, "bob", "id-bob")]
    assert "(Id id-bob, INACTIVE)" in conflicts[0].line() and "add adopt: true" in conflicts[0].line()
    assert predict_failures([(1, "bob", True)], {}, live) == []
    assert predict_failures([(1, "bob", False)], {}, live, resumed={"bob": "id-bob"}) == []
    # the state's user was deleted and the username re-made by hand: a different Id is a conflict
    assert predict_failures([(0, "alice", False)], {"alice": "id-old"}, live)[0].existing.id == "id-al"


def test_demoting_deactivating_or_removing_the_last_admin_is_refused() -> None:
    admin = outs("alice", type="ADMIN")
    live = [LiveUser("id-alice", "alice", "ADMIN", "ACTIVE"), LiveUser("id-bob", "bob", "USER", "ACTIVE")]
    for step in (
        Step("update", "alice", admin, inputs("alice", type="USER"), id="id-alice"),
        Step("update", "alice", admin, inputs("alice", type="ADMIN", status="INACTIVE"), id="id-alice"),
        Step("delete", "alice", admin, None, id="id-alice"),
    ):
        plan = build_plan([step], live)
        assert "alice would leave the organization without an active ADMIN" in (
            last_admin_refusal(plan, [step], live) or ""
        )
    keep = Step("update", "alice", admin, inputs("alice", type="ADMIN", given_name="Al"), id="id-alice")
    assert last_admin_refusal(build_plan([keep], live), [keep], live) is None
    promote = [Step("update", "alice", admin, inputs("alice", type="USER"), id="id-alice"),
               Step("update", "bob", outs("bob"), inputs("bob", type="ADMIN"), id="id-bob")]  # fmt: skip
    assert last_admin_refusal(build_plan(promote, live), promote, live) is None
    assert last_admin_refusal(build_plan(promote[:1], []), promote[:1], []) is None  # no admin known: no claim


def test_a_resumed_create_takes_over_and_says_so() -> None:
    plan = build_plan([Step("create", "dora", None, inputs("dora"))], [], resumed={"dora": "id-dora"})
    assert plan.changes[0].id == "id-dora" and "resumes the interrupted update" in plan.changes[0].reason


# -- settled_steps: the plan without the engine when nothing is to change -----------------

from pulumi_workdocs.core.plan import Declared, settled_steps  # noqa: E402
from pulumi_workdocs.core.user import outputs_from_user  # noqa: E402
from pulumi_workdocs.engine.state import state_users  # noqa: E402

ORG = "d-1234567890"


def _live(name: str, **extra: Any) -> dict[str, Any]:
    return {"Id": f"id-{name}", "Username": name, "GivenName": name.title(), "Surname": "Tester",
            "EmailAddress": f"{name}@example.com", "OrganizationId": ORG, "Type": "USER", "Status": "ACTIVE",
            "Locale": "default", "TimeZoneId": "UTC", "RootFolderId": f"root-{name}",
            "Storage": {"StorageUtilizedInBytes": 0, "StorageRule": {"StorageAllocatedInBytes": 10**9,
                                                                     "StorageType": "QUOTA"}}, **extra}  # fmt: skip


def _declared(name: str, protect: bool = False, **extra: Any) -> Declared:
    inputs = {"username": name, "given_name": name.title(), "surname": "Tester", "organization_id": ORG, **extra}
    return Declared(name, as_args(inputs), protect)


def _state(live: dict[str, Any], protect: bool = False, **flags: Any) -> dict[str, Any]:
    """A resource as ``pulumi stack export`` shows it after an up that created ``live``."""
    outputs = outputs_from_user(live, {"organization_id": ORG})
    return {"urn": f"urn:pulumi:dev::workdocs-users::pulumi-python:dynamic:workdocs:User::{live['Username']}",
            "type": "pulumi-python:dynamic:workdocs:User", "id": live["Id"], "outputs": outputs,
            **({"protect": True} if protect else {}), **flags}  # fmt: skip


def test_settled_when_file_state_and_workdocs_agree() -> None:
    live = [_live("alice"), _live("bob", Locale="fr")]
    state = [{"type": "pulumi:pulumi:Stack", "urn": "urn:pulumi:dev::workdocs-users::pulumi:pulumi:Stack::x"},
             _state(live[0]), _state(_live("bob"), protect=True)]  # fmt: skip
    # bob's locale changed in WorkDocs, but the file leaves it to WorkDocs: nothing to do.
    steps = settled_steps([_declared("alice"), _declared("bob", protect=True)], state_users(state), live)
    assert steps is not None and [(s.op, s.name, s.id, s.protect) for s in steps] == [
        ("same", "alice", "id-alice", (False, False)),
        ("same", "bob", "id-bob", (True, True)),
    ]
    assert steps[1].old is not None and steps[1].old["locale"] == "fr"  # refreshed, as the provider reads
    plan = build_plan(steps)
    assert not plan.changes and plan.unchanged == 2 and plan.managed == 2


@pytest.mark.parametrize(
    "declared, live_changes, state_flags, why",
    [
        ([_declared("alice", given_name="Alicia")], {}, {}, "the file changes a field"),
        ([_declared("alice")], {"GivenName": "Al"}, {}, "WorkDocs changed a managed field"),
        ([_declared("alice", locale="fr")], {}, {}, "the file starts managing a field WorkDocs holds otherwise"),
        ([_declared("alice", protect=True)], {}, {}, "protect comes"),
        ([_declared("alice"), _declared("bob")], {}, {}, "a create"),
        ([], {}, {}, "a removal"),
        ([_declared("alice")], None, {}, "gone from WorkDocs"),
        ([_declared("alice")], {}, {"delete": True}, "a pending deletion"),
        ([_declared("alice")], {}, {"taint": True}, "pulumi state taint"),
        ([_declared("alice")], {}, {"initErrors": ["half made"]}, "a create that did not finish"),
        ([_declared("alice", deletion_policy="DELETE")], {}, {}, "the deletion policy changes"),
        ([_declared("alice", adopt=True)], {}, {}, "adopt comes"),
        (
            [Declared("alice", {**_declared("alice").inputs, "organization_id": "d-0000000000"})],
            {},
            {},
            "another organization",
        ),
        ([_declared("Alice")], {}, {}, "a rename of the resource"),
    ],
)
def test_not_settled_when_anything_may_change(
    declared: list[Declared], live_changes: dict[str, Any] | None, state_flags: dict[str, Any], why: str
) -> None:
    before = _live("alice")
    live = [] if live_changes is None else [{**before, **live_changes}]
    assert settled_steps(declared, state_users([_state(before, **state_flags)]), live) is None, why


# -- replaces that would fail half-way, judged against WorkDocs' values --------------------

from pulumi_workdocs.core.plan import replace_refusals  # noqa: E402
from pulumi_workdocs.core.user import UNKNOWN  # noqa: E402


def _replace(old: dict[str, Any], **new: Any) -> Step:
    inputs = {**{k: old[k] for k in ("username", "given_name", "surname", "organization_id")}, "password": "s", **new}
    name = str(new.get("username", old["username"]))
    return Step("replace", name, as_outputs(old), as_args(inputs), ("email_address",), None, old["Id"])


@pytest.mark.parametrize(
    "old_extra, new, refused",
    [
        ({}, {"email_address": "new@example.com"}, "under deletion_policy DEACTIVATE the old user keeps the username"),
        ({"deletion_policy": "DELETE"}, {"email_address": "new@example.com"}, None),
        ({}, {"email_address": "new@example.com", "password": None}, "which needs a password: set password"),
        ({}, {"email_address": "new@example.com", "username": "alice2"}, None),  # a new username is free
        ({}, {"organization_id": "d-0000000000"}, None),  # usernames are per organization
        ({}, {"email_address": UNKNOWN}, None),  # may turn out the same
    ],
)
def test_a_replace_that_would_fail_half_way_is_refused(old_extra: dict[str, Any], new: dict[str, Any],
                                                       refused: str | None) -> None:  # fmt: skip
    """The old outputs hold the email WorkDocs has even when the file never set it (an adoption):
    the provider's check() sees only the stored inputs, the plan sees this."""
    old = {**outputs_from_user(_live("alice", EmailAddress="alice@example.com"), {"organization_id": ORG}),
           "Id": "id-alice", **old_extra}  # fmt: skip
    line = replace_refusals([_replace(old, **new)])
    if refused is None:
        assert line is None
    else:
        assert line is not None and line.startswith("refused: alice: changing ") and refused in line
