"""compute_drift, the ignore file, the renderers and export: pure, no server, no engine."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, cast

import pytest
import yaml

from pulumi_workdocs.aws import list_users
from pulumi_workdocs.commands.drift import load_ignore
from pulumi_workdocs.commands.export import build_export
from pulumi_workdocs.core.drift import (
    COMPARED,
    DriftReport,
    Ignore,
    IgnoreFileError,
    IgnoreRule,
    compute_drift,
    parse_ignore,
)
from pulumi_workdocs.core.drift_render import render_json, render_markdown, render_text
from pulumi_workdocs.core.export import export_entry
from pulumi_workdocs.core.user import outputs_from_user
from pulumi_workdocs.engine.state import state_users
from pulumi_workdocs.errors import UsageError, WorkDocsAPIError
from pulumi_workdocs.users_file import UsersFile, human_size, load, parse_size

ORG = "d-1234567890"
CREATED = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
SECRET = "Never-Shown-Pass-9"


def api_user(username: str, **overrides: Any) -> dict[str, Any]:
    """A user as DescribeUsers (Fields=STORAGE_METADATA) returns it."""
    user: dict[str, Any] = {
        "Id": f"id-{username}",
        "Username": username,
        "EmailAddress": f"{username}@example.com",
        "GivenName": username.title(),
        "Surname": "Example",
        "OrganizationId": ORG,
        "RootFolderId": f"root-{username}",
        "RecycleBinFolderId": f"bin-{username}",
        "Status": "ACTIVE",
        "Type": "USER",
        "CreatedTimestamp": CREATED,
        "ModifiedTimestamp": CREATED,
        "TimeZoneId": "Europe/London",
        "Locale": "default",
        "Storage": {
            "StorageUtilizedInBytes": 0,
            "StorageRule": {"StorageType": "QUOTA", "StorageAllocatedInBytes": 50 * 10**9},
        },
    }
    user.update(overrides)
    return user


def drift(desired: Any, live: Any, state: list[dict[str, Any]], ignore: Ignore | None = None) -> DriftReport:
    """compute_drift over the state as ``pulumi stack export`` shows it, read as the engine edge does."""
    return compute_drift(desired, live, state_users(state), ignore)


def export(users_file: Any, live: Any, state: list[dict[str, Any]], *args: Any, **kwargs: Any) -> tuple[str, int]:
    return build_export(users_file, live, state_users(state), *args, **kwargs)


def resource(user: dict[str, Any], **outputs: Any) -> dict[str, Any]:
    """A WorkDocsUser in a deployment, as the provider left it after create/read."""
    outs = {**outputs_from_user(user, {"deletion_policy": "DEACTIVATE", "adopt": False}), **outputs}
    return {
        "urn": f"urn:pulumi:dev::workdocs-users::pulumi-python:dynamic:workdocs:User::{outs['username']}",
        "type": "pulumi-python:dynamic:workdocs:User",
        "id": user["Id"],
        "inputs": {"username": outs["username"], "password": SECRET},
        "outputs": outs,
    }


def users_file(tmp_path: Path, users: list[dict[str, Any]], **extra: Any) -> UsersFile:
    path = tmp_path / "users.yaml"
    path.write_text(yaml.safe_dump({"organization_id": ORG, **extra, "users": users}, sort_keys=False))
    return load(path)


def entry(username: str, **values: Any) -> dict[str, Any]:
    """The users-file entry that matches api_user(username)."""
    return {
        "username": username,
        "given_name": username.title(),
        "surname": "Example",
        "email_address": f"{username}@example.com",
        "time_zone_id": "Europe/London",
        "storage": "50 GB",
        **values,
    }


@pytest.fixture
def alice_bob(tmp_path: Path) -> tuple[UsersFile, list[dict[str, Any]], list[dict[str, Any]]]:
    """A file, live users and state that all agree."""
    live = [api_user("alice"), api_user("bob")]
    return users_file(tmp_path, [entry("alice"), entry("bob")]), live, [resource(u) for u in live]


# -- compute_drift ----------------------------------------------------------------------


def test_file_state_and_live_in_agreement_is_clean(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    report = drift(desired, live, state, Ignore())
    assert report == DriftReport(ORG)
    assert (report.status, report.exit_code) == ("clean", 0)


def test_changed_reports_each_field_with_state_and_live_values_but_not_timestamps(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    later = CREATED + dt.timedelta(days=3)
    live[0] = api_user(
        "alice",
        GivenName="Alicia",
        Status="INACTIVE",
        ModifiedTimestamp=later,
        Storage={"StorageUtilizedInBytes": 7, "StorageRule": {"StorageType": "UNLIMITED"}},
    )
    report = drift(desired, live, state)
    assert report.to_json()["changed"] == [
        {
            "username": "alice",
            "id": "id-alice",
            "fields": [
                {"field": "given_name", "expected": "Alice", "live": "Alicia"},
                {
                    "field": "storage_rule",
                    "expected": {"storage_type": "QUOTA", "storage_allocated_in_bytes": 50 * 10**9},
                    "live": {"storage_type": "UNLIMITED"},
                },
                {"field": "status", "expected": "ACTIVE", "live": "INACTIVE"},
            ],
        }
    ]
    assert (report.status, report.exit_code) == ("drift", 2)
    assert not report.deleted and not report.unmanaged and not report.unapplied


def test_numbers_stored_as_doubles_in_state_are_not_drift(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    state[0]["outputs"]["storage_rule"] = {"storage_type": "QUOTA", "storage_allocated_in_bytes": 5e10}
    assert drift(desired, live, state).exit_code == 0


def test_deleted_out_of_band_names_a_recreated_user_with_the_same_username(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    report = drift(desired, [live[1]], state)
    assert report.to_json()["deleted"] == [{"username": "alice", "id": "id-alice", "recreated_as": None}]
    assert report.exit_code == 2

    again = drift(desired, [api_user("alice", Id="id-new"), live[1]], state)
    assert again.to_json()["deleted"] == [{"username": "alice", "id": "id-alice", "recreated_as": "id-new"}]
    assert again.unmanaged == ()  # alice is in the file: managed, only not yet recreated in state


def test_unmanaged_are_in_neither_file_nor_state_whatever_their_status(alice_bob: Any, tmp_path: Path) -> None:
    desired, live, state = alice_bob
    live += [api_user("mallory"), api_user("old.admin", Status="INACTIVE", EmailAddress=None)]
    report = drift(desired, live, state)
    assert report.to_json()["unmanaged"] == [
        {"username": "mallory", "id": "id-mallory", "status": "ACTIVE", "email_address": "mallory@example.com"},
        {"username": "old.admin", "id": "id-old.admin", "status": "INACTIVE", "email_address": None},
    ]
    assert report.exit_code == 2
    # In the file but not yet in the state: an unapplied create, never unmanaged.
    wanted = users_file(tmp_path, [entry("alice"), entry("bob"), entry("Mallory")])
    report = drift(wanted, live, state)
    assert [u.username for u in report.unmanaged] == ["old.admin"]
    assert report.to_json()["unapplied"] == [{"username": "Mallory", "action": "create", "fields": []}]


def test_unapplied_changes_alone_exit_3_and_are_what_up_would_change(tmp_path: Path) -> None:
    live = [api_user("alice"), api_user("bob"), api_user("carol")]
    state = [resource(u) for u in live]
    desired = users_file(
        tmp_path,
        [entry("alice", surname="Liddell", type="POWERUSER"), entry("bob", storage="1 TiB"), entry("dave")],
    )
    report = drift(desired, live, state)
    assert report.to_json()["unapplied"] == [
        {
            "username": "alice",
            "action": "update",
            "fields": [
                {"field": "surname", "state": "Example", "file": "Liddell"},
                {"field": "type", "state": "USER", "file": "POWERUSER"},
            ],
        },
        {
            "username": "bob",
            "action": "update",
            "fields": [
                {
                    "field": "storage_rule",
                    "state": {"storage_type": "QUOTA", "storage_allocated_in_bytes": 50 * 10**9},
                    "file": {"storage_type": "QUOTA", "storage_allocated_in_bytes": 2**40},
                }
            ],
        },
        {"username": "dave", "action": "create", "fields": []},
        {"username": "carol", "action": "remove", "fields": []},
    ]
    assert (report.status, report.exit_code) == ("unapplied", 3)
    assert not report.has_drift


def test_undeclared_fields_are_not_unapplied_but_defaults_are(tmp_path: Path) -> None:
    live = [api_user("alice", Locale="fr")]
    state = [resource(u) for u in live]
    # locale not declared: WorkDocs' value is kept, nothing pending.
    assert drift(users_file(tmp_path, [entry("alice")]), live, state).unapplied == ()
    # type not declared means USER: privilege never depends on whether a line was written.
    live = [api_user("alice", Locale="fr", Type="ADMIN")]
    state = [resource(u) for u in live]
    report = drift(users_file(tmp_path, [entry("alice")]), live, state)
    assert report.to_json()["unapplied"][0]["fields"] == [{"field": "type", "state": "ADMIN", "file": "USER"}]
    # status is always declared (WorkDocsUser's default ACTIVE), so an INACTIVE state is pending.
    state[0]["outputs"]["status"] = "INACTIVE"
    state[0]["outputs"]["type"] = "USER"
    live = [api_user("alice", Locale="fr", Status="INACTIVE")]
    report = drift(users_file(tmp_path, [entry("alice")]), live, state)
    assert report.to_json()["unapplied"][0]["fields"] == [{"field": "status", "state": "INACTIVE", "file": "ACTIVE"}]


def test_drift_and_unapplied_together_exit_2_and_list_both(alice_bob: Any, tmp_path: Path) -> None:
    _, live, state = alice_bob
    desired = users_file(tmp_path, [entry("alice", surname="Liddell"), entry("bob")])
    live[1] = api_user("bob", GivenName="Robert")
    report = drift(desired, live, state)
    assert report.exit_code == 2
    assert report.summary() == {"changed": 1, "deleted": 0, "unmanaged": 0, "unapplied": 1, "ignored": 0}


def test_without_a_users_file_only_state_and_live_count(alice_bob: Any) -> None:
    _, live, state = alice_bob
    report = drift(None, [*live, api_user("eve")], state)
    assert report.organization_id == ORG
    assert [u.username for u in report.unmanaged] == ["eve"] and report.unapplied == ()


def test_pending_deletions_and_other_resource_types_are_not_state_users(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    stale = resource(api_user("alice", Id="id-old"))
    stale["delete"] = True
    stack = {"urn": "urn:pulumi:dev::workdocs-users::pulumi:pulumi:Stack::x", "type": "pulumi:pulumi:Stack"}
    assert drift(desired, live, [*state, stale, stack]).exit_code == 0


# -- ignore -----------------------------------------------------------------------------


def test_ignore_by_username_silences_every_kind_and_by_field_only_that_field(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    live = [api_user("alice", GivenName="Al", Surname="Other"), api_user("eve")]  # bob deleted, eve unmanaged
    ignore = Ignore((IgnoreRule("ALICE", "given_name"), IgnoreRule("bob"), IgnoreRule("eve")))
    report = drift(desired, live, state, ignore)
    assert report.to_json()["changed"] == [
        {
            "username": "alice",
            "id": "id-alice",
            "fields": [{"field": "surname", "expected": "Example", "live": "Other"}],
        }
    ]
    assert report.to_json()["ignored"] == [
        {"kind": "changed", "username": "alice", "field": "given_name"},
        {"kind": "deleted", "username": "bob", "field": None},
        {"kind": "unmanaged", "username": "eve", "field": None},
    ]
    assert report.deleted == () and report.unmanaged == () and report.exit_code == 2

    everything = Ignore((IgnoreRule("alice"), IgnoreRule("bob"), IgnoreRule("eve")))
    quiet = drift(desired, live, state, everything)
    assert (quiet.exit_code, quiet.summary()["ignored"]) == (0, 4)


def test_a_field_rule_never_silences_a_deleted_or_unmanaged_user(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    report = drift(desired, [live[0], api_user("eve")], state, Ignore((IgnoreRule("bob", "given_name"),)))
    assert [d.username for d in report.deleted] == ["bob"] and [u.username for u in report.unmanaged] == ["eve"]


def test_ignore_file_loads_with_reason_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_text("ignore:\n  - username: bob\n  - {username: alice, field: given_name, reason: legal name}\n")
    assert load_ignore(path).rules == (IgnoreRule("bob"), IgnoreRule("alice", "given_name"))
    path.write_text("")
    assert load_ignore(path).rules == ()


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (["bob"], "expected one key, ignore"),
        ({"ignore": [], "other": 1}, "expected one key, ignore"),
        ({"ignore": {"username": "bob"}}, "ignore must be a list"),
        ({"ignore": ["bob"]}, "ignore[0] must be a mapping"),
        ({"ignore": [{"user": "bob"}]}, "ignore[0] has unknown key 'user'"),
        ({"ignore": [{"field": "surname"}]}, "ignore[0].username is required"),
        (
            {"ignore": [{"username": "bob"}, {"username": "x", "field": "password"}]},
            "ignore[1].field 'password' is not",
        ),
        ({"ignore": [{"username": "x", "field": "deletion_policy"}]}, "is not a compared field"),
    ],
)
def test_ignore_file_problems_are_one_clear_line(document: Any, message: str) -> None:
    with pytest.raises(IgnoreFileError) as err:
        parse_ignore(document, "drift-ignore.yaml")
    assert str(err.value).startswith("drift-ignore.yaml: ") and message in str(err.value)
    assert "\n" not in str(err.value)


def test_ignore_file_missing_or_not_yaml(tmp_path: Path) -> None:
    with pytest.raises(IgnoreFileError, match="ignore file not found"):
        load_ignore(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("ignore: [\n")
    with pytest.raises(IgnoreFileError, match=r"bad.yaml:\d+:\d+: not valid YAML"):
        load_ignore(bad)


def test_compared_fields_come_from_fields_py() -> None:
    assert "deletion_policy" not in COMPARED and "adopt" not in COMPARED
    assert {"given_name", "surname", "status", "type", "storage_rule", "email_address"} <= set(COMPARED)


# -- renderers --------------------------------------------------------------------------


@pytest.fixture
def everything(alice_bob: Any, tmp_path: Path) -> DriftReport:
    _, live, state = alice_bob
    desired = users_file(tmp_path, [entry("alice", surname="Liddell|Pleasance"), entry("bob"), entry("dave")])
    live = [api_user("alice", GivenName="Alicia"), api_user("eve", Status="INACTIVE"), api_user("mallory")]
    return drift(desired, live, state, Ignore((IgnoreRule("mallory"),)))


def test_text_lists_each_section_and_the_result(everything: DriftReport) -> None:
    text = render_text(everything)
    assert text.splitlines()[0] == (
        f"Drift check of organization {ORG}: 1 changed, 1 deleted out of band, 1 unmanaged; "
        "2 unapplied (not drift); 1 ignored"
    )
    assert "  ~ alice: given_name: expected 'Alice', live 'Alicia'" in text
    assert "  - bob (id id-bob)" in text
    assert "  + eve (INACTIVE)" in text
    assert "  ~ alice: surname: state 'Example', file 'Liddell|Pleasance'" in text
    assert "  + dave: create" in text
    assert "  unmanaged: mallory" in text
    assert text.splitlines()[-1] == "Result: drift (exit 2): WorkDocs differs from the state"


def test_text_shows_storage_as_a_size(alice_bob: Any) -> None:
    desired, live, state = alice_bob
    live[0] = api_user("alice", Storage={"StorageRule": {"StorageType": "QUOTA", "StorageAllocatedInBytes": 2**40}})
    assert "storage_rule: expected 50 GB, live 1 TiB" in render_text(drift(desired, live, state))


def test_markdown_has_one_table_per_section_with_escaped_cells(everything: DriftReport) -> None:
    text = render_markdown(everything)
    assert text.startswith(f"## WorkDocs drift: organization `{ORG}`\n\n**drift** (exit 2):")
    for title in ("Changed in WorkDocs", "Deleted out of band", "Unmanaged", "Unapplied (not drift)", "Ignored"):
        assert f"\n### {title}\n\n| " in text
    assert "| `alice` | given_name | 'Alice' | 'Alicia' |" in text
    assert "'Liddell\\|Pleasance'" in text
    assert "| `dave` | create |  |  |  |" in text


def test_clean_report_renders_without_sections(alice_bob: Any) -> None:
    report = drift(*alice_bob)
    assert "###" not in render_markdown(report)
    assert render_text(report).splitlines()[-1].startswith("Result: clean (exit 0)")


def test_json_is_the_report_and_no_output_has_a_password(everything: DriftReport) -> None:
    data = json.loads(render_json(everything))
    assert data == everything.to_json()
    assert (data["status"], data["exit_code"]) == ("drift", 2)
    assert data["summary"] == {"changed": 1, "deleted": 1, "unmanaged": 1, "unapplied": 2, "ignored": 1}
    for render in (render_text, render_markdown, render_json):
        assert SECRET not in render(everything)


# -- sizes and export -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("allocated", "text"),
    [
        (50 * 10**9, "50 GB"),
        (2**40, "1 TiB"),
        (10**12, "1 TB"),
        (3 * 1024, "3 KiB"),
        (1_234_567, "1234567 B"),
        (0, "0 B"),
        (5 * 2**40, "5 TiB"),
    ],
)
def test_human_size_picks_an_exact_unit(allocated: int, text: str) -> None:
    rule = {"storage_type": "QUOTA", "storage_allocated_in_bytes": allocated}
    assert human_size(rule) == text
    assert parse_size(text)["storage_allocated_in_bytes"] == allocated


def test_human_size_round_trips_whatever_the_bytes() -> None:
    for allocated in [1, 999, 1000, 1001, 2**30 + 1, 7 * 10**9, 123 * 2**20, 10**15 + 3, 2**52 + 1]:
        text = human_size({"storage_type": "QUOTA", "storage_allocated_in_bytes": float(allocated)})
        assert text is not None and parse_size(text)["storage_allocated_in_bytes"] == allocated, allocated
    assert human_size({"storage_type": "UNLIMITED", "storage_allocated_in_bytes": 5}) == "unlimited"
    assert human_size({"storage_type": "QUOTA"}) is None and human_size(None) is None


def test_export_entry_uses_users_file_keys_and_never_a_password() -> None:
    user = api_user("zoe", Type="ADMIN", Locale="fr", Status="INACTIVE")
    assert export_entry(outputs_from_user(user, {})) == {
        "username": "zoe",
        "given_name": "Zoe",
        "surname": "Example",
        "email_address": "zoe@example.com",
        "type": "ADMIN",
        "status": "INACTIVE",
        "locale": "fr",
        "time_zone_id": "Europe/London",
        "storage": "50 GB",
        "adopt": True,
    }


@pytest.mark.parametrize("indent", [2, 0])
def test_export_fragment_is_the_unmanaged_users_and_appends_to_the_file(
    alice_bob: Any, tmp_path: Path, indent: int
) -> None:
    _, live, state = alice_bob
    pad = " " * indent
    path = tmp_path / "users.yaml"
    path.write_text(
        f"organization_id: {ORG}\nusers:\n"
        + "".join(
            f"{pad}- username: {name}\n{pad}  given_name: {name.title()}\n{pad}  surname: Example\n"
            f"{pad}  email_address: {name}@example.com\n{pad}  time_zone_id: Europe/London\n{pad}  storage: 50 GB\n"
            for name in ("alice", "bob")
        )
    )
    live += [api_user("zed", Status="INACTIVE"), api_user("eve"), api_user("quiet")]
    ignore = Ignore((IgnoreRule("quiet"),))  # known and left alone: not exported
    fragment, count = export(load(path), live, state, ignore)
    assert count == 2
    assert f"\n{pad}- username: eve\n{pad}  given_name: Eve\n" in fragment
    entries = yaml.safe_load(fragment)
    assert [e["username"] for e in entries] == ["eve", "zed"] and all(e["adopt"] is True for e in entries)
    assert entries[1]["status"] == "INACTIVE"
    path.write_text(path.read_text() + fragment)  # `>> users.yaml`
    combined = load(path)
    assert [u.username for u in combined.users] == ["alice", "bob", "eve", "zed"]
    report = drift(combined, live, state, ignore)
    assert report.unmanaged == () and [(u.username, u.action) for u in report.unapplied] == [
        ("eve", "create"),
        ("zed", "create"),
    ]


def test_export_fragment_without_unmanaged_users_says_so(alice_bob: Any) -> None:
    assert export(*alice_bob) == (f"# No unmanaged users in organization {ORG}.\n", 0)


def test_export_all_is_a_whole_valid_file_keeping_managed_users_settings(tmp_path: Path) -> None:
    live = [api_user("alice", Storage=None), api_user("bob"), api_user("carol", TimeZoneId="Mars/Olympus")]
    state = [resource(live[0], adopt=True), resource(live[1], deletion_policy="DELETE")]
    desired = users_file(
        tmp_path,
        [{**entry("alice"), "password": {"env": "ALICE_PASSWORD"}, "protect": True}, entry("bob")],
    )
    text, count = export(desired, live, state, all_=True)
    assert count == 3 and "Password" not in text and "adopt: true makes" in text
    out = tmp_path / "exported.yaml"
    out.write_text(text)
    exported = load(out)
    assert exported.organization_id == ORG
    alice, bob, carol = exported.users
    assert alice.password == {"env": "ALICE_PASSWORD"} and alice.protect and alice.values["adopt"] is True
    assert alice.storage is None  # no storage rule read: none declared, WorkDocs' kept
    assert bob.values.get("deletion_policy") == "DELETE" and "adopt" not in bob.values
    assert carol.values["adopt"] is True and "time_zone_id" not in carol.values  # not IANA: left out
    # The managed users come back with no change pending: up only adopts carol.
    report = drift(exported, live, state)
    assert [(u.username, u.action) for u in report.unapplied] == [("carol", "create")]


def test_export_all_without_a_users_file_needs_the_organization() -> None:
    with pytest.raises(UsageError, match="no organization"):
        export(None, [api_user("a")], [], all_=True)
    text, count = export(None, [api_user("a")], [], all_=True, organization_id=ORG)
    assert count == 1 and f"organization_id: {ORG}\nusers:\n  - username: a\n" in text


# -- reading WorkDocs --------------------------------------------------------------------


class PagingClient:
    """Answers describe_users like WorkDocs: pages of Limit, an empty Marker at the end."""

    def __init__(self, users: list[dict[str, Any]], repeat_marker: bool = False) -> None:
        self.users = users
        self.requests: list[dict[str, Any]] = []
        self.repeat_marker = repeat_marker

    def describe_users(self, **request: Any) -> dict[str, Any]:
        self.requests.append(request)
        start = 0 if self.repeat_marker else int(request.get("Marker", "0"))
        page = self.users[start : start + request["Limit"]]
        end = start + len(page)
        return {"Users": page, "Marker": str(end) if end < len(self.users) else ""}


def test_list_users_reads_every_page_of_999_with_all_statuses_and_storage() -> None:
    client = PagingClient([api_user(f"u{i:04d}") for i in range(2500)])
    users = list_users(cast(Any, client), ORG)
    assert [u["Username"] for u in users] == [f"u{i:04d}" for i in range(2500)]
    assert len(client.requests) == 3
    first = {"OrganizationId": ORG, "Include": "ALL", "Fields": "STORAGE_METADATA", "Limit": 999}
    assert client.requests[0] == first
    assert client.requests[2] == {**first, "Marker": "1998"}


def test_list_users_stops_on_a_repeated_marker() -> None:
    with pytest.raises(WorkDocsAPIError, match="twice"):
        list_users(cast(Any, PagingClient([api_user(f"u{i}") for i in range(1200)], repeat_marker=True)), ORG)


def test_export_all_after_a_rename_keeps_the_deactivated_user_and_its_address(tmp_path: Path) -> None:
    """Renamed under DEACTIVATE: the old user stays INACTIVE with the same address as the new one."""
    live = [api_user("henry", Status="INACTIVE", EmailAddress="henry@example.com"),
            api_user("henry.t", EmailAddress="henry@example.com")]  # fmt: skip
    text, count = export(None, live, [], all_=True, organization_id=ORG)
    out = tmp_path / "exported.yaml"
    out.write_text(text)
    assert count == 2 and [u.username for u in load(out).users] == ["henry", "henry.t"]
    live[0]["Status"] = "ACTIVE"  # two active users with one address: still a problem, located in the export
    with pytest.raises(UsageError, match=r"^the exported entries do not validate:\n\(exported users\.yaml\):\d+:\d+: "):
        export(None, live, [], all_=True, organization_id=ORG)


def test_an_ignore_file_is_read_in_any_encoding_and_within_the_budget(tmp_path: Path) -> None:
    path = tmp_path / "ignore.yaml"
    path.write_bytes("ignore:\n  - username: bob\n".encode("utf-16"))
    assert load_ignore(path).rules == (IgnoreRule("bob"),)
    path.write_text("a: &a [1, 1]\n" + "".join(f"a{i}: &a{i} [*a{i - 1 if i else ''}, *a{i - 1 if i else ''}]\n"
                                                    for i in range(40)))  # fmt: skip
    with pytest.raises(IgnoreFileError, match=rf"^{path}:\d+:\d+: "):
        load_ignore(path)


def test_export_appends_in_the_users_files_own_indentation_whatever_its_encoding(tmp_path: Path) -> None:
    path = tmp_path / "users.yaml"
    text = f"organization_id: {ORG}\nusers:\n    - username: alice\n      given_name: Alice\n      surname: Example\n"
    path.write_bytes(text.encode("utf-16"))
    fragment, count = export(load(path), [api_user("alice"), api_user("bob")], [])
    assert count == 1 and "\n    - username: bob\n" in fragment
