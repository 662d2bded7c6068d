"""The ``workdocs`` Pulumi resource provider plugin (``pulumi-resource-workdocs``).

Any Pulumi language (YAML, TypeScript, Go, C#, Python) manages WorkDocs users through it as
``workdocs:index:User``, with the same CRUD as the ``WorkDocsUser`` dynamic resource.
"""

from __future__ import annotations


def main() -> None:
    """Console-script entry point; imports the server only when run."""
    from pulumi_workdocs.plugin.server import main as serve

    serve()
