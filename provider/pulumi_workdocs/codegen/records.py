"""core/records.py: a user's inputs and outputs as TypedDicts, typed from the model."""

from __future__ import annotations

from pulumi_workdocs.codegen.model import field_type, member_python_type, python_type, shape
from pulumi_workdocs.core.fields import FIELDS, PASSWORD, READ_ONLY_OUTPUTS, REQUIRED_KEYS, Field

PATH = "provider/pulumi_workdocs/core/records.py"
HEADER = '''"""A WorkDocs user's inputs and outputs as typed records, one key per field of the table.

Generated from core/fields.py and botocore's WorkDocs model by ``python -m pulumi_workdocs.codegen``
(``make generate``): do not edit. mypy checks every literal key against these, so a misspelt
property is an error; code that walks the table reads them as ``Mapping[str, object]``.
"""

from __future__ import annotations

from typing import TypedDict
'''
# Always present once the user exists or is declared: typed without None.
REQUIRED = ("organization_id", *REQUIRED_KEYS)


def annotation(field: Field) -> str:
    """A field's Python type, ``| None`` unless it is always set."""
    kind = python_type(field)
    return kind if field.prop in REQUIRED or field.default is not None else f"{kind} | None"


def _structure(field: Field) -> str:
    from botocore import xform_name

    member = shape(field)
    lines = [
        f"class {field.api}(TypedDict, total=False):",
        f'    """{field.prop}: the {member.name} shape\'s members, named as properties."""',
        "",
    ]
    lines += [f"    {xform_name(m)}: {member_python_type(member.members[m])}" for m in field.members]
    return "\n".join(lines)


def read_only_types() -> dict[str, str]:
    """The Python type of each output WorkDocs adds (timestamps are ISO 8601 text)."""
    from pulumi_workdocs.codegen.model import model

    user = model().shape_for("User")
    types = {}
    for prop, api in READ_ONLY_OUTPUTS.items():
        member = user.members[api] if api in user.members else user.members["Storage"].members[api]
        types[prop] = member_python_type(member)
    return types


def render() -> str:
    structures = [_structure(f) for f in FIELDS if field_type(f) == "structure"]
    parts = [
        HEADER,
        *structures,
        "\n".join(
            [
                "class EntryArgs(TypedDict, total=False):",
                '    """The arguments a users-file entry gives WorkDocsUser (the file\'s organization and the',
                '    password are the root stack\'s to add)."""',
                "",
                *(f"    {f.prop}: {annotation(f)}" for f in FIELDS if f.in_entry),
            ]
        ),
        "\n".join(
            [
                "class UserArgs(EntryArgs, total=False):",
                '    """WorkDocsUser\'s inputs: its arguments, the documented defaults filled in where set."""',
                "",
                *(f"    {f.prop}: {annotation(f)}" for f in FIELDS if not f.in_entry),
                f"    {PASSWORD.prop}: str",
            ]
        ),
        "\n".join(
            [
                "class UserOutputs(EntryArgs, total=False):",
                '    """WorkDocsUser\'s outputs: every field as WorkDocs holds it, and what WorkDocs adds."""',
                "",
                *(f"    {f.prop}: {annotation(f)}" for f in FIELDS if not f.in_entry),
                *(f"    {prop}: {kind} | None" for prop, kind in read_only_types().items()),
            ]
        ),
    ]
    return "\n\n\n".join(p.rstrip("\n") for p in parts) + "\n"
