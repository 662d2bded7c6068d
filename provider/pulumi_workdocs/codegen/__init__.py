"""Every generated file, from the field table (core/fields.py) and botocore's WorkDocs model.

``python -m pulumi_workdocs.codegen`` (``make generate``) writes them; ``--check`` names the
stale ones and exits 1; a test holds each committed file equal to its generator. Each
generator returns (path relative to the repository, text): adding a generated file is one
more entry in GENERATORS.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]  # the repository (provider/pulumi_workdocs/codegen/..)

Generated = tuple[str, str]  # (repository-relative path, text)
Generator = Callable[[], Generated]


def _users_schema() -> Generated:
    from pulumi_workdocs.codegen import users_schema

    return users_schema.PATH, users_schema.render()


def _package_schema() -> Generated:
    from pulumi_workdocs.codegen import users_schema
    from pulumi_workdocs.plugin import package_schema

    return "provider/pulumi_workdocs/plugin/schema.json", package_schema.render(users_schema.build())


def _records() -> Generated:
    from pulumi_workdocs.codegen import records

    return records.PATH, records.render()


def _resource() -> Generated:
    from pulumi_workdocs.codegen import resource

    return resource.PATH, resource.render((ROOT / resource.PATH).read_text())


def _user_columns() -> Generated:
    """workdocs-local's users table: a column per scalar member of the User shape."""
    from workdocs_local.codegen import COLUMNS_MODULE, columns_module

    return COLUMNS_MODULE, columns_module()


# The records first: the other generators import the modules that import them.
GENERATORS: list[Generator] = [_records, _users_schema, _package_schema, _resource, _user_columns]


def generate(generators: Iterable[Generator] = GENERATORS) -> list[Generated]:
    return [generator() for generator in generators]


def stale(root: Path = ROOT, generators: Iterable[Generator] = GENERATORS) -> list[str]:
    """The generated files whose committed text is not their generator's output."""
    out = []
    for path, text in generate(generators):
        target = root / path
        if not target.exists() or target.read_text() != text:
            out.append(path)
    return out


def write(root: Path = ROOT, generators: Iterable[Generator] = GENERATORS) -> list[str]:
    """Write every generated file that changed; return their paths."""
    written = []
    for generator in generators:  # one by one: a generator may import what an earlier one wrote
        path, text = generator()
        target = root / path
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
            written.append(path)
    return written
