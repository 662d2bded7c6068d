"""Adding a plain field is one row in core/fields.py and one regenerate (README, "Adding a field").

WorkDocs' User shape has no member the table leaves out, so the test gives a copy of the
project a WorkDocs model with one more User member of each model type (botocore's Loader
reads AWS_DATA_PATH first), adds one row per member to the copy's field table, runs the
generators there and then part of the unit suite against the copy.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import botocore.session

ROOT = Path(__file__).resolve().parents[2]
# One new User member per model type: (member, its shape, the row added to FIELDS).
NEW_MEMBERS: dict[str, tuple[dict[str, Any], str]] = {
    "PreferredName": (
        {"type": "string", "min": 1, "max": 32},
        'Field("PreferredName", Change.UPDATE_USER, False, "Name.")',
    ),
    "LoginCount": ({"type": "integer", "min": 0}, 'Field("LoginCount", Change.UPDATE_USER, False, "Logins.")'),
    "MfaEnabled": ({"type": "boolean"}, 'Field("MfaEnabled", Change.UPDATE_USER, False, "Multi-factor sign-in.")'),
    "ReviewedTimestamp": ({"type": "timestamp"}, 'Field("ReviewedTimestamp", Change.UPDATE_USER, False, "Reviewed.")'),
    "Department": (
        {"type": "string", "enum": ["SALES", "ENGINEERING"]},
        'Field("Department", Change.UPDATE_USER, True, "Department.")',
    ),
}
# What each member becomes: property name, JSON Schema type, Python type of the argument.
EXPECTED = {
    "PreferredName": ("preferred_name", "string", "str"),
    "LoginCount": ("login_count", "integer", "int"),
    "MfaEnabled": ("mfa_enabled", "boolean", "bool"),
    "ReviewedTimestamp": ("reviewed_timestamp", "string", "str"),
    "Department": ("department", "string", "str"),
}
# The unit tests that read the table, the schemas, the records and the signature (~15 s).
SUBSET = [
    "tests/pulumi_workdocs/test_codegen.py",
    "tests/pulumi_workdocs/test_structure.py",
    "tests/pulumi_workdocs/test_schema_model.py",
    "tests/pulumi_workdocs/test_check_diff.py",
    "tests/pulumi_workdocs/test_validate.py",
    "tests/pulumi_workdocs/test_plan.py",
    "tests/pulumi_workdocs/test_drift.py",
    "tests/pulumi_workdocs/test_plugin.py",
    "tests/pulumi_workdocs/test_resource_outputs.py",
]


def _model_with_new_members(data: Path) -> None:
    """botocore's WorkDocs model, with NEW_MEMBERS in User, CreateUser's and UpdateUser's input."""
    loader = botocore.session.get_session().get_component("data_loader")
    version = loader.list_api_versions("workdocs", "service-2")[-1]
    model = loader.load_service_model("workdocs", "service-2", version)
    for member, (shape, _) in NEW_MEMBERS.items():
        model["shapes"][f"{member}Type"] = shape
        for owner in ("User", "CreateUserRequest", "UpdateUserRequest"):
            model["shapes"][owner]["members"][member] = {"shape": f"{member}Type", "documentation": f"<p>{member}</p>"}
    target = data / "workdocs" / version / "service-2.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(model))


def _copy_project(to: Path) -> None:
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".pytest_cache")
    shutil.copytree(ROOT / "provider", to / "provider", ignore=ignore)
    shutil.copytree(ROOT / "tests" / "pulumi_workdocs", to / "tests" / "pulumi_workdocs", ignore=ignore)
    for name in ("tests/__init__.py", "tests/conftest.py", "tests/processes.py", "pyproject.toml", "users.yaml"):
        shutil.copy(ROOT / name, to / name)
    (to / "schema.json").symlink_to("provider/pulumi_workdocs/schema.json")


def _add_rows(fields_py: Path) -> None:
    text = fields_py.read_text()
    end = "\n)\nBY_PROP = "
    assert text.count(end) == 1, "the end of FIELDS moved: update this test"
    rows = "".join(f"\n    {row}," for _, row in NEW_MEMBERS.values())
    fields_py.write_text(text.replace(end, rows + end))


def test_a_new_field_of_each_model_type_is_one_row_and_one_regenerate(tmp_path: Path) -> None:
    project, data = tmp_path / "project", tmp_path / "data"
    _copy_project(project)
    _model_with_new_members(data)
    _add_rows(project / "provider" / "pulumi_workdocs" / "core" / "fields.py")
    env = {**os.environ, "AWS_DATA_PATH": str(data), "PYTHONPATH": str(project / "provider")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=project, env=env, capture_output=True, text=True, timeout=120
        )

    stale = run("-m", "pulumi_workdocs.codegen", "--check")
    assert stale.returncode == 1 and "provider/pulumi_workdocs/schema.json" in stale.stderr
    generated = run("-m", "pulumi_workdocs.codegen")
    assert generated.returncode == 0, generated.stderr

    users = json.loads((project / "provider/pulumi_workdocs/schema.json").read_text())
    package = json.loads((project / "provider/pulumi_workdocs/plugin/schema.json").read_text())
    resource = (project / "provider/pulumi_workdocs/resource.py").read_text()
    records = (project / "provider/pulumi_workdocs/core/records.py").read_text()
    columns = (project / "provider/workdocs_local/models/_columns.py").read_text()  # workdocs-local's users table
    for member, (prop, json_type, python_type) in EXPECTED.items():
        assert users["$defs"][prop]["type"] == json_type, member
        assert prop in users["$defs"]["WorkDocsUserArgs"]["properties"]
        assert {"$ref": f"#/$defs/{prop}"} == users["$defs"]["users_file_user"]["properties"][prop]
        camel = prop.split("_")[0] + "".join(w.capitalize() for w in prop.split("_")[1:])
        user_type = package["resources"]["workdocs:index:User"]
        assert user_type["inputProperties"][camel]["type"] == json_type, member
        assert user_type["properties"][camel]["type"] == json_type, member
        assert f"        {prop}: pulumi.Input[{python_type}] | None = None," in resource
        assert f"    {prop}: pulumi.Output[{python_type} | None]" in resource
        assert f"    {prop}: {python_type} | None" in records
        assert f'Column(("{member}",), "{prop}",' in columns, member
    assert users["$defs"]["department"]["enum"] == ["SALES", "ENGINEERING"]
    assert users["$defs"]["login_count"]["minimum"] == 0

    suite = run("-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *SUBSET)
    assert suite.returncode == 0, suite.stdout[-3000:] + suite.stderr[-2000:]
    assert " passed" in suite.stdout.splitlines()[-1]
