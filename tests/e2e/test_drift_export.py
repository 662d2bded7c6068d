"""`workdocs-users drift` and `export` end to end: the root stack under the real engine,
drift made with boto3 directly against workdocs-local, the CLI's JSON report and exit code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml
from pulumi import automation as auto

from pulumi_workdocs.cli import main
from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import ACCESS_KEY, SECRET_KEY, StackRunner, user_resources

pytestmark = pytest.mark.e2e


def person(username: str, **values: Any) -> dict[str, Any]:
    return {
        "username": username,
        "given_name": username.split(".")[0].title(),
        "surname": "Example",
        "email_address": f"{username}@example.com",
        **values,
    }


# ada's locale and grace's time zone are written, so the file manages them (drift reports them).
TEAM = [person("ada.lovelace", type="ADMIN", locale="default"), person("alan.turing", storage="1 TiB"),
        person("grace.hopper", time_zone_id="GMT")]  # fmt: skip
# Every WorkDocs site has its site administrator, made with the site: workdocs-local's is
# "siteadmin". These tests keep it outside Pulumi, as docs/drift.md's ignore-file example does.
SITE_ADMIN = "siteadmin"
SITE_ADMIN_IGNORED = f"ignore:\n  - username: {SITE_ADMIN}\n    reason: the site administrator, kept outside Pulumi\n"


class Org:
    """One users folder (users.yaml, Pulumi.yaml) with its root stack, and the CLI on it."""

    def __init__(self, runner: StackRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.runner = runner
        self.server = runner.server
        self.folder = tmp_path / "org"
        self.folder.mkdir()
        self.path = self.folder / "users.yaml"
        self.capsys = capsys
        self.client = boto3.client(
            "workdocs",
            endpoint_url=self.server.url,
            region_name="us-east-1",
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def write(self, users: list[dict[str, Any]], **extra: Any) -> None:
        document = {"organization_id": self.server.organization_id, **extra, "users": users}
        self.path.write_text(yaml.safe_dump(document, sort_keys=False))

    def stack(self) -> auto.Stack:
        return open_stack(
            load(self.path), "dev", self.runner.backend, self.folder, endpoint=self.server.url, env=self.runner.env
        )

    def up(self) -> auto.UpResult:
        return self.stack().up(on_output=self.runner.output.append)

    def resources(self) -> dict[str, dict[str, Any]]:
        """The root stack's WorkDocsUsers by resource name."""
        return user_resources(self.stack())

    def cli(self, *args: str) -> tuple[int, str, str]:
        """Run ``workdocs-users`` in-process; (exit code, stdout, stderr)."""
        self.capsys.readouterr()
        common = ["--file", str(self.path), "--stack", "dev", "--backend", str(self.runner.backend)]
        code = main([*args, *common, "--endpoint", self.server.url])
        out = self.capsys.readouterr()
        return code, out.out, out.err

    def drift(self, *args: str) -> tuple[int, dict[str, Any]]:
        """``drift --format json``, asserting it reached WorkDocs only with DescribeUsers."""
        self.server.app.requests.clear()
        code, out, err = self.cli("drift", "--format", "json", *args)
        assert code in (0, 2, 3), err
        operations = [e["operation"] for e in self.server.app.requests.entries()]
        assert operations and set(operations) == {"DescribeUsers"}, operations
        return code, json.loads(out)

    def ids(self) -> dict[str, str]:
        users = self.client.describe_users(OrganizationId=self.server.organization_id, Include="ALL", Limit=999)
        return {u["Username"]: u["Id"] for u in users["Users"]}

    def create(self, username: str, **extra: Any) -> str:
        user = self.client.create_user(
            OrganizationId=self.server.organization_id,
            Username=username,
            GivenName=username.split(".")[0].title(),
            Surname="Outsider",
            EmailAddress=f"{username}@example.com",
            Password="Out-Of-Band-1",
            **extra,
        )["User"]
        return str(user["Id"])


