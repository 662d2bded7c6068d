"""`workdocs-users export --format pulumi-import`, then `pulumi import --file` into a Pulumi YAML
program that uses the plugin: the real CLI, YAML host and plugin against workdocs-local, the
users made with boto3 directly. No skip: a missing engine fails with EngineMissing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from pulumi_workdocs.engine import bin_dir
from tests.e2e.conftest import ON_EVERY_BACKEND
from tests.e2e.test_yaml_plugin import USERNAMES, WRITES, YamlProject, calls, live_users, workdocs
from workdocs_local import WorkDocsLocalServer

pytestmark = pytest.mark.e2e
NEWCOMERS = ("edsger.dijkstra@example.com", "barbara-liskov", "Ken.Thompson")


def export(project: YamlProject, target: Path, *more: str) -> subprocess.CompletedProcess[str]:
    """`workdocs-users export --format pulumi-import` run in the program's folder, as a user runs it
    there: no users file, the stack and backend from the environment."""
    env = {**project.env, "AWS_ENDPOINT_URL_WORKDOCS": project.server.url}
    org = project.server.organization_id
    args = ["export", "--format", "pulumi-import", "--organization-id", org, "--output", str(target), *more]
    done = subprocess.run(
        [str(bin_dir() / "workdocs-users"), *args],
        cwd=project.dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done


def mutations(server: WorkDocsLocalServer) -> int:
    return calls(server, *WRITES)


@ON_EVERY_BACKEND
def test_export_then_pulumi_import_adopts_every_unmanaged_user_with_no_write(
    project: YamlProject, tmp_path: Path
) -> None:
    project.run("up", "--yes")  # ada, alan and grace: managed by the program through the plugin
    client, org = workdocs(project.server), project.server.organization_id
    made = {
        name: client.create_user(
            OrganizationId=org, Username=name, GivenName="New", Surname="Comer", Password="Pass-1234-abcd"
        )["User"]["Id"]
        for name in NEWCOMERS
    }
    site_admin = project.server.backend.site_admin  # WorkDocs makes it with the site: unmanaged too
    admin_id = next(u["Id"] for u in client.describe_users(OrganizationId=org)["Users"] if u["Username"] == site_admin)
    creates, writes = calls(project.server, "CreateUser"), mutations(project.server)

    file = tmp_path / "import.json"
    said = export(project, file).stderr
    document = json.loads(file.read_text())
    assert f"4 unmanaged users written to {file}" in said
    assert document["nameTable"] == {}
    assert document["resources"] == [  # by username; the program's three users are left out
        {"type": "workdocs:index:User", "name": "barbara_liskov", "id": made["barbara-liskov"]},
        {"type": "workdocs:index:User", "name": "edsger_dijkstra_example_com",
         "id": made["edsger.dijkstra@example.com"]},
        {"type": "workdocs:index:User", "name": "ken_thompson", "id": made["Ken.Thompson"]},
        {"type": "workdocs:index:User", "name": site_admin, "id": admin_id},
    ]  # fmt: skip

    code = tmp_path / "imported.yaml"
    project.run("import", "--file", str(file), "--yes", "--out", str(code))
    assert project.last_changes() == {"import": 4, "same": 4}
    assert calls(project.server, "CreateUser") == creates  # not one CreateUser
    assert mutations(project.server) == writes  # nor any other write

    users = project.state()[1]
    expected = {r["name"]: r["id"] for r in document["resources"]}
    assert {name: users[name]["id"] for name in expected} == expected
    assert set(users) == set(expected) | set(USERNAMES)
    live = live_users(project.server)
    assert users["ken_thompson"]["outputs"]["username"] == live["Ken.Thompson"]["Username"]
    assert "password" not in users["ken_thompson"]["inputs"]

    # Now managed: a second export has nothing left to import.
    export(project, file)
    assert json.loads(file.read_text()) == {"nameTable": {}, "resources": []}

    # The engine's code, pasted into the program, describes the users exactly: nothing to change.
    imported: dict[str, Any] = yaml.safe_load(code.read_text())["resources"]
    assert set(imported) == set(expected)
    program = yaml.safe_load((project.dir / "Pulumi.yaml").read_text())
    program["resources"].update(imported)
    (project.dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    project.run("preview", "--expect-no-changes")
    assert mutations(project.server) == writes


@pytest.fixture
def project(engine_server: WorkDocsLocalServer, tmp_path: Path, backend: Path | str) -> YamlProject:
    return YamlProject(engine_server, tmp_path, backend)


def test_with_an_explicit_provider_the_users_are_imported_through_it(project: YamlProject, tmp_path: Path) -> None:
    # The program's own provider holds the endpoint; the default one points nowhere, so a user
    # read through it would fail.
    (project.dir / "Pulumi.yaml").write_text(
        yaml.safe_dump(
            {
                "name": "workdocs-yaml",
                "runtime": "yaml",
                "resources": {
                    "eu": {"type": "pulumi:providers:workdocs", "properties": {"endpoint": project.server.url}}
                },
            },
            sort_keys=False,
        )
    )
    project.run("config", "set", "workdocs:endpoint", "http://127.0.0.1:9")
    project.run("up", "--yes")
    urn = next(r["urn"] for r in json.loads(project.run("stack", "export").stdout)["deployment"]["resources"]
               if r["type"] == "pulumi:providers:workdocs")  # fmt: skip
    made = workdocs(project.server).create_user(
        OrganizationId=project.server.organization_id,
        Username="edsger",
        GivenName="E",
        Surname="D",
        Password="Pass-1234",
    )["User"]["Id"]
    writes = mutations(project.server)

    file = tmp_path / "import.json"
    export(project, file, "--provider", f"eu={urn}")
    document = json.loads(file.read_text())
    assert document["nameTable"] == {"eu": urn}
    assert {"type": "workdocs:index:User", "name": "edsger", "id": made, "provider": "eu"} in document["resources"]

    code = tmp_path / "imported.yaml"
    project.run("import", "--file", str(file), "--yes", "--out", str(code))
    users = project.state()[1]
    assert users["edsger"]["id"] == made and users["edsger"]["provider"].startswith(f"{urn}::")
    assert mutations(project.server) == writes

    imported = yaml.safe_load(code.read_text())["resources"]
    assert imported["edsger"]["options"]["provider"] == "${eu}"
    program = yaml.safe_load((project.dir / "Pulumi.yaml").read_text())
    program["resources"].update(imported)
    (project.dir / "Pulumi.yaml").write_text(yaml.safe_dump(program, sort_keys=False))
    project.run("preview", "--expect-no-changes")
