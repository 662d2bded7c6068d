"""State in a file database survives a restart: organizations, users, folders and tokens."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import SITE_ADMIN, control, create_user, issue_token, usernames
from workdocs_local import WorkDocsLocalServer


def test_users_folders_and_tokens_survive_a_restart(tmp_path: Path):
    db = str(tmp_path / "workdocs.db")
    with WorkDocsLocalServer(db=db) as first:
        org = first.organization_id
        client = make_client(first.url)
        alice = create_user(
            client,
            org,
            "alice",
            StorageRule={"StorageType": "QUOTA", "StorageAllocatedInBytes": 12345},
            TimeZoneId="Asia/Tokyo",
        )
        alice = client.update_user(UserId=alice["Id"], Type="ADMIN", Locale="ja")["User"]
        bob = create_user(client, org, "bob")
        client.deactivate_user(UserId=bob["Id"])
        token = issue_token(first.url, "alice")

    with WorkDocsLocalServer(db=db) as second:
        assert second.organization_id == org
        assert control(second.url, "GET", "health")[1]["organizations"] == [org]
        client = make_client(second.url)
        users = client.describe_users(OrganizationId=org, Include="ALL", Fields="STORAGE_METADATA")["Users"]
        by_name = {u["Username"]: u for u in users}
        assert set(by_name) == {"alice", "bob", SITE_ADMIN}  # the site admin was made once, not again
        assert by_name["alice"] == alice
        assert by_name["bob"]["Status"] == "INACTIVE"
        assert client.get_folder(FolderId=alice["RootFolderId"])["Metadata"]["CreatorId"] == alice["Id"]
        assert client.get_current_user(AuthenticationToken=token)["User"]["Id"] == alice["Id"]
        # Uniqueness still holds against the stored rows.
        with pytest.raises(client.exceptions.EntityAlreadyExistsException):
            create_user(client, org, "ALICE")


def test_organizations_survive_a_restart(tmp_path: Path):
    db = str(tmp_path / "orgs.db")
    with WorkDocsLocalServer(db=db, organizations=["d-1234567890", "d-0987654321"]) as first:
        create_user(make_client(first.url), "d-0987654321", "second-org-user")

    # Restarted without naming them: both organizations are still known.
    with WorkDocsLocalServer(db=db) as second:
        assert sorted(control(second.url, "GET", "health")[1]["organizations"]) == [
            "d-0987654321",
            "d-1234567890",
        ]
        client = make_client(second.url)
        assert usernames(client, "d-1234567890") == [SITE_ADMIN]
        assert usernames(client, "d-0987654321") == ["second-org-user", SITE_ADMIN]
        assert create_user(client, "d-1234567890", "new")["OrganizationId"] == "d-1234567890"


def test_generated_organization_is_reused_not_regenerated(tmp_path: Path):
    db = str(tmp_path / "generated.db")
    with WorkDocsLocalServer(db=db) as first:
        org = first.organization_id
    with WorkDocsLocalServer(db=db) as second:
        assert second.organization_id == org
    with WorkDocsLocalServer(db=":memory:") as memory:
        assert memory.organization_id != org  # a fresh in-memory store makes its own


def test_reset_forgets_users_but_keeps_organizations(tmp_path: Path):
    db = str(tmp_path / "reset.db")
    with WorkDocsLocalServer(db=db) as server:
        org = server.organization_id
        create_user(make_client(server.url), org, "temp")
        assert control(server.url, "POST", "reset") == (200, {"status": "reset"})
    with WorkDocsLocalServer(db=db) as server:
        assert server.organization_id == org
        assert usernames(make_client(server.url), org, Include="ALL") == [SITE_ADMIN]


def test_a_pagination_marker_survives_a_restart(tmp_path: Path):
    db = str(tmp_path / "marker.db")
    with WorkDocsLocalServer(db=db) as first:
        org = first.organization_id
        client = make_client(first.url)
        for name in ("amy", "ben"):
            create_user(client, org, name)
        page = client.describe_users(OrganizationId=org, Limit=2)
        assert [u["Username"] for u in page["Users"]] == ["amy", "ben"]
    with WorkDocsLocalServer(db=db) as second:
        rest = make_client(second.url).describe_users(OrganizationId=org, Limit=2, Marker=page["Marker"])
        assert [u["Username"] for u in rest["Users"]] == [SITE_ADMIN]