@pytest.fixture
def org(
    runner: StackRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Org:
    """TEAM deployed by the root stack; the CLI's boto3 client on the e2e server's keys."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_WORKDOCS"):
        monkeypatch.delenv(name, raising=False)
    for name, value in runner.env.items():
        monkeypatch.setenv(name, value)
    org = Org(runner, tmp_path, capsys)
    org.write(TEAM)
    (org.folder / ".workdocs-drift-ignore.yaml").write_text(SITE_ADMIN_IGNORED)
    org.up()
    return org


def clean(report: dict[str, Any]) -> bool:
    return not (report["changed"] or report["deleted"] or report["unmanaged"] or report["unapplied"])


def test_the_site_admin_is_unmanaged_drift_unless_ignored(org: Org) -> None:
    (org.folder / ".workdocs-drift-ignore.yaml").unlink()
    code, report = org.drift()
    assert code == 2
    assert report["unmanaged"] == [
        {"username": SITE_ADMIN, "id": org.ids()[SITE_ADMIN], "status": "ACTIVE", "email_address": None}
    ]
    assert report["changed"] == report["deleted"] == report["unapplied"] == report["ignored"] == []


def test_right_after_up_there_is_no_drift_in_one_describe_call(org: Org) -> None:
    code, report = org.drift()
    assert code == 0
    assert report["status"] == "clean" and clean(report)
    assert report["organization_id"] == org.server.organization_id
    assert len(org.server.app.requests.entries("DescribeUsers")) == 1  # 3 users: one page


def test_changed_attributes_are_reported_with_state_and_live_values(org: Org) -> None:
    ids = org.ids()
    org.client.update_user(UserId=ids["alan.turing"], GivenName="Alan M.", StorageRule={"StorageType": "UNLIMITED"})
    org.client.deactivate_user(UserId=ids["grace.hopper"])
    before = org.resources()
    code, report = org.drift()
    assert org.resources() == before  # read-only for the state too: no refresh, no write
    assert code == 2 and report["status"] == "drift"
    assert report["changed"] == [
        {
            "username": "alan.turing",
            "id": ids["alan.turing"],
            "fields": [
                {"field": "given_name", "expected": "Alan", "live": "Alan M."},
                {
                    "field": "storage_rule",
                    "expected": {"storage_allocated_in_bytes": 2**40, "storage_type": "QUOTA"},
                    "live": {"storage_type": "UNLIMITED"},
                },
            ],
        },
        {
            "username": "grace.hopper",
            "id": ids["grace.hopper"],
            "fields": [{"field": "status", "expected": "ACTIVE", "live": "INACTIVE"}],
        },
    ]
    assert report["deleted"] == report["unmanaged"] == report["unapplied"] == []


def test_a_user_deleted_out_of_band_is_reported(org: Org) -> None:
    gone = org.ids()["grace.hopper"]
    org.client.delete_user(UserId=gone)
    code, report = org.drift()
    assert code == 2
    assert report["deleted"] == [{"username": "grace.hopper", "id": gone, "recreated_as": None}]
    assert report["summary"] == {"changed": 0, "deleted": 1, "unmanaged": 0, "unapplied": 0, "ignored": 1}


def test_unmanaged_users_are_reported_with_their_status(org: Org) -> None:
    eve = org.create("eve.intruder")
    old = org.create("old.contractor")
    org.client.deactivate_user(UserId=old)
    code, report = org.drift()
    assert code == 2
    assert report["unmanaged"] == [
        {"username": "eve.intruder", "id": eve, "status": "ACTIVE", "email_address": "eve.intruder@example.com"},
        {"username": "old.contractor", "id": old, "status": "INACTIVE", "email_address": "old.contractor@example.com"},
    ]
    assert report["changed"] == report["deleted"] == report["unapplied"] == []


def test_users_file_edits_not_yet_applied_exit_3_and_are_not_drift(org: Org) -> None:
    org.write([person("ada.lovelace", type="ADMIN", surname="King"), TEAM[1], person("katherine.johnson")])
    code, report = org.drift()
    assert code == 3 and report["status"] == "unapplied"
    assert report["unapplied"] == [
        {
            "username": "ada.lovelace",
            "action": "update",
            "fields": [{"field": "surname", "state": "Example", "file": "King"}],
        },
        {"username": "katherine.johnson", "action": "create", "fields": []},
        {"username": "grace.hopper", "action": "remove", "fields": []},
    ]
    assert report["changed"] == report["deleted"] == report["unmanaged"] == []


def test_drift_and_unapplied_together_exit_2(org: Org) -> None:
    org.client.update_user(UserId=org.ids()["ada.lovelace"], Surname="Byron")
    org.write([TEAM[0], TEAM[1]])
    code, report = org.drift()
    assert code == 2
    assert report["summary"] == {"changed": 1, "deleted": 0, "unmanaged": 0, "unapplied": 1, "ignored": 1}


def test_the_default_ignore_file_and_baseline_silence_known_drift(org: Org, tmp_path: Path) -> None:
    ids = org.ids()
    org.client.update_user(UserId=ids["ada.lovelace"], GivenName="Augusta", Locale="fr")
    org.create("break.glass")
    ignore = org.folder / ".workdocs-drift-ignore.yaml"
    ignore.write_text(
        SITE_ADMIN_IGNORED + "  - username: break.glass\n  - {username: ada.lovelace, field: given_name}\n"
    )
    code, report = org.drift()
    assert code == 2  # locale is not silenced
    assert report["changed"] == [
        {
            "username": "ada.lovelace",
            "id": ids["ada.lovelace"],
            "fields": [{"field": "locale", "expected": "default", "live": "fr"}],
        }
    ]
    assert report["ignored"] == [
        {"kind": "changed", "username": "ada.lovelace", "field": "given_name"},
        {"kind": "unmanaged", "username": "break.glass", "field": None},
        {"kind": "unmanaged", "username": SITE_ADMIN, "field": None},
    ]
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text("ignore:\n  - username: break.glass\n  - username: ada.lovelace\n")
    code, report = org.drift("--baseline", str(baseline))  # replaces the default file
    assert code == 2 and report["unmanaged"][0]["username"] == SITE_ADMIN
    baseline.write_text(SITE_ADMIN_IGNORED + "  - username: break.glass\n  - username: ada.lovelace\n")
    code, report = org.drift("--baseline", str(baseline))
    assert code == 0 and report["status"] == "clean" and report["summary"]["ignored"] == 4

    baseline.write_text("ignore:\n  - username: ada.lovelace\n    field: password\n")
    code, out, err = org.cli("drift", "--baseline", str(baseline))
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"workdocs-users: {baseline}: ignore[0].field 'password' is not a compared field (one of: "
        "organization_id, username, email_address, given_name, surname, time_zone_id, storage_rule, "
        "type, locale, status)"
    ]


def test_text_and_markdown_reports_and_no_password_anywhere(org: Org) -> None:
    passwords = org.stack().outputs()["generated_passwords"].value
    assert len(passwords) == 3
    org.client.update_user(UserId=org.ids()["grace.hopper"], TimeZoneId="Asia/Tokyo")
    org.create("mallory")
    code, text, _ = org.cli("drift")
    assert code == 2
    assert "  ~ grace.hopper: time_zone_id: expected 'GMT', live 'Asia/Tokyo'" in text
    assert "  + mallory (ACTIVE)" in text
    assert text.rstrip().endswith("Result: drift (exit 2): WorkDocs differs from the state")
    code, markdown, _ = org.cli("drift", "--format", "markdown")
    assert code == 2 and "| `grace.hopper` | time_zone_id | 'GMT' | 'Asia/Tokyo' |" in markdown
    code, raw, _ = org.cli("drift", "--format", "json")
    for output in (text, markdown, raw):
        assert all(p not in output for p in passwords.values())


def test_a_wrong_credential_is_an_error_exit_1(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-key")
    code, out, err = org.cli("drift", "--format", "json")
    assert code == 1 and out == ""
    assert err.startswith("workdocs-users drift: cannot read WorkDocs users:")


def test_drift_before_the_first_up_neither_creates_the_stack_nor_fails(
    runner: StackRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in runner.env.items():
        monkeypatch.setenv(name, value)
    fresh = Org(runner, tmp_path, capsys)
    fresh.write([person("new.hire")])
    existing = fresh.create("already.there")
    code, report = fresh.drift()
    assert code == 2
    assert [(u["username"], u["id"]) for u in report["unmanaged"]] == [
        ("already.there", existing),
        (SITE_ADMIN, fresh.ids()[SITE_ADMIN]),  # a site's administrator is unmanaged until adopted
    ]
    assert report["unapplied"] == [{"username": "new.hire", "action": "create", "fields": []}]
    assert not (fresh.folder / "Pulumi.yaml").exists()
    assert not list(Path(runner.backend).glob(".pulumi/stacks/**/*.json"))


def test_refresh_shows_drift_for_managed_users_in_ci(org: Org) -> None:
    """The CI commands docs/drift.md documents, run through the Automation API."""
    stack = org.stack()
    stack.preview(refresh=True, expect_no_changes=True)  # clean: passes
    org.client.update_user(UserId=org.ids()["alan.turing"], Surname="Mathison")
    refresh = stack.preview_refresh()  # pulumi refresh --preview-only
    assert {getattr(k, "value", k): v for k, v in refresh.change_summary.items()}.get("update") == 1
    with pytest.raises(auto.CommandError, match="no changes were expected"):
        stack.preview(refresh=True, expect_no_changes=True)  # pulumi preview --refresh --expect-no-changes
    code, report = org.drift()  # the preview refreshed nothing for real: still drift, not unapplied
    assert code == 2 and report["changed"][0]["fields"] == [
        {"field": "surname", "expected": "Example", "live": "Mathison"}
    ]


# -- export and adopt -------------------------------------------------------------------


def test_export_all_then_up_adopts_50_users_without_creating_or_deleting_any(
    runner: StackRunner, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in runner.env.items():
        monkeypatch.setenv(name, value)
    existing = Org(runner, tmp_path, capsys)
    kinds: list[dict[str, Any]] = [
        {},
        {"StorageRule": {"StorageType": "UNLIMITED"}},
        {"StorageRule": {"StorageType": "QUOTA", "StorageAllocatedInBytes": 50 * 10**9}},
        {"TimeZoneId": "America/New_York", "StorageRule": {"StorageType": "QUOTA", "StorageAllocatedInBytes": 12345}},
    ]
    ids = {}
    for n in range(50):
        username = f"staff{n:02d}.member"
        ids[username] = existing.create(username, **kinds[n % 4])
        if n % 5 == 1:
            existing.client.update_user(UserId=ids[username], Type="POWERUSER", Locale="de")
        if n % 7 == 3:
            existing.client.deactivate_user(UserId=ids[username])
    ids[SITE_ADMIN] = existing.ids()[SITE_ADMIN]  # the whole organization: its site admin too
    assert not existing.path.exists()  # taking over: no users file yet

    code, _, err = existing.cli(
        "export", "--all", "--organization-id", runner.server.organization_id, "--output", str(existing.path)
    )
    assert code == 0, err
    exported = load(existing.path)
    assert len(exported.users) == 51 and all(u.values["adopt"] is True for u in exported.users)
    [admin] = [u.values for u in exported.users if u.username == SITE_ADMIN]
    assert admin["type"] == "ADMIN" and admin["status"] == "ACTIVE"
    assert all("password" not in e for e in yaml.safe_load(existing.path.read_text())["users"])

    runner.server.app.requests.clear()
    result = existing.up()
    operations = [e["operation"] for e in runner.server.app.requests.entries()]
    assert operations.count("CreateUser") == 0 and operations.count("DeleteUser") == 0
    assert set(operations) == {"DescribeUsers"}  # exported exactly: nothing to converge either
    assert {getattr(k, "value", k): v for k, v in (result.summary.resource_changes or {}).items()} == {"create": 52}
    state = existing.resources()
    assert {name: r["id"] for name, r in state.items()} == ids
    code, report = existing.drift()
    assert code == 0 and clean(report)


def test_export_fragment_of_unmanaged_users_appends_to_the_file_and_up_adopts_them(org: Org) -> None:
    eve = org.create("eve.outsider", TimeZoneId="Europe/Paris")
    old = org.create("old.timer")
    org.client.deactivate_user(UserId=old)
    before = org.path.read_text()
    code, fragment, _ = org.cli("export")
    assert code == 0
    entries = yaml.safe_load(fragment)
    assert [(e["username"], e["status"], e["adopt"]) for e in entries] == [
        ("eve.outsider", "ACTIVE", True),
        ("old.timer", "INACTIVE", True),
    ]
    assert entries[0]["time_zone_id"] == "Europe/Paris" and entries[0]["storage"] == "1 TiB"
    org.path.write_text(before + fragment)  # what `workdocs-users export >> users.yaml` does
    code, report = org.drift()
    assert code == 3 and report["unmanaged"] == []
    assert [(u["username"], u["action"]) for u in report["unapplied"]] == [
        ("eve.outsider", "create"),
        ("old.timer", "create"),
    ]

    org.server.app.requests.clear()
    org.up()
    operations = [e["operation"] for e in org.server.app.requests.entries()]
    assert "CreateUser" not in operations and "DeleteUser" not in operations
    state = org.resources()
    assert state["eve.outsider"]["id"] == eve and state["old.timer"]["id"] == old
    assert state["old.timer"]["outputs"]["status"] == "INACTIVE"
    code, report = org.drift()
    assert code == 0 and clean(report)
    code, fragment, _ = org.cli("export")
    assert (code, fragment) == (0, f"# No unmanaged users in organization {org.server.organization_id}.\n")
