"""The Python SDK generated from the provider's schema, driving the plugin under the real engine.

No Python language host is served here, so the program runs inline (Automation API); the
resource is still the plugin's ``workdocs:index:User``, not the dynamic one.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pulumi
import pytest

from pulumi_workdocs.engine import EngineMissing, bin_dir
from pulumi_workdocs.plugin import package_schema
from tests.e2e.conftest import StackRunner
from tests.e2e.test_workdocs_user import client

pytestmark = pytest.mark.e2e


def installed_sdk(tmp_path: Path) -> Path:
    """The Python SDK generated from the checked-in schema, pip-installed (offline) into a folder."""
    gensdk = bin_dir() / "workdocs-gensdk"
    if not os.access(gensdk, os.X_OK):
        raise EngineMissing(f"{gensdk} not found: run `make bootstrap` (it builds tools/pulumi/gensdk)")
    subprocess.run([str(gensdk), str(package_schema.OUT), str(tmp_path / "sdk"), "python"], check=True, timeout=120)
    site = tmp_path / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    subprocess.run([*pip, "--target", str(site), str(tmp_path / "sdk" / "python")], check=True, timeout=300)
    return site


def test_the_generated_python_sdk_creates_a_user_through_the_plugin(
    runner: StackRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(installed_sdk(tmp_path)))
    sdk = importlib.import_module("pulumi_workdocs_sdk")
    try:
        organization = runner.server.organization_id

        def program() -> None:
            user = sdk.User(
                "ada",
                organization_id=organization,
                username="ada.lovelace",
                given_name="Ada",
                surname="Lovelace",
                password="Sdk-Initial-3b9d",
                storage_rule=sdk.StorageRuleArgs(storage_type="UNLIMITED"),
            )
            pulumi.export("root", user.root_folder_id)

        result = runner.up(program)
        deployment = runner.stack().export_stack().deployment or {}
        resources = {
            r["urn"].rsplit("::", 1)[1]: r for r in deployment["resources"] if r["type"].startswith("workdocs")
        }
        assert list(resources) == ["ada"] and resources["ada"]["type"] == "workdocs:index:User"  # the plugin's
        live = client(runner).describe_users(OrganizationId=organization)["Users"]
        assert [u["Username"] for u in live if u["Username"] != "siteadmin"] == ["ada.lovelace"]
        assert result.outputs["root"].value == live[0]["RootFolderId"] == resources["ada"]["outputs"]["rootFolderId"]
        assert "Sdk-Initial-3b9d" not in runner.export_plain()
    finally:
        for name in [m for m in sys.modules if m.startswith("pulumi_workdocs_sdk")]:
            del sys.modules[name]
