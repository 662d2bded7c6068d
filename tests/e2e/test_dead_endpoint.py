"""A plain `pulumi up` whose workdocs:endpoint answers nothing: one line in seconds, not minutes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pulumi import automation as auto

from pulumi_workdocs.aws.retry import ENDPOINT_HINT
from tests.e2e.conftest import ACCESS_KEY, SECRET_KEY, StackRunner
from tests.e2e.test_workdocs_user import ALICE, users_program
from workdocs_local import WorkDocsLocalServer

pytestmark = pytest.mark.e2e


def test_up_against_a_stopped_service_fails_fast_with_one_line(tmp_path: Path) -> None:
    with WorkDocsLocalServer(access_keys=[f"{ACCESS_KEY}:{SECRET_KEY}"]) as server:
        runner = StackRunner(server, tmp_path)
    # Stopped: its loopback port refuses connections, and workdocs:endpoint still names it.
    started = time.monotonic()
    with pytest.raises(auto.CommandError) as raised:
        runner.up(users_program(runner, [ALICE]))
    elapsed = time.monotonic() - started
    text = str(raised.value)
    assert (
        f"pulumi_workdocs.errors.EndpointUnreachable: cannot reach WorkDocs at {server.url} "
        f"(from workdocs:endpoint in the stack config): the connection was refused; {ENDPOINT_HINT}"
    ) in text
    assert "Traceback" not in text
    assert elapsed < 60, f"took {elapsed:.1f} s"  # the engine's own start included; before: 300 s of retries
