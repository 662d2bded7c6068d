"""The root stack (users.yaml) and examples/basic under the real engine."""

from __future__ import annotations

import runpy
import shutil
from pathlib import Path

import pytest
from pulumi import automation as auto

from pulumi_workdocs.engine.root_stack import open_stack
from pulumi_workdocs.stack import generated_password
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import StackRunner

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def test_root_stack_creates_the_sample_users_with_secret_generated_passwords(
    runner: StackRunner, tmp_path: Path
) -> None:
    text = (ROOT / "users.yaml").read_text()
    sample = load(ROOT / "users.yaml")
    users_path = tmp_path / "users.yaml"
    users_path.write_text(text.replace(sample.organization_id, runner.server.organization_id))
    users_file = load(users_path)
    stack = open_stack(users_file, "dev", runner.backend, runner.work, endpoint=runner.server.url, env=runner.env)
    result = stack.up(on_output=runner.output.append)
    users = result.outputs["users"].value
    assert set(users) == {u.username for u in users_file.users}
    for name, user in users.items():
        assert user["id"] and user["root_folder_id"] and user["recycle_bin_folder_id"], name
    passwords = result.outputs["generated_passwords"]
    assert passwords.secret is True and set(passwords.value) == set(users)
    seed = stack.get_config("workdocs-users:passwordSeed")
    assert seed.secret is True
    expected = generated_password(seed.value, users_file.organization_id, "ada.lovelace")
    assert passwords.value["ada.lovelace"] == expected
    exported = runner.export_plain()
    assert all(p not in exported for p in passwords.value.values())
    assert all(p not in "".join(runner.output) for p in passwords.value.values())

    second = open_stack(users_file, "dev", runner.backend, runner.work, runner.server.url, runner.env)
    rerun = second.up(on_output=runner.output.append)
    assert {getattr(k, "value", k): v for k, v in (rerun.summary.resource_changes or {}).items()} == {
        "same": len(users) + 1
    }


def test_examples_basic_runs_under_the_engine(runner: StackRunner, tmp_path: Path) -> None:
    example = tmp_path / "basic"
    shutil.copytree(ROOT / "examples" / "basic", example)

    def program() -> None:
        runpy.run_path(str(example / "__main__.py"))

    stack = auto.create_or_select_stack(
        "dev",
        "workdocs-basic",
        program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=str(example),
            pulumi_home=str(runner.pulumi_home()),
            env_vars=runner.workspace_env(),
            secrets_provider="passphrase",
            pulumi_command=runner.command,
        ),
    )
    stack.set_config("workdocs:endpoint", auto.ConfigValue(runner.server.url))
    stack.set_config("organizationId", auto.ConfigValue(runner.server.organization_id))
    stack.set_config("initialPassword", auto.ConfigValue("Example-Pass-42", secret=True))
    result = stack.up(on_output=runner.output.append)
    assert result.outputs["marie"].value["id"] and result.outputs["pierre"].value["id"]
    live = runner.server.backend._query("SELECT username, type FROM users ORDER BY username")
    assert [(r["username"], r["type"]) for r in live] == [
        ("marie.curie", "USER"),
        ("pierre.curie", "POWERUSER"),
        ("siteadmin", "ADMIN"),  # the site's own administrator
    ]
    stack.destroy(on_output=runner.output.append)
    remaining = runner.server.backend._query("SELECT username, status FROM users ORDER BY username")
    assert [(r["username"], r["status"]) for r in remaining] == [("marie.curie", "INACTIVE"), ("siteadmin", "ACTIVE")]
