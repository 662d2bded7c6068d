"""The engine guard and import hygiene."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pulumi_workdocs import engine


def test_a_missing_engine_is_a_clear_error_not_a_skip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(engine, "bin_dir", lambda: tmp_path)
    with pytest.raises(
        engine.EngineMissing, match=r"the Pulumi engine is missing: .*/pulumi not found\. Run `make bootstrap`"
    ):
        engine.pulumi_command()


def test_the_bootstrapped_engine_is_found() -> None:
    command = engine.pulumi_command()
    assert Path(command.command).name == "pulumi"
    assert command.version is not None and (command.version.major, command.version.minor) >= engine.MIN_CLI_VERSION


def test_importing_the_package_registers_no_resource() -> None:
    # Outside any Pulumi program: registering a resource here would raise.
    code = "import pulumi_workdocs, pulumi_workdocs.provider, pulumi_workdocs.stack; print('ok')"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_the_provider_pickles_by_reference_and_small() -> None:
    from pulumi.dynamic.dynamic import serialize_provider

    from pulumi_workdocs.provider import WorkDocsUserProvider

    serialized = serialize_provider(WorkDocsUserProvider())
    assert len(serialized) < 140  # base64 of a class reference; bytecode would be kilobytes
