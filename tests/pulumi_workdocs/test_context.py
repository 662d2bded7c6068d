"""What every command reads before it talks to WorkDocs: the endpoint and the client settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from pulumi_workdocs.commands.context import Context, stack_endpoint
from pulumi_workdocs.errors import UsageError


def _context(tmp_path: Path, config: str, flag: str | None = "http://127.0.0.1:9") -> Context:
    (tmp_path / "Pulumi.dev.yaml").write_text(config)
    return Context(tmp_path / "users.yaml", "dev", str(tmp_path / "state"), flag, tmp_path)


def test_one_endpoint_rule_flag_then_environment_then_stack_config(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  workdocs:endpoint: http://config:1\n")
    environ = {"AWS_ENDPOINT_URL": "http://env:2", "AWS_ENDPOINT_URL_WORKDOCS": "http://env-workdocs:3"}
    assert stack_endpoint("http://flag:4", environ, tmp_path, "dev").describe() == "http://flag:4 (from --endpoint)"
    assert stack_endpoint(None, environ, tmp_path, "dev").url == "http://env-workdocs:3"
    assert stack_endpoint(None, {"AWS_ENDPOINT_URL": "http://env:2"}, tmp_path, "dev").url == "http://env:2"
    from_config = stack_endpoint(None, {}, tmp_path, "dev")
    assert from_config.describe() == "http://config:1 (from workdocs:endpoint in Pulumi.dev.yaml)"
    assert stack_endpoint(None, {}, tmp_path, "prod").url is None  # no Pulumi.prod.yaml


def test_the_cli_client_takes_the_stacks_workdocs_settings_as_the_provider_does(tmp_path: Path) -> None:
    """plan, drift and export list users with the region, profile and retries of the stack's
    config, as the provider calls WorkDocs; the endpoint stays the one rule's."""
    config = "config:\n  workdocs:region: eu-west-1\n  workdocs:maxAttempts: '2'\n  workdocs:retryMode: standard\n"
    client = _context(tmp_path, config).client()
    assert client.meta.region_name == "eu-west-1"
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 2}


def test_a_secret_value_is_not_a_setting(tmp_path: Path) -> None:
    config = "config:\n  workdocs:region:\n    secure: AAABAJ0=\n"
    assert _context(tmp_path, config).client().meta.region_name != "AAABAJ0="


@pytest.mark.parametrize(
    "line, rule",
    [("workdocs:retryMode: fast", "workdocs:retryMode must be standard or adaptive"),
     ("workdocs:callTimeout: '-1'", "workdocs:callTimeout must be a number of seconds, more than 0"),
     ("workdocs:maxAttempts: 5.0", "workdocs:maxAttempts must be a whole number")],  # as the provider reads it
)  # fmt: skip
def test_a_bad_setting_is_one_line_before_any_call(tmp_path: Path, line: str, rule: str) -> None:
    with pytest.raises(UsageError, match=rule):
        _context(tmp_path, f"config:\n  {line}\n").client()
