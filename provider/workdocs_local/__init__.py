"""workdocs-local: a WorkDocs-compatible service driven by botocore's WorkDocs model.

Layout follows moto: ``models`` holds state and operation semantics (a package split by
concern), ``protocol`` and ``validation`` the model-driven wire format, ``routes`` the route
table, ``errors`` the error shapes, ``auth`` SigV4, ``faults`` fault injection and the request
log, ``app`` the WSGI application, ``server``/``cli`` how it is run, and ``codegen`` the
files generated from the model (the users table's column map).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workdocs_local.server import WorkDocsLocalServer

__all__ = ["WorkDocsLocalServer"]


def __getattr__(name: str) -> Any:
    # Imported on first use, so ``python -m workdocs_local.codegen`` runs without the server's
    # imports: it must be able to regenerate a column map the service can no longer load.
    if name == "WorkDocsLocalServer":
        from workdocs_local.server import WorkDocsLocalServer

        return WorkDocsLocalServer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
