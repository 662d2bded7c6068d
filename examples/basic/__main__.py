"""Two WorkDocs users declared directly with WorkDocsUser, as in any Pulumi program.

Set `workdocs:endpoint` (or AWS_ENDPOINT_URL_WORKDOCS) to use workdocs-local, and give
`organizationId` and `initialPassword` (secret) in this project's config.
"""

import pulumi

from pulumi_workdocs import WorkDocsUser

config = pulumi.Config()
organization_id = config.require("organizationId")
password = config.require_secret("initialPassword")

marie = WorkDocsUser(
    "marie",
    organization_id=organization_id,
    username="marie.curie",
    given_name="Marie",
    surname="Curie",
    email_address="marie.curie@example.com",
    password=password,
    storage_rule={"storage_type": "QUOTA", "storage_allocated_in_bytes": 10 * 1024**3},
)
pierre = WorkDocsUser(
    "pierre",
    organization_id=organization_id,
    username="pierre.curie",
    given_name="Pierre",
    surname="Curie",
    password=password,
    type="POWERUSER",
    deletion_policy="DELETE",
)

pulumi.export("marie", {"id": marie.id, "root_folder_id": marie.root_folder_id})
pulumi.export("pierre", {"id": pierre.id, "root_folder_id": pierre.root_folder_id})
