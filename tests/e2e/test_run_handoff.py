"""The run hand-off with the real engine: written for each run, no secret in it, gone after."""

from __future__ import annotations

import gc
import json
import tempfile
from pathlib import Path

import pytest
from pulumi import automation as auto

from pulumi_workdocs import handoff
from pulumi_workdocs.engine.root_stack import handing_off, open_stack
from pulumi_workdocs.handoff import Endpoint, RunHandoff
from pulumi_workdocs.users_file import load
from tests.e2e.conftest import UsersCli, user

pytestmark = pytest.mark.e2e

SECRETS = ("Config-Pass-7730", "Env-Pass-5521")


def test_the_hand_off_holds_no_password_and_is_removed_when_the_run_ends(
    cli: UsersCli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile reads TMPDIR again
    monkeypatch.setenv("BOB_PASSWORD", SECRETS[1])
    monkeypatch.delenv("DAVE_PASSWORD", raising=False)
    cli.write([
        user("alice", password={"config": "alicePassword"}),
        user("bob", password={"env": "BOB_PASSWORD"}),
        user("carol"),  # generated from the stack's secret seed
        user("dave", password={"env": "DAVE_PASSWORD"}),  # not set
    ])  # fmt: skip
    endpoint = Endpoint(cli.runner.server.url, "from --endpoint")
    stack = open_stack(load(cli.path), "dev", cli.runner.backend, cli.path.parent, endpoint=endpoint)
    stack.set_config("workdocs-users:alicePassword", auto.ConfigValue(SECRETS[0], secret=True))
    seed = stack.get_config("workdocs-users:passwordSeed").value

    base = Path(stack.workspace.env_vars[handoff.RUN_ENV])
    assert base.parent == scratch
    assert handoff.read(base) == RunHandoff(endpoint, unset_password_env={"dave": "DAVE_PASSWORD"})
    with handing_off(stack, approved_removals=frozenset({"u-1"}), journal="j.json", listing="l.json") as run:
        path = Path(stack.workspace.env_vars[handoff.RUN_ENV])
        assert path != base and handoff.read(path) == run
        assert run.endpoint == endpoint and run.password_env_not_set("dave") == "DAVE_PASSWORD"
        for text in (base.read_text(), path.read_text()):
            assert not any(secret in text for secret in (*SECRETS, seed)), text
            assert json.loads(text)["version"] == 1
    assert not path.exists() and stack.workspace.env_vars[handoff.RUN_ENV] == str(base)
    del stack
    gc.collect()
    assert not base.exists()  # the stack's own goes with the stack object

    # A whole plan and up leave none behind (dave left out: his create would be refused).
    cli.write([user("alice", password={"config": "alicePassword"}), user("bob", password={"env": "BOB_PASSWORD"})])
    assert cli("plan") == 2 and cli("up") == 0
    gc.collect()
    assert sorted(p.name for p in scratch.glob("workdocs-run-*")) == []


def test_a_hand_off_of_another_version_stops_the_run_with_one_line(cli: UsersCli, tmp_path: Path) -> None:
    """The provider process never runs on a document it cannot read in full."""
    cli.write([user("alice")])
    assert cli("up") == 0
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**RunHandoff().to_json(), "version": 2}))
    stack = open_stack(load(cli.path), "dev", cli.runner.backend, cli.path.parent, endpoint=cli.runner.server.url)
    stack.workspace.env_vars = {**stack.workspace.env_vars, handoff.RUN_ENV: str(newer)}
    with pytest.raises(auto.CommandError) as failed:
        stack.preview(refresh=True)
    line = f"the run hand-off {newer} ($WORKDOCS_RUN) is version 2, and this workdocs provider reads version 1 only"
    assert line in str(failed.value)
    assert "Traceback (most recent call last)" not in str(failed.value)
