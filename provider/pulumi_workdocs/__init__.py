"""Amazon WorkDocs users as code, on Pulumi.

Importing this package registers no resource: declare ``WorkDocsUser`` in a program.
"""

from pulumi_workdocs.resource import StorageRule, WorkDocsUser

__all__ = ["StorageRule", "WorkDocsUser"]
