"""examples/yaml under the real CLI, run as a user runs it in a terminal (subprocesses, not the
Automation API): the YAML language host, the pulumi-resource-workdocs plugin, workdocs-local.

No skip: a missing CLI, YAML host or plugin fails every test here with EngineMissing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
import yaml

from pulumi_workdocs.engine import EngineMissing, bin_dir
from tests.e2e.conftest import ACCESS_KEY, ON_EVERY_BACKEND, PASSPHRASE, SECRET_KEY
from workdocs_local import WorkDocsLocalServer

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "yaml"
PASSWORD = "Yaml-Initial-7c2e"  # distinctive: found nowhere in state or output
USERNAMES = {"ada": "ada.lovelace", "alan": "alan.turing", "grace": "grace.hopper"}
WRITES = ("CreateUser", "UpdateUser", "DeleteUser", "ActivateUser", "DeactivateUser")


def executables() -> dict[str, Path]:
    """The CLI, the YAML host and the plugin, from .venv/bin; EngineMissing if one is not there."""
    found = {name: bin_dir() / name for name in ("pulumi", "pulumi-language-yaml", "pulumi-resource-workdocs")}
    for path in found.values():
        if not os.access(path, os.X_OK):
            raise EngineMissing(f"{path} not found: run `make bootstrap` (it builds the CLI and the YAML host)")
    return found


class YamlProject:
    """A copy of examples/yaml with its own stack on the test's backend (a folder or a bucket), driven
    through the CLI."""

    def __init__(self, server: WorkDocsLocalServer, tmp_path: Path, backend: Path | str) -> None:
        self.server = server
        self.cli = str(executables()["pulumi"])
        self.dir = tmp_path / "project"
        shutil.copytree(EXAMPLE, self.dir)
        if isinstance(backend, Path):
            backend.mkdir()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PULUMI_"))}
        env.update(
            PATH=f"{bin_dir()}{os.pathsep}{os.environ.get('PATH', '')}",
            PULUMI_HOME=str(tmp_path / "pulumi-home"),
            PULUMI_BACKEND_URL=backend.as_uri() if isinstance(backend, Path) else backend,
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
            AWS_ACCESS_KEY_ID=ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=SECRET_KEY,
            AWS_DEFAULT_REGION="us-east-1",
        )
        self.env = env
        self.outputs: list[str] = []
        self.run("stack", "init", "dev")
        self.run("config", "set", "workdocs:endpoint", server.url)
        self.run("config", "set", "organizationId", server.organization_id)
        self.run("config", "set", "--secret", "initialPassword", PASSWORD)

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [self.cli, *args], cwd=self.dir, env=self.env, capture_output=True, text=True, timeout=300
        )
        self.outputs.append(done.stdout + done.stderr)
        if ok and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
        return done

    def last_changes(self) -> dict[str, int]:
        """The resource changes of the latest operation (`pulumi stack history`)."""
        history = json.loads(self.run("stack", "history", "--json").stdout)
        return dict(history[0]["resourceChanges"])

    def state(self) -> tuple[str, dict[str, dict[str, Any]]]:
        """`pulumi stack export` as a user runs it (no --show-secrets), and its users by name."""
        text = self.run("stack", "export").stdout
        resources = json.loads(text)["deployment"].get("resources", [])
        users = {r["urn"].rsplit("::", 1)[1]: r for r in resources if r["type"] == "workdocs:index:User"}
        return text, users

    def edit(self, old: str, new: str) -> None:
        program = self.dir / "Pulumi.yaml"
        text = program.read_text()
        assert old in text
        program.write_text(text.replace(old, new))


@pytest.fixture
def project(engine_server: WorkDocsLocalServer, tmp_path: Path, backend: Path | str) -> YamlProject:
    return YamlProject(engine_server, tmp_path, backend)


def workdocs(server: WorkDocsLocalServer) -> Any:
    return boto3.client(
        "workdocs",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def live_users(server: WorkDocsLocalServer) -> dict[str, dict[str, Any]]:
    """The organization's users but its site administrator (workdocs-local makes one, as WorkDocs does)."""
    response = workdocs(server).describe_users(
        OrganizationId=server.organization_id, Include="ALL", Fields="STORAGE_METADATA", Limit=999
    )
    return {u["Username"]: u for u in response["Users"] if u["Username"] != server.backend.site_admin}


