"""A dead endpoint is one line in seconds; a flaky one keeps its retries; long waits are announced.

Everything stays on loopback: a closed 127.0.0.1 port for "connection refused", a listener
whose backlog is full for "connect timeout", workdocs-local for the flaky service. A DNS
failure is covered by classifying the exception botocore builds for it (no lookup is made).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import yaml
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ProxyConnectionError,
    ReadTimeoutError,
    SSLError,
)
from pulumi import automation as auto
from pulumi.automation.events import DiagnosticEvent
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config as DynamicConfig
from pulumi.runtime import proto
from urllib3.exceptions import NameResolutionError, NewConnectionError

from pulumi_workdocs.aws import ClientSettings
from pulumi_workdocs.aws.errors import retry_note, unreachable
from pulumi_workdocs.aws.retry import ENDPOINT_HINT, RetryPolicy, install
from pulumi_workdocs.cli import main
from pulumi_workdocs.engine.preview import relay_retry_line
from pulumi_workdocs.errors import EndpointUnreachable, WorkDocsError
from pulumi_workdocs.plugin.wire import encode
from pulumi_workdocs.provider import WorkDocsUserProvider
from tests.conftest import make_client
from tests.pulumi_workdocs.conftest import ALICE
from tests.pulumi_workdocs.test_plugin import URN, stub  # noqa: F401 - the plugin's gRPC stub fixture
from workdocs_local import WorkDocsLocalServer
from workdocs_local.faults import Fault

URL = "https://workdocs.example.invalid"  # only ever a string: nothing here resolves it
ORG = "d-1234567890"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def closed_url() -> str:
    """A loopback port nothing listens on (bound to find it, then closed): connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def full_backlog_url() -> Iterator[str]:
    """A loopback listener that never accepts, its backlog filled: a new connection's handshake
    gets no answer (Linux drops the SYN), so connecting times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(0)
    port = listener.getsockname()[1]
    fillers = []
    try:
        for _ in range(8):
            filler = socket.socket()
            fillers.append(filler)
            filler.settimeout(0.3)
            try:
                filler.connect(("127.0.0.1", port))
            except TimeoutError:
                break  # the backlog is full
        else:
            pytest.fail("the backlog never filled: this kernel accepts more than listen(0) says")
        yield f"http://127.0.0.1:{port}"
    finally:
        for filler in fillers:
            filler.close()
        listener.close()


def _attempts(client: Any) -> list[str]:
    """The URL of every attempt the client sends (botocore's own event, no patching)."""
    sent: list[str] = []
    client.meta.events.register("before-send.workdocs", lambda request, **_: sent.append(request.url))
    return sent


# -- which errors are "no answer at all" -------------------------------------------------


def _cannot_connect(cause: OSError) -> EndpointConnectionError:
    """What botocore raises when urllib3 could not open the connection for ``cause``."""
    inner = NewConnectionError(None, f"Failed to establish a new connection: {cause}")  # type: ignore[arg-type]
    inner.__cause__ = cause
    return EndpointConnectionError(endpoint_url=URL, error=inner)


@pytest.mark.parametrize(
    "error, reason",
    [
        (EndpointConnectionError(endpoint_url=URL, error=NameResolutionError(
            "workdocs.example.invalid", None, socket.gaierror(-2, "Name or service not known"))),  # type: ignore[arg-type]
         "its host name does not resolve"),
        (EndpointConnectionError(endpoint_url=URL, error=socket.gaierror(-3, "Temporary failure in name resolution")),
         "its host name does not resolve"),
        (_cannot_connect(ConnectionRefusedError(111, "Connection refused")), "the connection was refused"),
        (_cannot_connect(OSError(101, "Network is unreachable")), "cannot connect (network is unreachable)"),
        (_cannot_connect(OSError("no errno")), "cannot connect"),
        (ConnectTimeoutError(endpoint_url=URL, error="timed out"), "connecting timed out"),
        (ProxyConnectionError(proxy_url="http://proxy:3128", error="refused"), "the proxy cannot be reached"),
    ],
)  # fmt: skip
def test_no_answer_at_all_is_classified_with_its_reason(error: Exception, reason: str) -> None:
    assert unreachable(error) == reason


@pytest.mark.parametrize(
    "error",
    [
        ConnectionClosedError(endpoint_url=URL),  # the request went out: the service may be busy
        ReadTimeoutError(endpoint_url=URL, error="read timed out"),
        SSLError(endpoint_url=URL, error="certificate verify failed"),
        ClientError({"Error": {"Code": "ServiceUnavailableException"}}, "DescribeUsers"),
        ValueError("not botocore's"),
        None,
    ],
)
def test_anything_that_reached_the_endpoint_is_not_no_answer(error: Exception | None) -> None:
    assert unreachable(error) is None


# -- the first call against the later ones -------------------------------------------------


def test_a_first_call_that_cannot_connect_is_one_line_after_a_few_quick_attempts(
    closed_url: str, aws_env: None
) -> None:
    client = ClientSettings(endpoint=closed_url, endpoint_source="from --endpoint").client()
    sent = _attempts(client)
    with pytest.raises(EndpointUnreachable) as raised:
        client.describe_users(OrganizationId=ORG)
    assert str(raised.value) == (
        f"cannot reach WorkDocs at {closed_url} (from --endpoint): the connection was refused; {ENDPOINT_HINT}"
    )
    assert isinstance(raised.value, WorkDocsError)
    assert raised.value.__cause__ is None and raised.value.__context__ is None  # nothing chained to print
    assert len(sent) == RetryPolicy().first_contact_attempts == 3


def test_credentials_in_the_endpoint_url_are_never_shown(closed_url: str, aws_env: None) -> None:
    with_secret = closed_url.replace("http://", "http://admin:hunter2@")
    with pytest.raises(EndpointUnreachable) as raised:
        ClientSettings(endpoint=with_secret, endpoint_source="from test").client().describe_users(OrganizationId=ORG)
    assert str(raised.value).startswith(f"cannot reach WorkDocs at {closed_url} (from test): ")
    assert "hunter2" not in str(raised.value)


def test_an_attempt_limit_below_the_first_contact_attempts_still_says_where(closed_url: str, aws_env: None) -> None:
    client = ClientSettings(endpoint=closed_url, endpoint_source="from test", max_attempts=1).client()
    sent = _attempts(client)
    with pytest.raises(EndpointUnreachable, match="the connection was refused"):
        client.describe_users(OrganizationId=ORG)
    assert len(sent) == 1


def test_a_first_connect_timeout_is_one_line_too(full_backlog_url: str, aws_env: None) -> None:
    client = ClientSettings(endpoint=full_backlog_url, endpoint_source="from test", connect_timeout=0.3).client()
    with pytest.raises(EndpointUnreachable, match=r"\(from test\): connecting timed out; check it"):
        client.describe_users(OrganizationId=ORG)


def test_without_an_endpoint_or_its_source_the_line_names_the_variable_boto3_read(
    closed_url: str, aws_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_WORKDOCS", closed_url)  # boto3's, read when no endpoint is given
    with pytest.raises(EndpointUnreachable) as raised:
        ClientSettings(region="eu-west-1").client().describe_users(OrganizationId=ORG)
    assert str(raised.value) == (
        f"cannot reach WorkDocs at {closed_url} (from $AWS_ENDPOINT_URL_WORKDOCS): the connection was refused; "
        f"{ENDPOINT_HINT}"
    )


def test_after_the_first_answer_a_refused_connection_is_retried_until_the_service_is_back(aws_env: None) -> None:
    first = WorkDocsLocalServer().start()
    port, organization = first.port, first.organization_id
    client = ClientSettings(endpoint=first.url, endpoint_source="from test").client()
    client.describe_users(OrganizationId=organization)  # the endpoint answers once
    first.stop()
    back: list[WorkDocsLocalServer] = []
    restart = threading.Timer(1.0, lambda: back.append(WorkDocsLocalServer(port=port, organizations=[organization])
                                                             .start()))  # fmt: skip
    restart.start()
    try:
        response = client.describe_users(OrganizationId=organization)  # refused for about 1 s
    finally:
        restart.join()
        for server in back:
            server.stop()
    note = retry_note(response)
    assert note["Attempts"] > RetryPolicy().first_contact_attempts and note["GaveUp"] is None


def test_a_first_call_whose_connection_drops_after_sending_keeps_its_retries(
    workdocs_server: WorkDocsLocalServer, aws_env: None
) -> None:
    """Something accepted the connection: a flaky service, not a dead endpoint."""
    workdocs_server.app.faults.add(Fault(kind="drop_after_commit", operation="DescribeUsers", count=4))
    client = ClientSettings(endpoint=workdocs_server.url, endpoint_source="from test", retry_base_delay=0).client()
    response = client.describe_users(OrganizationId=workdocs_server.organization_id)
    assert retry_note(response)["Attempts"] == 5


# -- the provider process ----------------------------------------------------------------------


def test_the_providers_create_and_read_fail_fast_naming_the_stack_config(closed_url: str, aws_env: None) -> None:
    provider = WorkDocsUserProvider()
    provider.configure(ConfigureRequest(DynamicConfig({"workdocs:endpoint": closed_url}, "test")))
    line = (
        f"cannot reach WorkDocs at {closed_url} (from workdocs:endpoint in the stack config): "
        f"the connection was refused; {ENDPOINT_HINT}"
    )
    args = {"organization_id": ORG, **ALICE}
    with pytest.raises(EndpointUnreachable) as created:
        provider.create(args)
    assert str(created.value) == line
    with pytest.raises(EndpointUnreachable) as read:
        provider.read("user-id", args)  # through the users listing
    assert str(read.value) == line


def test_the_plugin_answers_one_line(stub: Any, closed_url: str) -> None:  # noqa: F811 - the imported fixture
    stub.Configure(proto.ConfigureRequest(args=encode({"endpoint": closed_url}), acceptSecrets=True))
    alice = {"organizationId": ORG, "username": "alice", "givenName": "Alice", "surname": "Liddell",
             "password": "Wonderland-1865", "deletionPolicy": "DELETE"}  # fmt: skip
    with pytest.raises(grpc.RpcError) as raised:
        stub.Create(proto.CreateRequest(urn=URN, properties=encode(alice)))
    assert raised.value.details() == (
        f"cannot reach WorkDocs at {closed_url} (from workdocs:endpoint in the stack config): "
        f"the connection was refused; {ENDPOINT_HINT}"
    )


# -- workdocs-users -----------------------------------------------------------------------------


def _users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.yaml"
    user = {"username": "alice", "given_name": "Alice", "surname": "Liddell", "email_address": "alice@example.com"}
    path.write_text(yaml.safe_dump({"organization_id": ORG, "users": [user]}))
    return path


@pytest.mark.parametrize("command", ["drift", "plan"])
def test_a_dead_endpoint_is_exit_1_and_one_line_within_seconds(tmp_path: Path, closed_url: str, command: str) -> None:
    """The whole process, as a shell or CI runs it (the bound is generous: a loaded machine)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "WORKDOCS_", "PULUMI_"))}
    environ |= {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "PULUMI_CONFIG_PASSPHRASE": "test"}
    users = _users_file(tmp_path)
    argv = [sys.executable, "-m", "pulumi_workdocs.cli", command, "--file", str(users),
            "--backend", str(tmp_path / "state"), "--endpoint", closed_url]  # fmt: skip
    started = time.monotonic()
    done = subprocess.run(argv, env=environ, capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    elapsed = time.monotonic() - started
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"workdocs-users {command}: cannot reach WorkDocs at {closed_url} (from --endpoint): "
        f"the connection was refused; {ENDPOINT_HINT}"
    ]
    assert elapsed < 30, f"took {elapsed:.1f} s"  # measured about 1.5 s; before: 300 s of retries


@pytest.mark.parametrize("source", ["variable", "stack config"])
def test_the_line_names_where_the_endpoint_came_from(
    tmp_path: Path, closed_url: str, source: str, aws_env: None, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    users = _users_file(tmp_path)
    monkeypatch.setenv("PULUMI_CONFIG_PASSPHRASE", "test")  # drift asks for it before it reads anything
    if source == "variable":
        monkeypatch.setenv("AWS_ENDPOINT_URL_WORKDOCS", closed_url)
        said = "from $AWS_ENDPOINT_URL_WORKDOCS"
    else:
        (tmp_path / "Pulumi.dev.yaml").write_text(f"config:\n  workdocs:endpoint: {closed_url}\n")
        said = "from workdocs:endpoint in Pulumi.dev.yaml"
    assert main(["drift", "--file", str(users), "--stack", "dev", "--backend", str(tmp_path / "state")]) == 1
    assert capsys.readouterr().err == f"workdocs-users drift: cannot reach WorkDocs at {closed_url} ({said}): " \
                                      f"the connection was refused; {ENDPOINT_HINT}\n"  # fmt: skip


# -- progress on stderr -------------------------------------------------------------------------


def _client(server: WorkDocsLocalServer, policy: RetryPolicy) -> Any:
    client = make_client(server.url, config=Config(retries={"mode": "standard"}))
    install(client, policy, "from test")
    return client


@pytest.mark.parametrize(
    "policy", [RetryPolicy(base_delay=0, announce_wait=0), RetryPolicy(base_delay=0, announce_quiet=0)]
)
def test_a_long_wait_or_a_long_quiet_retrying_is_announced(
    workdocs_server: WorkDocsLocalServer, policy: RetryPolicy, capsys: pytest.CaptureFixture[str]
) -> None:
    """Forced by a zero threshold: waits are random, the line's shape and cause are not."""
    workdocs_server.app.faults.add(Fault(kind="unavailable", operation="DescribeUsers", count=2))
    _client(workdocs_server, policy).describe_users(OrganizationId=workdocs_server.organization_id)
    assert capsys.readouterr().err.splitlines() == [
        f"workdocs: DescribeUsers: retrying after ServiceUnavailableException (attempt {n}, next in 0.0 s)"
        for n in (1, 2)
    ]


def test_short_retries_are_quiet(workdocs_server: WorkDocsLocalServer, capsys: pytest.CaptureFixture[str]) -> None:
    workdocs_server.app.faults.add(Fault(kind="unavailable", operation="DescribeUsers", count=5))
    _client(workdocs_server, RetryPolicy(base_delay=0.001)).describe_users(
        OrganizationId=workdocs_server.organization_id
    )
    assert len(workdocs_server.app.requests.entries("DescribeUsers")) == 6
    assert capsys.readouterr().err == ""


def test_an_announced_retry_shows_no_value(
    workdocs_server: WorkDocsLocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    workdocs_server.app.faults.add(Fault(kind="throttling", operation="CreateUser", count=1))
    client = _client(workdocs_server, RetryPolicy(base_delay=0, throttling_base_delay=0, announce_wait=0))
    client.create_user(OrganizationId=workdocs_server.organization_id, Username="alice", GivenName="Alice",
                       Surname="Liddell", Password="Wonderland-1865")  # fmt: skip
    err = capsys.readouterr().err
    assert err == "workdocs: CreateUser: retrying after ThrottlingException (attempt 1, next in 0.0 s)\n"


def _diagnostic(message: str) -> auto.EngineEvent:
    return auto.EngineEvent(1, 0, diagnostic_event=DiagnosticEvent(message, "never", "info#err"))


def test_workdocs_users_relays_a_provider_process_retry_line_and_nothing_else(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """What the engine hands over from a provider process's stderr (seen under `workdocs-users up`,
    which shows no engine output without --verbose)."""
    line = "workdocs: CreateUser: retrying after ServiceUnavailableException (attempt 3, next in 8.0 s)"
    for message in (f"{line}\n", "workdocs: something else\n", "WorkDocs user 'alice': a new password is ignored"):
        relay_retry_line(_diagnostic(message))
    relay_retry_line(auto.EngineEvent(2, 0))
    assert capsys.readouterr().err == f"{line}\n"
