"""The database's schema version and migrations: old files open, newer ones are refused.

``fixtures/v0_unversioned.sql`` was written by the code before the schema had a version;
``fixtures/v0_unversioned.json`` is what that code described from it (see fixtures/README.md).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_client
from tests.workdocs_local.helpers import create_user
from workdocs_local import WorkDocsLocalServer
from workdocs_local.cli import main
from workdocs_local.models import SCHEMA_VERSION, WorkDocsBackend

FIXTURES = Path(__file__).parent / "fixtures"


def _v0_file(tmp_path: Path) -> Path:
    path = tmp_path / "v0.db"
    with sqlite3.connect(path) as db:
        db.executescript((FIXTURES / "v0_unversioned.sql").read_text(encoding="utf-8"))
    db.close()
    return path


def _plain(value: Any) -> Any:
    """A boto3 answer as the fixture keeps it: timestamps in epoch seconds, no response metadata."""
    if isinstance(value, dt.datetime):
        return round(value.timestamp(), 3)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _version(path: Path) -> int:
    with sqlite3.connect(path) as db:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
    db.close()
    return version


def _table_shapes(path: Path) -> dict[str, Any]:
    """Every table's columns (name, type, not null, key) and unique indexes, in a comparable form."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        shapes = {
            table: {
                "columns": sorted((r[1], r[2], r[3], r[5]) for r in db.execute(f"PRAGMA table_info({table})")),
                "unique": sorted(
                    tuple(c[2] for c in db.execute(f"PRAGMA index_info('{index[1]}')"))
                    for index in db.execute(f"PRAGMA index_list({table})")
                    if index[2]
                ),
                "foreign_keys": sorted((r[2], r[3], r[4]) for r in db.execute(f"PRAGMA foreign_key_list({table})")),
            }
            for table in tables
        }
    db.close()
    return shapes


def test_a_new_file_has_the_current_version(tmp_path: Path):
    path = tmp_path / "new.db"
    WorkDocsBackend(str(path)).close()
    assert _version(path) == SCHEMA_VERSION == 1
    columns = {c[0] for c in _table_shapes(path)["users"]["columns"]}
    assert {"created_timestamp", "storage_allocated_in_bytes", "username_lower", "password_hash"} <= columns


def test_a_file_written_before_versions_opens_and_answers_as_before(tmp_path: Path):
    path = _v0_file(tmp_path)
    assert _version(path) == 0
    expected = json.loads((FIXTURES / "v0_unversioned.json").read_text(encoding="utf-8"))
    org = expected["organization_id"]
    with WorkDocsLocalServer(db=str(path)) as server:
        assert server.organization_id == org
        client = make_client(server.url)
        first = client.describe_users(OrganizationId=org, Include="ALL", Limit=2, Fields="STORAGE_METADATA")
        # A marker the old code issued is still valid: the key in the file survived.
        rest = client.describe_users(
            OrganizationId=org, Include="ALL", Marker=expected["marker"], Fields="STORAGE_METADATA"
        )
        assert first["Marker"] == expected["marker"]
        assert _plain(first["Users"] + rest["Users"]) == expected["users"]
        # The token (its row refers to the rebuilt users table) still authenticates.
        token = expected["token"]
        assert client.get_current_user(AuthenticationToken=token)["User"]["Username"] == "ada"
        folders = client.describe_root_folders(AuthenticationToken=token)["Folders"]
        assert _plain(folders) == expected["root_folders_of_ada"]
        # Uniqueness of usernames still holds, case-insensitively.
        with pytest.raises(client.exceptions.EntityAlreadyExistsException):
            create_user(client, org, "BOB.smith")
        created = create_user(client, org, "new.user", StorageRule={"StorageType": "UNLIMITED"})
        assert created["Storage"]["StorageRule"] == {"StorageType": "UNLIMITED"}
    assert _version(path) == SCHEMA_VERSION


def test_a_migrated_file_has_the_tables_of_a_new_one(tmp_path: Path):
    migrated = _v0_file(tmp_path)
    WorkDocsBackend(str(migrated)).close()
    new = tmp_path / "new.db"
    WorkDocsBackend(str(new)).close()
    assert _table_shapes(migrated) == _table_shapes(new)
    with sqlite3.connect(migrated) as db:
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.execute("SELECT count(*) FROM tokens").fetchone()[0] == 1
    db.close()


def test_a_column_the_file_lacks_is_added_empty(tmp_path: Path):
    """A User member newer than the file: its column is added, empty for the users already there."""
    path = tmp_path / "older.db"
    with WorkDocsLocalServer(db=str(path)) as server:
        created = create_user(make_client(server.url), server.organization_id, "ann", EmailAddress="ann@example.com")
    with sqlite3.connect(path) as db:
        db.execute("ALTER TABLE users DROP COLUMN email_address")
    db.close()
    with WorkDocsLocalServer(db=str(path)) as server:
        client = make_client(server.url)
        [described] = client.describe_users(UserIds=created["Id"])["Users"]
        assert "EmailAddress" not in described and described["Username"] == "ann"
        other = create_user(client, server.organization_id, "bea", EmailAddress="bea@example.com")
        assert client.describe_users(UserIds=other["Id"])["Users"][0]["EmailAddress"] == "bea@example.com"


def test_a_file_from_a_newer_version_is_refused_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    path = tmp_path / "newer.db"
    WorkDocsBackend(str(path)).close()
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(ValueError, match="schema version 2"):
        WorkDocsBackend(str(path))
    assert main(["serve", "--port", "0", "--db", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"workdocs-local: {path} has schema version 2; this workdocs-local reads up to 1:"
        " use a newer workdocs-local or another --db\n"
    )
    assert _version(path) == SCHEMA_VERSION + 1  # left as it was
