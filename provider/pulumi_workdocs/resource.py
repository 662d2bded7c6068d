"""WorkDocsUser, the Pulumi resource people declare in their programs."""

from __future__ import annotations

from typing import Any, TypedDict

import pulumi
from pulumi.dynamic import Resource

from pulumi_workdocs.core.fields import OUTPUT_NAMES
from pulumi_workdocs.provider import WorkDocsUserProvider


class StorageRule(TypedDict, total=False):
    storage_allocated_in_bytes: int
    storage_type: str  # "QUOTA" | "UNLIMITED"


class WorkDocsUser(Resource, module="workdocs", name="User"):
    """An Amazon WorkDocs user. ``id`` is the WorkDocs user Id.

    The password is write-only: always stored as a secret, never an output, and a later
    change is ignored with a warning (WorkDocs has no API to change it).
    """

    organization_id: pulumi.Output[str]
    username: pulumi.Output[str]
    given_name: pulumi.Output[str]
    surname: pulumi.Output[str]
    email_address: pulumi.Output[str | None]
    time_zone_id: pulumi.Output[str]
    storage_rule: pulumi.Output[dict[str, Any]]
    type: pulumi.Output[str]
    locale: pulumi.Output[str]
    status: pulumi.Output[str]
    deletion_policy: pulumi.Output[str]
    adopt: pulumi.Output[bool]
    root_folder_id: pulumi.Output[str]
    recycle_bin_folder_id: pulumi.Output[str]
    created_timestamp: pulumi.Output[str]
    modified_timestamp: pulumi.Output[str]
    storage_utilized_in_bytes: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        organization_id: pulumi.Input[str],
        username: pulumi.Input[str],
        given_name: pulumi.Input[str],
        surname: pulumi.Input[str],
        password: pulumi.Input[str],
        email_address: pulumi.Input[str] | None = None,
        time_zone_id: pulumi.Input[str] | None = None,
        storage_rule: pulumi.Input[StorageRule] | None = None,
        type: pulumi.Input[str] | None = None,  # noqa: A002 - the WorkDocs API's name
        locale: pulumi.Input[str] | None = None,
        status: pulumi.Input[str] = "ACTIVE",
        deletion_policy: pulumi.Input[str] = "DEACTIVATE",
        adopt: pulumi.Input[bool] = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props: dict[str, Any] = {name: None for name in OUTPUT_NAMES}
        props.update(
            organization_id=organization_id,
            username=username,
            given_name=given_name,
            surname=surname,
            email_address=email_address,
            time_zone_id=time_zone_id,
            storage_rule=storage_rule,
            type=type,
            locale=locale,
            status=status,
            deletion_policy=deletion_policy,
            adopt=adopt,
            # Write-only and secret whatever the caller passed.
            password=pulumi.Output.secret(password),
        )
        secret_opts = pulumi.ResourceOptions(additional_secret_outputs=["password"])
        super().__init__(
            WorkDocsUserProvider(),
            resource_name,
            props,
            pulumi.ResourceOptions.merge(secret_opts, opts),
        )
