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


@pytest.mark.parametrize("value", [None, ""])
def test_no_passphrase_is_an_error_never_a_public_default(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    for name in ("PULUMI_CONFIG_PASSPHRASE", "PULUMI_CONFIG_PASSPHRASE_FILE"):
        monkeypatch.delenv(name, raising=False)
        if value is not None:
            monkeypatch.setenv(name, value)
    with pytest.raises(engine.PassphraseMissing, match=r"^PULUMI_CONFIG_PASSPHRASE is not set \(or is empty\)"):
        engine.workspace_env("file:///tmp/unused-backend")


def test_plan_without_passphrase_or_with_an_empty_backend_stops_in_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a CI job sees when a repository secret is missing: one line, exit 1, no state made."""
    from pulumi_workdocs.cli import main

    users = Path(__file__).resolve().parents[2] / "users.yaml"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    assert main(["plan", "--file", str(users), "--backend", str(tmp_path / "state")]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "workdocs-users: PULUMI_CONFIG_PASSPHRASE is not set (or is empty): the stack's secrets, such as the password "
        "seed, are encrypted with it; set it (in CI, from a repository secret) or set PULUMI_CONFIG_PASSPHRASE_FILE"
    ]
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "p")
    monkeypatch.setenv("PULUMI_BACKEND_URL", "")
    assert main(["up", "--file", str(users)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "workdocs-users: the state backend is empty (PULUMI_BACKEND_URL set to ''?); give --backend URL or folder"
    ]
    assert main(["plan", "--file", str(users), "--backend", str(tmp_path / "state"), "--stack", ""]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "workdocs-users: the stack name is empty (WORKDOCS_STACK set to ''?); give --stack NAME"
    ]
    assert list(tmp_path.iterdir()) == []


def test_a_passphrase_file_must_be_readable_and_not_empty_and_not_shadowed(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE", raising=False)
    monkeypatch.delenv("PULUMI_CONFIG_PASSPHRASE_FILE", raising=False)
    good, blank = tmp_path / "good", tmp_path / "blank"
    good.write_text("s3cret\n")
    blank.write_text(" \n")
    with pytest.raises(engine.PassphraseMissing, match=r"^PULUMI_CONFIG_PASSPHRASE_FILE .*/blank is empty$"):
        engine.passphrase_env({"PULUMI_CONFIG_PASSPHRASE_FILE": str(blank)})
    with pytest.raises(engine.PassphraseMissing, match=r"^PULUMI_CONFIG_PASSPHRASE_FILE .*/nope cannot be read: "):
        engine.passphrase_env({"PULUMI_CONFIG_PASSPHRASE_FILE": str(tmp_path / "nope")})
    with pytest.raises(engine.PassphraseMissing, match=r"set but empty; unset it to use PULUMI_CONFIG_PASSPHRASE_FILE"):
        engine.passphrase_env({"PULUMI_CONFIG_PASSPHRASE": "", "PULUMI_CONFIG_PASSPHRASE_FILE": str(good)})
    assert engine.passphrase_env({"PULUMI_CONFIG_PASSPHRASE_FILE": str(good)}) == {
        "PULUMI_CONFIG_PASSPHRASE_FILE": str(good)
    }
