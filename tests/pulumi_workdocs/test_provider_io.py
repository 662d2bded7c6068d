"""The provider's API calls: durable retries, half-made users, the users cache, one call per create.

Everything goes through WorkDocsUserProvider (or its client) against the in-process service,
with real boto3; call counts come from workdocs-local's request log.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pulumi.dynamic import ConfigureRequest
from pulumi.dynamic.config import Config

from pulumi_workdocs import provider as provider_module
from pulumi_workdocs.aws import ClientSettings, iter_users
from pulumi_workdocs.aws.retry import RetryPolicy
from pulumi_workdocs.aws.users_cache import write_listing
from pulumi_workdocs.core.half_made import MARK, marked_given_name
from pulumi_workdocs.core.user import outputs_from_user, with_defaults
from pulumi_workdocs.errors import UsageError, WorkDocsUserError
from pulumi_workdocs.provider import WorkDocsUserProvider
from workdocs_local import WorkDocsLocalServer
from workdocs_local.faults import Fault

ProviderFactory = Callable[..., WorkDocsUserProvider]


@pytest.fixture
def make_provider(workdocs_server: WorkDocsLocalServer, aws_env: None) -> ProviderFactory:
    """A provider configured with these ``workdocs:`` keys (besides the endpoint)."""

    def make(**config: str) -> WorkDocsUserProvider:
        p = WorkDocsUserProvider()
        keys = {"workdocs:endpoint": workdocs_server.url, **{f"workdocs:{k}": v for k, v in config.items()}}
        p.configure(ConfigureRequest(Config(keys, "test")))
        return p

    return make


def _ops(server: WorkDocsLocalServer) -> list[str]:
    return [e["operation"] for e in server.app.requests.entries()]


def _errors(server: WorkDocsLocalServer) -> Counter[str | None]:
    return Counter(e["error"] for e in server.app.requests.entries())


def _users(server: WorkDocsLocalServer) -> list[dict[str, Any]]:
    """Every user but the site administrator workdocs-local makes with the organization."""
    query = "SELECT * FROM users WHERE username_lower != ? ORDER BY username_lower"
    return [dict(r) for r in server.backend._query(query, (server.backend.site_admin.lower(),))]


def _fault(server: WorkDocsLocalServer, kind: str, operation: str = "*", **extra: Any) -> None:
    server.app.faults.add(Fault(kind=kind, operation=operation, **extra))


# -- retries ---------------------------------------------------------------------------


def test_a_call_keeps_retrying_past_botocores_attempt_limits(
    make_provider: ProviderFactory, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    """25 failures in a row on one call (botocore's standard mode gives up after 3 attempts)."""
    provider = make_provider(retryBaseDelay="0")
    _fault(workdocs_server, "unavailable", "CreateUser", count=20)
    _fault(workdocs_server, "throttling", "CreateUser", count=5)
    result = provider.create(user_args)
    assert result.id
    assert _errors(workdocs_server) == {"ServiceUnavailableException": 20, "ThrottlingException": 5, None: 1}


def test_a_high_error_rate_never_empties_a_shared_quota(
    make_provider: ProviderFactory, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    """botocore's per-client quota (500 tokens, 14 per retry) allows about 36 retries; one
    provider (one client) here retries far more often, from 4 threads, and every create succeeds."""
    provider = make_provider(retryBaseDelay="0.001", retryMode="standard")
    _fault(workdocs_server, "unavailable", probability=0.5, seed=11)
    _fault(workdocs_server, "throttling", probability=0.2, seed=12)

    def create(i: int) -> str:
        return provider.create({**user_args, "username": f"u{i:02d}", "email_address": f"u{i:02d}@example.com"}).id

    results: list[str] = []
    threads = [
        threading.Thread(target=lambda k=k: results.extend(create(i) for i in range(k, 60, 4))) for k in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 60 == len(_users(workdocs_server))
    errors = _errors(workdocs_server)
    assert errors["ServiceUnavailableException"] + errors["ThrottlingException"] > 40


def test_errors_that_retrying_cannot_fix_fail_at_once(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    _fault(workdocs_server, "failed_dependency", "CreateUser")
    with pytest.raises(WorkDocsUserError, match=r"^WorkDocs user 'alice': CreateUser failed: FailedDependency"):
        provider.create(user_args)
    assert _ops(workdocs_server) == ["CreateUser"]


def test_call_timeout_bounds_a_call_and_says_so(
    make_provider: ProviderFactory, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    # Long enough for several attempts on a loaded machine, short enough for a unit test.
    provider = make_provider(callTimeout="2", retryBaseDelay="0.01")
    _fault(workdocs_server, "unavailable", "DescribeUsers")
    with pytest.raises(WorkDocsUserError) as caught:
        provider.read("some-user-id", user_args)
    message = str(caught.value)
    attempts = len(workdocs_server.app.requests.entries("DescribeUsers"))
    assert attempts > 3
    assert message.startswith("WorkDocs user 'alice': DescribeUsers failed: ServiceUnavailableException")
    assert message.endswith(f"(gave up after {attempts} attempts: workdocs:callTimeout 2 s reached)")


def test_throttling_slows_the_client_down_in_adaptive_mode(workdocs_server: WorkDocsLocalServer, aws_env: None) -> None:
    """After one throttled answer, botocore's client-side rate limiter spaces every later
    request of the client (the provider's one client: the whole process), where standard
    mode sends them back to back."""
    spans = {}
    for mode in ("standard", "adaptive"):
        client = ClientSettings(endpoint=workdocs_server.url, retry_mode=mode, retry_base_delay=0).client()
        organization = workdocs_server.organization_id
        workdocs_server.app.requests.clear()
        _fault(workdocs_server, "throttling", "DescribeUsers", count=1)
        for _ in range(8):
            client.describe_users(OrganizationId=organization)
        times = [e["time"] for e in workdocs_server.app.requests.entries()]
        spans[mode] = times[-1] - times[1]  # the 8 requests after the throttled one
    assert spans["adaptive"] > 1.0
    assert spans["adaptive"] > 3 * spans["standard"]


def test_backoff_is_full_jitter_within_an_exponential_bound() -> None:
    policy = RetryPolicy(base_delay=0.05, throttling_base_delay=1.0, max_delay=20.0)
    for attempt, bound in ((1, 0.05), (3, 0.2), (12, 20.0), (10_000, 20.0)):
        delays = [policy.delay(attempt, throttled=False) for _ in range(2000)]
        assert 0 <= min(delays) < bound * 0.1 and bound * 0.9 < max(delays) <= bound
    assert max(policy.delay(2, throttled=True) for _ in range(2000)) > 1.8


def test_max_attempts_is_unlimited_unless_set() -> None:
    assert ClientSettings.from_config({}.get).max_attempts is None
    assert ClientSettings.from_config({"workdocs:maxAttempts": "4"}.get).max_attempts == 4
    settings = ClientSettings.from_config({"workdocs:callTimeout": "90", "workdocs:retryBaseDelay": "0"}.get)
    assert (settings.call_timeout, settings.retry_base_delay, settings.retry_mode) == (90, 0, "adaptive")
    assert settings.retry_policy().throttling_base_delay == 0


@pytest.mark.parametrize(
    ("key", "value", "rule"),
    [
        ("callTimeout", "0", "more than 0"),
        ("callTimeout", "soon", "more than 0"),
        ("callTimeout", "inf", "more than 0"),
        ("retryBaseDelay", "-1", "at least 0"),
        ("retryBaseDelay", "nan", "at least 0"),
    ],
)
def test_retry_settings_are_checked(key: str, value: str, rule: str) -> None:
    with pytest.raises(UsageError, match=rf"^workdocs:{key} must be a number of seconds, {rule}$"):
        ClientSettings.from_config({f"workdocs:{key}": value}.get)


# -- lost answers and half-made users --------------------------------------------------


@pytest.fixture
def no_window(monkeypatch: pytest.MonkeyPatch) -> None:
    """As if every rerun came hours later: the 5-minute recovery window recognises nothing."""
    monkeypatch.setattr(provider_module, "RECOVERY_WINDOW", dt.timedelta(0))


def test_a_lost_create_answer_is_recognised_within_the_call_without_the_window(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer, no_window: None
) -> None:
    _fault(workdocs_server, "drop_after_commit", "CreateUser", count=1)
    result = provider.create(user_args)
    assert [u["id"] for u in _users(workdocs_server)] == [result.id]
    assert _ops(workdocs_server) == ["CreateUser", "CreateUser", "DescribeUsers"]  # the retry, then _find


def test_without_a_lost_answer_an_identical_user_is_not_taken_outside_the_window(
    provider: WorkDocsUserProvider,
    user_args: dict[str, Any],
    workdocs: Any,
    workdocs_server: WorkDocsLocalServer,
    no_window: None,
) -> None:
    """A 503 before the EntityAlreadyExists says the first attempt was not handled."""
    workdocs.create_user(
        OrganizationId=user_args["organization_id"],
        Username="alice",
        GivenName="Alice",
        Surname="Liddell",
        Password="whatever1",
        EmailAddress="alice@example.com",
    )
    workdocs_server.app.requests.clear()
    _fault(workdocs_server, "unavailable", "CreateUser", count=1)
    with pytest.raises(WorkDocsUserError, match=r"already exists \(Id \w+\); to manage it, set adopt=True"):
        provider.create(user_args)
    assert [e["error"] for e in workdocs_server.app.requests.entries("CreateUser")] == [
        "ServiceUnavailableException",
        "EntityAlreadyExistsException",
    ]


def _half_make(provider: WorkDocsUserProvider, server: WorkDocsLocalServer, args: dict[str, Any]) -> dict[str, Any]:
    """A create whose follow-up fails, and whose clean-up DeleteUser fails too."""
    _fault(server, "failed_dependency", "UpdateUser", count=1)
    _fault(server, "failed_dependency", "DeleteUser", count=1)
    with pytest.raises(WorkDocsUserError, match="UpdateUser failed: FailedDependencyException"):
        provider.create(args)
    [user] = _users(server)
    assert user["given_name"] == marked_given_name(args["given_name"])
    server.app.requests.clear()
    return user


@pytest.mark.parametrize("status", ["ACTIVE", "INACTIVE"])
def test_a_half_made_user_is_finished_by_the_next_create_however_late(
    provider: WorkDocsUserProvider,
    user_args: dict[str, Any],
    workdocs_server: WorkDocsLocalServer,
    no_window: None,
    status: str,
) -> None:
    args = {**user_args, "type": "ADMIN", "locale": "fr", "status": status}
    half = _half_make(provider, workdocs_server, args)
    assert half["status"] == status  # a deactivation happens before the mark is removed
    result = provider.create(args)  # the engine recorded nothing: the next run creates again
    outs = result.outs or {}
    assert result.id == half["id"]
    assert (outs["given_name"], outs["type"], outs["locale"], outs["status"]) == ("Alice", "ADMIN", "fr", status)
    [user] = _users(workdocs_server)
    assert user["given_name"] == "Alice"
    assert _ops(workdocs_server) == ["CreateUser", "DescribeUsers", "UpdateUser"]


def test_a_half_made_user_declared_otherwise_since_is_not_taken(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    args = {**user_args, "type": "ADMIN"}
    half = _half_make(provider, workdocs_server, args)
    with pytest.raises(WorkDocsUserError, match=rf"already exists \(Id {half['id']}\); to manage it, set adopt=True"):
        provider.create({**args, "surname": "Pleasance"})
    adopted = provider.create({**args, "surname": "Pleasance", "adopt": True}).outs or {}
    assert (adopted["given_name"], adopted["surname"]) == ("Alice", "Pleasance")  # adopt finishes it too


def test_the_mark_fits_the_longest_given_name() -> None:
    long = "G" * 64
    assert len(marked_given_name(long)) == 64 and marked_given_name(long).endswith(MARK)
    assert marked_given_name("Alice") == "Alice" + MARK


# -- calls per create ------------------------------------------------------------------


def test_create_answer_is_the_whole_user_as_describe_users_gives_it(
    workdocs: Any, workdocs_server: WorkDocsLocalServer
) -> None:
    """What lets a plain create be one call: CreateUser answers what DescribeUsers
    (Include ALL, Fields STORAGE_METADATA) would, storage included."""
    created = workdocs.create_user(
        OrganizationId=workdocs_server.organization_id,
        Username="dodo",
        GivenName="Dodo",
        Surname="Bird",
        Password="Caucus-race1",
        EmailAddress="dodo@example.com",
        TimeZoneId="Europe/London",
        StorageRule={"StorageType": "QUOTA", "StorageAllocatedInBytes": 5_000},
    )["User"]
    [described] = workdocs.describe_users(UserIds=created["Id"], Include="ALL", Fields="STORAGE_METADATA")["Users"]
    assert created == described
    assert set(created) == set(workdocs.meta.service_model.shape_for("User").members)


def test_a_plain_create_is_one_call(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer, workdocs: Any
) -> None:
    result = provider.create({**user_args, "type": "USER", "time_zone_id": "Europe/Paris"})
    outs = result.outs or {}
    assert _ops(workdocs_server) == ["CreateUser"]
    [live] = workdocs.describe_users(UserIds=result.id, Include="ALL", Fields="STORAGE_METADATA")["Users"]
    assert outs["time_zone_id"] == live["TimeZoneId"] == "Europe/Paris"
    assert outs["storage_utilized_in_bytes"] == live["Storage"]["StorageUtilizedInBytes"]


def test_a_create_with_follow_ups_needs_no_describe(
    provider: WorkDocsUserProvider, user_args: dict[str, Any], workdocs_server: WorkDocsLocalServer
) -> None:
    outs = provider.create({**user_args, "type": "POWERUSER", "locale": "de"}).outs or {}
    assert _ops(workdocs_server) == ["CreateUser", "UpdateUser"]
    assert (outs["given_name"], outs["type"], outs["locale"]) == ("Alice", "POWERUSER", "de")


def test_one_client_per_provider_even_when_four_calls_start_at_once(provider: WorkDocsUserProvider) -> None:
    barrier = threading.Barrier(8)
    clients: list[Any] = []

    def get() -> None:
        barrier.wait()
        clients.append(provider.client)

    threads = [threading.Thread(target=get) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(clients) == 8 and len({id(c) for c in clients}) == 1


def test_check_and_diff_never_import_boto3(workdocs_server: WorkDocsLocalServer, user_args: dict[str, Any]) -> None:
    """A fresh interpreter: importing, configuring, check and diff (all a preview does) leave
    boto3 unimported; the first read imports it."""
    script = textwrap.dedent(
        f"""
        import sys
        from pulumi.dynamic import ConfigureRequest
        from pulumi.dynamic.config import Config
        from pulumi_workdocs.provider import WorkDocsUserProvider

        args = {user_args!r}
        provider = WorkDocsUserProvider()
        provider.configure(ConfigureRequest(Config({{"workdocs:endpoint": {workdocs_server.url!r}}}, "test")))
        provider.check({{}}, args)
        provider.diff("some-id", {{**args, "given_name": "Old"}}, args)
        print("boto3" in sys.modules, "botocore.client" in sys.modules)
        provider.read("some-id", args)
        print("boto3" in sys.modules)
        """
    )
    env = {
        **os.environ,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "False", "True"]


# -- reads from one listing ------------------------------------------------------------


def _make_users(workdocs: Any, organization: str, count: int, first: int = 0) -> list[dict[str, Any]]:
    return [
        workdocs.create_user(
            OrganizationId=organization, Username=f"r{i:03d}", GivenName=f"R{i}", Surname="Reader", Password="Passw0rd!"
        )["User"]
        for i in range(first, first + count)
    ]


def _state(user: dict[str, Any], organization: str) -> dict[str, Any]:
    """The old outputs read() gets on refresh (only what it uses)."""
    return {"organization_id": organization, "username": user["Username"], "__provider": "x"}


def test_reads_of_n_users_cost_one_listing(
    provider: WorkDocsUserProvider, workdocs: Any, workdocs_server: WorkDocsLocalServer
) -> None:
    organization = workdocs_server.organization_id
    users = _make_users(workdocs, organization, 30)
    workdocs.deactivate_user(UserId=users[3]["Id"])  # listed too (Include ALL)
    workdocs_server.app.requests.clear()
    reads = [provider.read(u["Id"], _state(u, organization)) for u in users]
    assert [r.id for r in reads] == [u["Id"] for u in users]
    assert (reads[3].outs or {})["status"] == "INACTIVE"
    assert (reads[0].outs or {})["storage_rule"]["storage_type"] == "QUOTA"
    assert len(workdocs_server.app.requests.entries("DescribeUsers")) <= math.ceil(30 / 999) + 2
    assert _ops(workdocs_server) == ["DescribeUsers"]


def test_concurrent_first_reads_make_one_listing(
    provider: WorkDocsUserProvider, workdocs: Any, workdocs_server: WorkDocsLocalServer
) -> None:
    organization = workdocs_server.organization_id
    users = _make_users(workdocs, organization, 8)
    _fault(workdocs_server, "latency", "DescribeUsers", latency_ms=200)  # the first listing is slow
    workdocs_server.app.requests.clear()
    barrier = threading.Barrier(len(users))
    read_ids: list[str | None] = []

    def read(user: dict[str, Any]) -> None:
        barrier.wait()
        read_ids.append(provider.read(user["Id"], _state(user, organization)).id)

    threads = [threading.Thread(target=read, args=(u,)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(i or "" for i in read_ids) == sorted(u["Id"] for u in users)
    assert _ops(workdocs_server) == ["DescribeUsers"]


def test_staleness_rules(
    provider: WorkDocsUserProvider,
    user_args: dict[str, Any],
    workdocs: Any,
    workdocs_server: WorkDocsLocalServer,
) -> None:
    """docs/operations.md, "Reads: one listing per run": a listed user answers its first read; a second
    read, a read after this process's own write and a read of a user not listed describe it."""
    organization = workdocs_server.organization_id
    a, b, c, d = _make_users(workdocs, organization, 4)
    mine = provider.create(user_args)
    first = provider.read(a["Id"], _state(a, organization))  # the listing is taken here
    assert first.id == a["Id"]

    # 1. Someone else's change after the listing is not seen by the user's first read...
    workdocs.update_user(UserId=b["Id"], GivenName="Changed")
    workdocs_server.app.requests.clear()
    assert (provider.read(b["Id"], _state(b, organization)).outs or {})["given_name"] == "R1"
    assert _ops(workdocs_server) == []
    # 2. ... but by any later read of it in this process, which describes it alone.
    assert (provider.read(b["Id"], _state(b, organization)).outs or {})["given_name"] == "Changed"
    assert _ops(workdocs_server) == ["DescribeUsers"]

    # 2. So is a read after this process's own write (the listing predates it).
    workdocs_server.app.requests.clear()
    updated = provider.update(mine.id, mine.outs or {}, {**user_args, "given_name": "Alicia"})
    assert (updated.outs or {})["given_name"] == "Alicia"
    assert (provider.read(mine.id, mine.outs or {}).outs or {})["given_name"] == "Alicia"
    assert _ops(workdocs_server) == ["UpdateUser", "DescribeUsers"]

    workdocs_server.app.requests.clear()
    provider.delete(c["Id"], {**_state(c, organization), "deletion_policy": "DEACTIVATE"})
    assert (provider.read(c["Id"], _state(c, organization)).outs or {})["status"] == "INACTIVE"
    provider.delete(d["Id"], {**_state(d, organization), "deletion_policy": "DELETE"})
    assert provider.read(d["Id"], _state(d, organization)).id is None
    assert _ops(workdocs_server) == ["DeactivateUser", "DescribeUsers", "DeleteUser", "DescribeUsers"]

    # 3. A user missing from the listing is described alone before it is reported gone.
    workdocs_server.app.requests.clear()
    gone = provider.read("no-such-user", {**_state(a, organization), "username": "ghost"})
    assert gone.id is None
    assert [e["operation"] for e in workdocs_server.app.requests.entries()] == ["DescribeUsers"]
    [later] = _make_users(workdocs, organization, 1, first=10)  # made after the listing: described alone
    assert provider.read(later["Id"], _state(later, organization)).id == later["Id"]


def test_a_failed_listing_is_not_cached(
    make_provider: ProviderFactory, user_args: dict[str, Any], workdocs: Any, workdocs_server: WorkDocsLocalServer
) -> None:
    provider = make_provider(maxAttempts="1")
    [user] = _make_users(workdocs, workdocs_server.organization_id, 1)
    state = _state(user, workdocs_server.organization_id)
    _fault(workdocs_server, "unavailable", "DescribeUsers", count=1)
    with pytest.raises(WorkDocsUserError, match=r"^WorkDocs user 'r000': DescribeUsers failed: ServiceUnavailable"):
        provider.read(user["Id"], state)
    assert provider.read(user["Id"], state).id == user["Id"]


def test_a_listing_is_per_organization_and_reads_without_one_describe_alone(
    provider: WorkDocsUserProvider, workdocs: Any, workdocs_server: WorkDocsLocalServer
) -> None:
    [user] = _make_users(workdocs, workdocs_server.organization_id, 1)
    workdocs_server.app.requests.clear()
    read = provider.read(user["Id"], {"username": "r000"})  # an old state without organization_id
    assert read.id == user["Id"]
    assert _ops(workdocs_server) == ["DescribeUsers"]
    request = workdocs_server.app.requests.entries()[0]
    assert request["status"] == 200


def test_a_handed_listing_answers_the_reads_without_listing_again(
    provider: WorkDocsUserProvider,
    workdocs: Any,
    workdocs_server: WorkDocsLocalServer,
    hand_off: Callable[..., Any],
    tmp_path: Path,
) -> None:
    """What plan listed just before its preview is what the preview's refresh reads: one listing."""
    organization = workdocs_server.organization_id
    users = _make_users(workdocs, organization, 3)
    listed = list(iter_users(workdocs, organization))
    listing = tmp_path / "listing.json"
    write_listing(listing, organization, listed)
    hand_off(listing=str(listing))
    workdocs_server.app.requests.clear()
    reads = [provider.read(u["Id"], _state(u, organization)) for u in users]
    assert _ops(workdocs_server) == []  # no call at all
    # The same outputs as from a listing of its own, timestamps included (else every user would differ).
    by_id = {str(u["Id"]): u for u in listed}
    assert [r.outs for r in reads] == [outputs_from_user(by_id[u["Id"]], with_defaults(_state(u, organization)))
                                       for u in users]  # fmt: skip
    assert (reads[0].outs or {})["created_timestamp"].endswith("Z")


@pytest.mark.parametrize("content", ["not json", '{"organization_id": "d-0000000000", "users": []}', None])
def test_a_listing_for_another_organization_or_unreadable_is_not_used(
    provider: WorkDocsUserProvider,
    workdocs: Any,
    workdocs_server: WorkDocsLocalServer,
    hand_off: Callable[..., Any],
    tmp_path: Path,
    content: str | None,
) -> None:
    organization = workdocs_server.organization_id
    users = _make_users(workdocs, organization, 2)
    listing = tmp_path / "listing.json"
    if content is not None:
        listing.write_text(content)
    hand_off(listing=str(listing))
    workdocs_server.app.requests.clear()
    assert [provider.read(u["Id"], _state(u, organization)).id for u in users] == [u["Id"] for u in users]
    assert _ops(workdocs_server) == ["DescribeUsers"]  # one listing here for both (alone, each would be one)
