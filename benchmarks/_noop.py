"""The engine floor: a dynamic resource whose provider does nothing.

Imported by name (``_noop``), so dill pickles the provider by reference, as it does
WorkDocsUserProvider; the provider process finds this module through PYTHONPATH (the
benchmark puts this folder on it). What the floor costs is the engine's own work per
resource: registration, diff, one provider round trip, the checkpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider


class NoopProvider(ResourceProvider):
    """Create returns its inputs; read returns what the state holds; nothing else happens."""

    serialize_as_secret_always = False

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"noop-{props['name']}", {k: v for k, v in props.items() if k != "__provider"})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=olds.get("name") != news.get("name"))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, props)


class Noop(Resource, module="scale", name="Noop"):
    """One no-op resource per user: the same count of resources as the users file."""

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(NoopProvider(), name, {"name": name}, opts)


def program(names: list[str]) -> Callable[[], None]:
    def run() -> None:
        for name in names:
            Noop(name)

    return run
