"""Fault injection through the control API, observed with boto3 (and its standard retries)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError

from tests.conftest import make_client
from tests.workdocs_local.helpers import (
    ONE_ATTEMPT,
    SITE_ADMIN,
    add_fault,
    control,
    create_user,
    error_code,
    request_log,
    status_code,
    usernames,
)
from workdocs_local import WorkDocsLocalServer


@pytest.fixture
def once(workdocs_server: WorkDocsLocalServer) -> Any:
    """A client that makes a single attempt: every injected fault reaches the caller."""
    return make_client(workdocs_server.url, config=ONE_ATTEMPT)


def _describe(client: Any, server: WorkDocsLocalServer) -> dict[str, Any]:
    return dict(client.describe_users(OrganizationId=server.organization_id))


def test_throttling_fault(once: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="throttling", operation="DescribeUsers", count=1)
    with pytest.raises(ClientError) as caught:
        _describe(once, workdocs_server)
    assert error_code(caught.value) == "ThrottlingException"
    assert status_code(caught.value) == 400
    assert usernames(once, workdocs_server.organization_id) == [SITE_ADMIN]  # count=1: the next call passes
    [fault] = control(workdocs_server.url, "GET", "faults")[1]["faults"]
    assert fault["injected"] == 1


def test_throttling_is_retried_by_standard_mode(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="throttling", operation="DescribeUsers", count=1)
    response = _describe(workdocs, workdocs_server)
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [e["status"] for e in request_log(workdocs_server.url, "DescribeUsers")] == [400, 200]


def test_unavailable_fault(once: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="unavailable", operation="CreateUser", count=1)
    with pytest.raises(once.exceptions.ServiceUnavailableException) as caught:
        create_user(once, workdocs_server.organization_id, "first-try")
    assert status_code(caught.value) == 503
    assert usernames(once, workdocs_server.organization_id) == [SITE_ADMIN]  # nothing was committed
    assert create_user(once, workdocs_server.organization_id, "first-try")["Username"] == "first-try"


def test_failed_dependency_fault_is_not_retried(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="failed_dependency", operation="DescribeUsers", count=1)
    with pytest.raises(workdocs.exceptions.FailedDependencyException) as caught:
        _describe(workdocs, workdocs_server)
    assert status_code(caught.value) == 424
    assert [e["status"] for e in request_log(workdocs_server.url, "DescribeUsers")] == [424]


def test_latency_fault_adds_latency(once: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="latency", operation="DescribeUsers", latency_ms=250, count=1)
    started = time.monotonic()
    _describe(once, workdocs_server)
    elapsed = time.monotonic() - started
    assert elapsed >= 0.25
    [entry] = request_log(workdocs_server.url, "DescribeUsers")
    assert entry["status"] == 200
    assert entry["duration_ms"] >= 250


def test_drop_after_commit_without_retries(once: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="drop_after_commit", operation="CreateUser", count=1)
    with pytest.raises(HTTPClientError):  # botocore's ConnectionClosedError: no response came back
        create_user(once, workdocs_server.organization_id, "committed")
    assert usernames(once, workdocs_server.organization_id) == ["committed", SITE_ADMIN]  # ...but it was made


def test_drop_after_commit_with_retries_meets_its_own_user(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="drop_after_commit", operation="CreateUser", count=1)
    with pytest.raises(workdocs.exceptions.EntityAlreadyExistsException) as caught:
        create_user(workdocs, workdocs_server.organization_id, "twice")
    assert caught.value.response["ResponseMetadata"]["RetryAttempts"] == 1
    assert [e["status"] for e in request_log(workdocs_server.url, "CreateUser")] == [201, 409]
    assert usernames(workdocs, workdocs_server.organization_id) == [SITE_ADMIN, "twice"]


def test_wildcard_fault_hits_every_operation(once: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="unavailable", operation="*", count=2)
    with pytest.raises(once.exceptions.ServiceUnavailableException):
        _describe(once, workdocs_server)
    with pytest.raises(once.exceptions.ServiceUnavailableException):
        create_user(once, workdocs_server.organization_id, "wild")
    assert usernames(once, workdocs_server.organization_id) == [SITE_ADMIN]


def test_fault_for_one_operation_leaves_the_others_alone(once: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="unavailable", operation="CreateUser")
    for _ in range(3):
        assert usernames(once, workdocs_server.organization_id) == [SITE_ADMIN]
    with pytest.raises(once.exceptions.ServiceUnavailableException):
        create_user(once, workdocs_server.organization_id, "blocked")


def test_probability_zero_never_fires(once: Any, workdocs_server: WorkDocsLocalServer):
    add_fault(workdocs_server.url, kind="unavailable", probability=0.0)
    for _ in range(10):
        _describe(once, workdocs_server)
    assert control(workdocs_server.url, "GET", "faults")[1]["faults"][0]["injected"] == 0


def test_seed_makes_the_pattern_reproducible(once: Any, workdocs_server: WorkDocsLocalServer):
    def pattern() -> list[bool]:
        add_fault(workdocs_server.url, kind="unavailable", operation="DescribeUsers", probability=0.5, seed=42)
        outcome = []
        for _ in range(24):
            try:
                _describe(once, workdocs_server)
                outcome.append(True)
            except once.exceptions.ServiceUnavailableException:
                outcome.append(False)
        assert control(workdocs_server.url, "DELETE", "faults") == (200, {"faults": []})
        return outcome

    first, second = pattern(), pattern()
    assert first == second
    assert True in first and False in first


def test_standard_retries_get_through_30_percent_unavailable(workdocs_server: WorkDocsLocalServer):
    url = workdocs_server.url
    add_fault(url, kind="unavailable", operation="CreateUser", probability=0.3, seed=1234)
    client = make_client(url, config=Config(retries={"mode": "standard", "max_attempts": 10}))
    org = workdocs_server.organization_id
    calls = 100

    # Sequential, so the seeded fault hits the same attempts on every run.
    responses = [
        dict(
            client.create_user(
                OrganizationId=org,
                Username=f"retry{index:02d}",
                GivenName="R",
                Surname="T",
                Password="password1",
            )
        )
        for index in range(calls)
    ]

    assert sorted(r["User"]["Username"] for r in responses) == [f"retry{i:02d}" for i in range(calls)]
    statuses = Counter(e["status"] for e in request_log(url, "CreateUser"))
    assert statuses[201] == calls
    assert statuses[503] > 0, "no 503 was injected"
    assert set(statuses) == {201, 503}
    assert 0.15 <= statuses[503] / statuses.total() <= 0.45  # roughly the injected 30%
    # Every injected 503 was absorbed by exactly one botocore retry.
    assert sum(r["ResponseMetadata"]["RetryAttempts"] for r in responses) == statuses[503]
    [fault] = control(url, "GET", "faults")[1]["faults"]
    assert fault["injected"] == statuses[503]
    assert _describe(client, workdocs_server)["TotalNumberOfUsers"] == calls + 1  # + the site admin


def test_faults_given_to_the_server_constructor(workdocs_server: WorkDocsLocalServer):
    from workdocs_local.faults import Fault

    with WorkDocsLocalServer(faults=[Fault(kind="failed_dependency", operation="DescribeUsers", count=1)]) as server:
        client = make_client(server.url, config=ONE_ATTEMPT)
        with pytest.raises(client.exceptions.FailedDependencyException):
            _describe(client, server)
        assert usernames(client, server.organization_id) == [SITE_ADMIN]


def test_fault_list_and_clear(workdocs_server: WorkDocsLocalServer):
    url = workdocs_server.url
    added = add_fault(url, kind="latency", operation="GetFolder", latency_ms=5, probability=0.5, count=3, seed=9)
    assert added == {
        "kind": "latency",
        "operation": "GetFolder",
        "probability": 0.5,
        "count": 3,
        "seed": 9,
        "latency_ms": 5,
        "injected": 0,
    }
    assert control(url, "GET", "faults") == (200, {"faults": [added]})
    assert control(url, "DELETE", "faults") == (200, {"faults": []})
    assert control(url, "GET", "faults") == (200, {"faults": []})


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "earthquake"},
        {"kind": "unavailable", "probability": 1.5},
        {"kind": "unavailable", "count": -1},
        {"kind": "latency"},  # needs latency_ms
        {"kind": "unavailable", "colour": "red"},
        {"operation": "CreateUser"},
        {"kind": "unavailable", "probability": "often"},
    ],
)
def test_invalid_fault_is_refused(workdocs_server: WorkDocsLocalServer, fault: dict[str, Any]):
    status, body = control(workdocs_server.url, "POST", "faults", fault)
    assert status == 400
    assert body["error"]
    assert control(workdocs_server.url, "GET", "faults")[1]["faults"] == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b""])
def test_fault_body_that_is_not_a_json_object_is_a_400(workdocs_server: WorkDocsLocalServer, raw: bytes):
    status, body = control(workdocs_server.url, "POST", "faults", raw=raw)
    assert status == 400
    assert body["error"]
