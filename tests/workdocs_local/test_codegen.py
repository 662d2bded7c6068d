"""The users table's column map is generated from botocore's ``User`` shape, and kept so.

The last test proves the point of generating it: a copy of the WorkDocs model with a new
``User`` member of each type (loaded through ``AWS_DATA_PATH``, which botocore's loader
searches first), regenerated into a copy of workdocs-local, stores and describes them.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore.model import DenormalizedStructureBuilder

from workdocs_local.codegen import COLUMNS_MODULE, REPO_ROOT, generated_files, main, user_columns

PROVIDER = Path(__file__).resolve().parents[2] / "provider"


def test_the_checked_in_files_are_what_the_generator_writes():
    files = generated_files()
    assert [path for path, _ in files] == [COLUMNS_MODULE]
    for relative, text in files:
        assert (REPO_ROOT / relative).read_text(encoding="utf-8") == text, (
            f"{relative} is out of date: run python -m workdocs_local.codegen"
        )


def test_check_names_a_stale_file_and_a_run_mends_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    target = tmp_path / COLUMNS_MODULE
    target.parent.mkdir(parents=True)
    target.write_text("# edited by hand\n", encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"{COLUMNS_MODULE} is out of date: run python -m workdocs_local.codegen\n"
    assert target.read_text(encoding="utf-8") == "# edited by hand\n"  # --check writes nothing
    assert main(["--root", str(tmp_path)]) == 0
    assert capsys.readouterr().out == f"wrote {COLUMNS_MODULE}\n"
    assert main(["--check", "--root", str(tmp_path)]) == 0
    assert target.read_text(encoding="utf-8") == dict(generated_files())[COLUMNS_MODULE]


def test_every_scalar_type_makes_a_column_and_nested_structures_flatten():
    shape = (
        DenormalizedStructureBuilder()
        .with_members(
            {
                "Name": {"type": "string"},
                "Level": {"type": "string", "enum": ["LOW", "HIGH"]},
                "Count": {"type": "integer"},
                "SizeInBytes": {"type": "long"},
                "Enabled": {"type": "boolean"},
                "SeenTimestamp": {"type": "timestamp"},
                "Ratio": {"type": "double"},
                "Tags": {"type": "list", "member": {"type": "string"}},
                "Outer": {
                    "type": "structure",
                    "members": {"Inner": {"type": "structure", "members": {"Deep": {"type": "long"}}}},
                },
            }
        )
        .build_model()
    )
    columns, skipped = user_columns(shape)
    assert [(c.path, c.name, c.sql_type, c.kind) for c in columns] == [
        (("Name",), "name", "TEXT", "string"),
        (("Level",), "level", "TEXT", "enum"),
        (("Count",), "count", "INTEGER", "integer"),
        (("SizeInBytes",), "size_in_bytes", "INTEGER", "long"),
        (("Enabled",), "enabled", "INTEGER", "boolean"),
        (("SeenTimestamp",), "seen_timestamp", "REAL", "timestamp"),
        (("Ratio",), "ratio", "REAL", "double"),
        (("Outer", "Inner", "Deep"), "deep", "INTEGER", "long"),
    ]
    assert skipped == ["Tags (list)"]


def test_two_members_that_would_share_a_column_are_refused():
    shape = (
        DenormalizedStructureBuilder()
        .with_members({"Size": {"type": "long"}, "Rule": {"type": "structure", "members": {"Size": {"type": "long"}}}})
        .build_model()
    )
    with pytest.raises(ValueError, match="User members Size and Rule.Size both make column size"):
        user_columns(shape)


# -- a new member of each type, end to end ------------------------------------------------

NEW_SHAPES = {
    "ExtraNoteType": {"type": "string", "min": 1, "max": 64},
    "ExtraCountType": {"type": "integer"},
    "ExtraSizeType": {"type": "long"},
    "ExtraFlagType": {"type": "boolean"},
    "ExtraLevelType": {"type": "string", "enum": ["LOW", "HIGH"]},
}
NEW_USER_MEMBERS = {
    "ExtraNote": "ExtraNoteType",
    "ExtraCount": "ExtraCountType",
    "ExtraSize": "ExtraSizeType",
    "ExtraFlag": "ExtraFlagType",
    "ExtraSince": "TimestampType",
    "ExtraLevel": "ExtraLevelType",
    "ExtraReadOnly": "ExtraNoteType",  # an output only: no operation's input sets it
}

SCRIPT = """
import datetime as dt, json, sqlite3, sys
import boto3, workdocs_local
from pathlib import Path
from workdocs_local.codegen import generated_files

copy = Path(sys.argv[1])
assert Path(workdocs_local.__file__).is_relative_to(copy), workdocs_local.__file__
for relative, text in generated_files():
    copy.joinpath(*Path(relative).parts[1:]).write_text(text, encoding="utf-8")