def calls(server: WorkDocsLocalServer, *operations: str) -> int:
    return sum(len(server.app.requests.entries(op)) for op in operations)


def schema_outputs(project: YamlProject) -> set[str]:
    """The User outputs, from the schema as `pulumi package get-schema` prints it."""
    plugin = shutil.which("pulumi-resource-workdocs", path=project.env["PATH"])  # as `command -v` finds it
    assert plugin is not None
    schema = json.loads(project.run("package", "get-schema", plugin).stdout)
    return set(schema["resources"]["workdocs:index:User"]["properties"])


@ON_EVERY_BACKEND
def test_up_creates_every_user_with_every_output_and_no_password_anywhere(project: YamlProject) -> None:
    up = project.run("up", "--yes")
    assert project.last_changes() == {"create": 4}  # the stack and three users
    text, users = project.state()
    live = live_users(project.server)
    outputs = schema_outputs(project)
    assert set(users) == set(USERNAMES) and set(live) == set(USERNAMES.values())
    for name, resource in users.items():
        outs, user = resource["outputs"], live[USERNAMES[name]]
        assert resource["id"] == user["Id"]
        missing = {k for k in outputs if outs.get(k) is None}
        assert missing == set(), f"{name}: outputs not set: {missing}"
        assert outs["rootFolderId"] == user["RootFolderId"] and outs["status"] == "ACTIVE"
        assert "password" not in outs
        assert set(resource["inputs"]["password"]) == {"4dabf18193072939515e22adb298388d", "ciphertext"}
    assert users["ada"]["outputs"]["storageRule"] == {"storageType": "QUOTA", "storageAllocatedInBytes": 53687091200}
    assert live["alan.turing"]["Storage"]["StorageRule"] == {"StorageType": "UNLIMITED"}
    assert PASSWORD not in text and PASSWORD not in up.stdout + up.stderr
    stack_outputs = json.loads(project.run("stack", "output", "--json").stdout)
    assert stack_outputs["adaId"] == live["ada.lovelace"]["Id"]


def test_a_second_up_changes_nothing_and_a_changed_field_updates_in_place(project: YamlProject) -> None:
    project.run("up", "--yes")
    ids = {name: r["id"] for name, r in project.state()[1].items()}
    requests = len(project.server.app.requests.entries())

    project.run("up", "--yes")
    assert project.last_changes() == {"same": 4}
    assert len(project.server.app.requests.entries()) == requests  # no WorkDocs call at all

    project.edit("givenName: Grace", "givenName: Amazing Grace")
    diff = project.run("preview", "--diff").stdout
    assert 'givenName: "Grace" => "Amazing Grace"' in diff
    updates = calls(project.server, "UpdateUser")  # creation sends type and locale with UpdateUser
    project.run("up", "--yes")
    assert project.last_changes() == {"same": 3, "update": 1}
    assert calls(project.server, "CreateUser", "DeleteUser") == 3  # the three creations only
    assert calls(project.server, "UpdateUser") == updates + 1
    assert live_users(project.server)["grace.hopper"]["GivenName"] == "Amazing Grace"
    assert {name: r["id"] for name, r in project.state()[1].items()} == ids


def test_refresh_sees_a_change_made_with_boto3(project: YamlProject) -> None:
    project.run("up", "--yes")
    alan = live_users(project.server)["alan.turing"]
    workdocs(project.server).update_user(UserId=alan["Id"], Surname="Mathison-Turing")

    refresh = project.run("refresh", "--yes")
    assert "[diff: ~surname]" in refresh.stdout
    assert project.last_changes() == {"same": 3, "update": 1}
    users = project.state()[1]
    assert users["alan"]["outputs"]["surname"] == "Mathison-Turing"
    assert users["alan"]["inputs"]["password"]["ciphertext"]  # refresh keeps the write-only input, as a secret

    # The program still says Turing: the next up puts it back.
    preview = project.run("preview", "--expect-no-changes", ok=False)
    assert preview.returncode != 0 and "~ 1 to update" in preview.stdout
    project.run("up", "--yes")
    assert live_users(project.server)["alan.turing"]["Surname"] == "Turing"


