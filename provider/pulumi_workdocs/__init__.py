"""Amazon WorkDocs users as code, on Pulumi.

Importing this package registers no resource: declare ``WorkDocsUser`` in a program.
``WorkDocsUser`` is imported on first use, so tools that only read a users file
(``workdocs-users validate``) do not pay for importing Pulumi.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi_workdocs.resource import StorageRule, WorkDocsUser

__all__ = ["StorageRule", "WorkDocsUser"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pulumi_workdocs import resource

        return getattr(resource, name)
    raise AttributeError(f"module 'pulumi_workdocs' has no attribute {name!r}")