from workdocs_local import WorkDocsLocalServer

db = sys.argv[2]
with WorkDocsLocalServer(db=db) as server:
    client = boto3.client("workdocs", endpoint_url=server.url, region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    org = server.organization_id
    since = dt.datetime(2024, 5, 6, 7, 8, 9, 500000, tzinfo=dt.timezone.utc)
    common = {"OrganizationId": org, "GivenName": "G", "Surname": "S", "Password": "Secr3t-Pass"}
    created = client.create_user(Username="ann", ExtraNote="hello", ExtraCount=7, ExtraSize=2**40,
                                 ExtraFlag=True, ExtraSince=since, ExtraLevel="HIGH",
                                 StorageRule={"StorageType": "QUOTA", "StorageAllocatedInBytes": 5,
                                              "ExtraRuleNote": "rule"}, **common)["User"]
    falsy = client.create_user(Username="bob", ExtraFlag=False, ExtraCount=0, **common)["User"]
    updated = client.update_user(UserId=created["Id"], ExtraCount=8)["User"]
    described = {u["Username"]: u for u in client.describe_users(
        OrganizationId=org, Fields="STORAGE_METADATA")["Users"]}
with sqlite3.connect(db) as sql:
    columns = {r[1]: r[2] for r in sql.execute("PRAGMA table_info(users)")}
print(json.dumps({"created": created, "falsy": falsy, "updated": updated, "described": described,
                  "columns": columns}, default=lambda v: v.isoformat()))
"""


def _model_with_new_members(data_path: Path) -> None:
    """A copy of botocore's WorkDocs model, where AWS_DATA_PATH makes botocore find it first."""
    source = Path(botocore.__file__).parent / "data" / "workdocs" / "2016-05-01" / "service-2.json.gz"
    model: dict[str, Any] = json.loads(gzip.decompress(source.read_bytes()))
    shapes = model["shapes"]
    shapes.update(NEW_SHAPES)
    for member, shape in NEW_USER_MEMBERS.items():
        shapes["User"]["members"][member] = {"shape": shape}
        if member != "ExtraReadOnly":
            shapes["CreateUserRequest"]["members"][member] = {"shape": shape}
    shapes["UpdateUserRequest"]["members"]["ExtraCount"] = {"shape": "ExtraCountType"}
    shapes["StorageRuleType"]["members"]["ExtraRuleNote"] = {"shape": "ExtraNoteType"}
    target = data_path / "workdocs" / "2016-05-01" / "service-2.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(model), encoding="utf-8")


def test_a_new_user_member_of_each_type_gets_a_column_and_round_trips(tmp_path: Path):
    data_path = tmp_path / "models"
    _model_with_new_members(data_path)
    source = tmp_path / "src"
    shutil.copytree(
        PROVIDER / "workdocs_local", source / "workdocs_local", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {**os.environ, "AWS_DATA_PATH": str(data_path), "PYTHONPATH": str(source)}
    env.pop("AWS_PROFILE", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(source), str(tmp_path / "users.db")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)

    assert {name: answer["columns"][name] for name in answer["columns"] if name.startswith("extra_")} == {
        "extra_note": "TEXT",
        "extra_count": "INTEGER",
        "extra_size": "INTEGER",
        "extra_flag": "INTEGER",
        "extra_since": "REAL",
        "extra_level": "TEXT",
        "extra_read_only": "TEXT",
        "extra_rule_note": "TEXT",
    }
    generated = (source / "workdocs_local" / "models" / "_columns.py").read_text(encoding="utf-8")
    assert 'Column(("ExtraFlag",), "extra_flag", "INTEGER", "boolean"),' in generated
    assert 'Column(("ExtraLevel",), "extra_level", "TEXT", "enum"),' in generated

    new_values = {
        "ExtraNote": "hello",
        "ExtraCount": 7,
        "ExtraSize": 2**40,
        "ExtraFlag": True,
        "ExtraSince": "2024-05-06T07:08:09.500000+00:00",
        "ExtraLevel": "HIGH",
    }
    created, described = answer["created"], answer["described"]["ann"]
    assert {k: created[k] for k in new_values} == new_values
    assert {k: described[k] for k in new_values} == {**new_values, "ExtraCount": 8}
    assert answer["updated"]["ExtraCount"] == 8
    assert described["Storage"]["StorageRule"] == {
        "StorageType": "QUOTA",
        "StorageAllocatedInBytes": 5,
        "ExtraRuleNote": "rule",
    }
    assert "ExtraReadOnly" not in described  # stored empty: no input sets it
    # False and 0 are values, not absences.
    assert (answer["falsy"]["ExtraFlag"], answer["falsy"]["ExtraCount"]) == (False, 0)
    assert (answer["described"]["bob"]["ExtraFlag"], answer["described"]["bob"]["ExtraCount"]) == (False, 0)
    assert "ExtraNote" not in answer["described"]["bob"]
