"""Server-side validation of every constraint kind, with boto3's own validation turned off."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.model import Shape, StructureShape

from tests.conftest import make_client
from tests.workdocs_local.helpers import PASSWORD, SITE_ADMIN, UNVALIDATED, raw_request, usernames
from workdocs_local import WorkDocsLocalServer
from workdocs_local.errors import WorkDocsError
from workdocs_local.service_model import service_model
from workdocs_local.validation import validate


@pytest.fixture
def raw_client(workdocs_server: WorkDocsLocalServer) -> Any:
    """A boto3 client with client-side parameter validation off (Config(parameter_validation=False))."""
    return make_client(workdocs_server.url, config=UNVALIDATED)


def _user_params(org: str, **overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "OrganizationId": org,
        "Username": "valid.user",
        "GivenName": "Valid",
        "Surname": "User",
        "Password": PASSWORD,
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def _invalid(client: Any, call: Any) -> str:
    with pytest.raises(client.exceptions.InvalidArgumentException) as caught:
        call()
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return str(caught.value.response["Error"]["Message"])


CREATE_CASES = [
    # (overrides, field named in the message, rule named in the message)
    ({"Surname": None}, "Surname", "must not be null"),
    ({"Password": None}, "Password", "must not be null"),
    ({"GivenName": 12345}, "GivenName", "must be a string"),
    (
        {"StorageRule": {"StorageAllocatedInBytes": "lots"}},
        "StorageRule.StorageAllocatedInBytes",
        "type long",
    ),
    ({"Password": "Zq9"}, "Password", "length greater than or equal to 4"),
    ({"GivenName": ""}, "GivenName", "length greater than or equal to 1"),
    ({"GivenName": "G" * 65}, "GivenName", "length less than or equal to 64"),
    ({"Password": "Pw" * 17}, "Password", "length less than or equal to 32"),
    ({"Username": "u" * 257}, "Username", "length less than or equal to 256"),
    (
        {"StorageRule": {"StorageAllocatedInBytes": -1}},
        "StorageRule.StorageAllocatedInBytes",
        "value greater than",
    ),
    (
        {"StorageRule": {"StorageType": "INFINITE"}},
        "StorageRule.StorageType",
        "enum value set: [UNLIMITED, QUOTA]",
    ),
    ({"Username": "john smith"}, "Username", "regular expression pattern"),
    ({"Username": "alice!"}, "Username", "regular expression pattern"),  # a prefix matches: full match needed
    # The model's patterns are Java regexes, where \w is ASCII-only.
    ({"Username": "émile"}, "Username", "regular expression pattern"),
    ({"EmailAddress": "someone@example"}, "EmailAddress", "regular expression pattern"),  # no TLD
    ({"EmailAddress": "someone@example.c"}, "EmailAddress", "regular expression pattern"),  # 1-letter TLD
    ({"Password": "pass\u0100word"}, "Password", "regular expression pattern"),
    ({"OrganizationId": "d 123"}, "OrganizationId", "regular expression pattern"),
]


@pytest.mark.parametrize(("overrides", "field", "rule"), CREATE_CASES)
def test_create_user_constraint_is_enforced(
    raw_client: Any, workdocs_server: WorkDocsLocalServer, overrides: dict[str, Any], field: str, rule: str
):
    message = _invalid(
        raw_client,
        lambda: raw_client.create_user(**_user_params(workdocs_server.organization_id, **overrides)),
    )
    assert f"Value at '{field}' failed to satisfy constraint" in message
    assert rule in message
    assert usernames(raw_client, workdocs_server.organization_id) == [SITE_ADMIN]  # nobody was created


DESCRIBE_CASES = [
    ({"Limit": 0}, "Limit", "value greater than or equal to 1"),
    ({"Limit": 1000}, "Limit", "value less than or equal to 999"),
    ({"Limit": "ten"}, "Limit", "be of type integer"),
    ({"Include": "EVERYONE"}, "Include", "enum value set: [ALL, ACTIVE_PENDING]"),
    ({"Order": "RANDOM"}, "Order", "enum value set: [ASCENDING, DESCENDING]"),
    ({"Sort": "AGE"}, "Sort", "enum value set"),
    ({"Fields": "STORAGE METADATA"}, "Fields", "regular expression pattern"),
    ({"Query": "x" * 513}, "Query", "length less than or equal to 512"),
    ({"UserIds": "id/with/slashes"}, "UserIds", "regular expression pattern"),
]


@pytest.mark.parametrize(("params", "field", "rule"), DESCRIBE_CASES)
def test_describe_users_constraint_is_enforced(
    raw_client: Any, workdocs_server: WorkDocsLocalServer, params: dict[str, Any], field: str, rule: str
):
    message = _invalid(
        raw_client,
        lambda: raw_client.describe_users(OrganizationId=workdocs_server.organization_id, **params),
    )
    assert f"Value at '{field}' failed to satisfy constraint" in message
    assert rule in message


@pytest.mark.parametrize("limit", [1, 999])
def test_limit_bounds_are_inclusive(raw_client: Any, workdocs_server: WorkDocsLocalServer, limit: int):
    assert usernames(raw_client, workdocs_server.organization_id, Limit=limit) == [SITE_ADMIN]


@pytest.mark.parametrize(
    ("params", "field", "rule"),
    [
        ({"Type": "ROOT"}, "Type", "enum value set: [USER, ADMIN, POWERUSER"),
        ({"Locale": "tlh"}, "Locale", "enum value set"),
        ({"GrantPoweruserPrivileges": "YES"}, "GrantPoweruserPrivileges", "enum value set: [TRUE, FALSE]"),
        ({"TimeZoneId": ""}, "TimeZoneId", "length greater than or equal to 1"),
        ({"Surname": "S" * 65}, "Surname", "length less than or equal to 64"),
    ],
)
def test_update_user_constraint_is_enforced(raw_client: Any, params: dict[str, Any], field: str, rule: str):
    message = _invalid(raw_client, lambda: raw_client.update_user(UserId="some-user", **params))
    assert f"Value at '{field}'" in message
    assert rule in message


def test_all_violations_are_reported_together(raw_client: Any, workdocs_server: WorkDocsLocalServer):
    params = _user_params(workdocs_server.organization_id, GivenName="", Surname=None, Username="a b")
    message = _invalid(raw_client, lambda: raw_client.create_user(**params))
    assert message.startswith("3 validation errors detected")
    for field in ("GivenName", "Surname", "Username"):
        assert f"'{field}'" in message


@pytest.mark.parametrize(
    "password",
    ["Zq9", "TooLong-" + "p" * 30, "bad\u0101pass", "has\u0100\u0100char"],
    ids=["too-short", "too-long", "pattern", "pattern-2"],
)
def test_password_never_appears_in_an_error(raw_client: Any, workdocs_server: WorkDocsLocalServer, password: str):
    with pytest.raises(raw_client.exceptions.InvalidArgumentException) as caught:
        raw_client.create_user(**_user_params(workdocs_server.organization_id, Password=password, Username="a b"))
    response = caught.value.response
    assert "'Password'" in response["Error"]["Message"]
    assert password not in str(response)
    assert password not in str(caught.value)


def test_valid_password_does_not_appear_in_other_errors(raw_client: Any, workdocs_server: WorkDocsLocalServer):
    org = workdocs_server.organization_id
    raw_client.create_user(**_user_params(org))
    with pytest.raises(raw_client.exceptions.EntityAlreadyExistsException) as caught:
        raw_client.create_user(**_user_params(org))
    assert PASSWORD not in str(caught.value.response)
    with pytest.raises(raw_client.exceptions.InvalidArgumentException) as invalid:
        raw_client.create_user(**_user_params(org, GivenName="G" * 65))
    assert PASSWORD not in str(invalid.value.response)


LONG_MAX = 2**63 - 1
LONG_RULE = (
    "Value at 'StorageRule.StorageAllocatedInBytes' failed to satisfy constraint: "
    f"Member must have value less than or equal to {LONG_MAX}"
)


@pytest.mark.parametrize("size", [2**63, 2**64, 10**30])
def test_a_storage_size_beyond_long_is_invalid_in_create_user(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, size: int
):
    # Unmodified boto3 sends any Python int for a long: the range is the server's job.
    org = workdocs_server.organization_id
    rule = {"StorageType": "QUOTA", "StorageAllocatedInBytes": size}
    message = _invalid(workdocs, lambda: workdocs.create_user(**_user_params(org, StorageRule=rule)))
    assert message == f"1 validation error detected: {LONG_RULE}"
    assert usernames(workdocs, org) == [SITE_ADMIN]


@pytest.mark.parametrize("size", [2**63, 2**64, 10**30])
def test_a_storage_size_beyond_long_is_invalid_in_update_user(
    workdocs: Any, workdocs_server: WorkDocsLocalServer, size: int
):
    user = workdocs.create_user(**_user_params(workdocs_server.organization_id))["User"]
    rule = {"StorageType": "QUOTA", "StorageAllocatedInBytes": size}
    message = _invalid(workdocs, lambda: workdocs.update_user(UserId=user["Id"], StorageRule=rule))
    assert message == f"1 validation error detected: {LONG_RULE}"
    [stored] = workdocs.describe_users(UserIds=user["Id"], Fields="STORAGE_METADATA")["Users"]
    assert stored["Storage"] == user["Storage"]


def test_the_largest_long_is_a_valid_storage_size(workdocs: Any, workdocs_server: WorkDocsLocalServer):
    rule = {"StorageType": "QUOTA", "StorageAllocatedInBytes": LONG_MAX}
    user = workdocs.create_user(**_user_params(workdocs_server.organization_id, StorageRule=rule))["User"]
    assert user["Storage"]["StorageRule"] == rule
    updated = workdocs.update_user(UserId=user["Id"], StorageRule={**rule, "StorageAllocatedInBytes": LONG_MAX - 1})
    assert updated["User"]["Storage"]["StorageRule"]["StorageAllocatedInBytes"] == LONG_MAX - 1


@pytest.mark.parametrize("limit", [2**31, 2**63, 2**64])
def test_a_limit_beyond_integer_is_invalid(workdocs: Any, workdocs_server: WorkDocsLocalServer, limit: int):
    message = _invalid(
        workdocs, lambda: workdocs.describe_users(OrganizationId=workdocs_server.organization_id, Limit=limit)
    )
    assert "Value at 'Limit' failed to satisfy constraint: Member must have value less than or equal to 999" in message


@pytest.mark.parametrize(
    ("number", "rule"),
    [
        (b"18446744073709551616", f"less than or equal to {LONG_MAX}"),
        (b"-9223372036854775809", "greater than or equal to 0"),
        (b"1e19", "be of type long"),  # boto3 refuses a float for a long before sending it
        (b"1.5", "be of type long"),
    ],
)
def test_a_storage_size_beyond_long_on_the_wire_is_a_400(
    workdocs_server: WorkDocsLocalServer, number: bytes, rule: str
):
    body = json.dumps(_user_params(workdocs_server.organization_id, StorageRule={"StorageAllocatedInBytes": 0}))
    body = body.replace('"StorageAllocatedInBytes": 0', '"StorageAllocatedInBytes": ' + number.decode())
    status, headers, payload = raw_request(workdocs_server.url, "POST", "/api/v1/users", body=body.encode())
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidArgumentException")
    message = json.loads(payload)["Message"]
    assert "Value at 'StorageRule.StorageAllocatedInBytes' failed to satisfy constraint" in message
    assert rule in message


@pytest.mark.parametrize("limit", ["2147483648", "9" * 30, "9" * 5000, "1e3"])
def test_a_limit_beyond_integer_on_the_wire_is_a_400(workdocs_server: WorkDocsLocalServer, limit: str):
    query = f"organizationId={workdocs_server.organization_id}&limit={limit}"
    status, headers, payload = raw_request(workdocs_server.url, "GET", f"/api/v1/users?{query}")
    assert (status, headers["x-amzn-errortype"]) == (400, "InvalidArgumentException")
    assert "Value at 'Limit' failed to satisfy constraint" in json.loads(payload)["Message"]


def _number_members(shape: Shape, path: str = "") -> Iterator[tuple[str, Shape]]:
    """Every integer or long member reachable through structures, with its dotted path."""
    if isinstance(shape, StructureShape):
        for name, member in shape.members.items():
            yield from _number_members(member, f"{path}.{name}" if path else name)
    elif shape.type_name in ("integer", "long"):
        yield path, shape


def _nest(path: str, value: int) -> dict[str, Any]:
    params: dict[str, Any] = {}
    level = params
    *parents, leaf = path.split(".")
    for name in parents:
        level = level.setdefault(name, {})
    level[leaf] = value
    return params


NUMBER_MEMBERS = [
    (operation, path, shape)
    for operation in service_model().operation_names
    if (input_shape := service_model().operation_model(operation).input_shape) is not None
    for path, shape in _number_members(input_shape)
]


def test_the_model_has_integer_and_long_members_to_check():
    kinds = {shape.type_name for _, _, shape in NUMBER_MEMBERS}
    assert kinds == {"integer", "long"} and len(NUMBER_MEMBERS) >= 15


@pytest.mark.parametrize(("operation", "path", "shape"), NUMBER_MEMBERS, ids=[f"{o}.{p}" for o, p, _ in NUMBER_MEMBERS])
def test_every_integer_and_long_member_of_the_model_is_range_checked(operation: str, path: str, shape: Shape):
    """The validator itself, for every operation: most of them workdocs-local does not implement."""
    low, high = (-(2**31), 2**31 - 1) if shape.type_name == "integer" else (-(2**63), 2**63 - 1)
    top = min(shape.metadata.get("max", high), high)
    bottom = max(shape.metadata.get("min", low), low)
    input_shape = service_model().operation_model(operation).input_shape
    assert input_shape is not None

    def problems(value: int) -> str:
        try:
            validate(input_shape, _nest(path, value))
        except WorkDocsError as err:
            return err.message
        return ""

    prefix = f"Value at '{path}' failed to satisfy constraint: Member must have value"
    assert f"{prefix} less than or equal to {top}" in problems(high + 1)
    assert f"{prefix} greater than or equal to {bottom}" in problems(low - 1)
    assert f"Value at '{path}'" not in problems(top)
    assert f"Value at '{path}'" not in problems(bottom)