@ON_EVERY_BACKEND
def test_import_adopts_existing_users_without_create_and_prints_code_to_paste(
    project: YamlProject, tmp_path: Path
) -> None:
    project.run("up", "--yes")
    client = workdocs(project.server)
    org = project.server.organization_id
    edsger = client.create_user(
        OrganizationId=org, Username="edsger", GivenName="Edsger", Surname="Dijkstra", Password="Pass-1234"
    )["User"]["Id"]
    barbara = client.create_user(
        OrganizationId=org, Username="barbara", GivenName="Barbara", Surname="Liskov", Password="Pass-1234"
    )["User"]["Id"]
    writes = calls(project.server, *WRITES)

    code = tmp_path / "edsger.yaml"
    done = project.run("import", "workdocs:index:User", "edsger", edsger, "--yes", "--out", str(code))
    assert project.last_changes() == {"import": 1, "same": 4}
    assert "password" not in done.stdout + done.stderr
    more = tmp_path / "barbara.yaml"
    project.run("import", "workdocs:index:User", "barbara", f"{org}/{barbara}", "--yes", "--out", str(more))
    assert calls(project.server, *WRITES) == writes  # no CreateUser, nor any other write

    users = project.state()[1]
    assert users["edsger"]["id"] == edsger and users["barbara"]["id"] == barbara
    assert users["edsger"]["outputs"]["givenName"] == "Edsger" and "password" not in users["edsger"]["inputs"]
    imported = {**yaml.safe_load(code.read_text())["resources"], **yaml.safe_load(more.read_text())["resources"]}
    assert imported["barbara"]["properties"]["username"] == "barbara"
    assert imported["edsger"]["options"] == {"protect": True}

    # Pasted into the program, the code describes the users exactly: nothing to change.
    program = yaml.safe_load((project.dir / "Pulumi.yaml").read_text())
    program["resources"].update(imported)
    (project.dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    project.run("preview", "--expect-no-changes")


def test_destroy_applies_each_users_deletion_policy(project: YamlProject) -> None:
    project.run("up", "--yes")
    project.run("destroy", "--yes")
    assert project.last_changes() == {"delete": 4}
    live = live_users(project.server)
    assert live["ada.lovelace"]["Status"] == "INACTIVE" and live["alan.turing"]["Status"] == "INACTIVE"
    assert "grace.hopper" not in live  # deletionPolicy DELETE
    assert calls(project.server, "DeactivateUser") == 2 and calls(project.server, "DeleteUser") == 1


def test_bad_input_and_service_errors_are_one_line_without_tracebacks(project: YamlProject) -> None:
    project.edit("givenName: Ada", "givenName: " + "A" * 65)
    preview = project.run("preview", ok=False)
    text = preview.stdout + preview.stderr
    assert preview.returncode != 0
    # The engine words it, quoting the value (never a secret's: password shows as [secret]).
    assert "property givenName value {" + "A" * 65 + "} has a problem: givenName must be at most 64 characters" in text
    assert "Traceback" not in text and PASSWORD not in text
    assert calls(project.server, *WRITES) == 0

    project.edit("givenName: " + "A" * 65, "givenName: Ada")
    workdocs(project.server).create_user(
        OrganizationId=project.server.organization_id,
        Username="alan.turing",
        GivenName="Alan",
        Surname="Turing",
        Password="Pass-1234",
    )
    up = project.run("up", "--yes", ok=False)
    text = up.stdout + up.stderr
    assert up.returncode != 0
    lines = [line.strip() for line in text.splitlines() if "CreateUser failed" in line]
    expected = "error: WorkDocs user 'alan.turing': CreateUser failed: a user with this username already exists"
    assert lines and all(expected in line and line.endswith("in users.yaml)") for line in lines), lines
    assert expected in {line[: len(expected)] for line in lines}  # the diagnostics' own line
    assert "Traceback" not in text and PASSWORD not in text
