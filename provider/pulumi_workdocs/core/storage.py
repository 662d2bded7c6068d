"""A storage rule: the users file's human sizes (``50 GB``, ``unlimited``) and how two rules compare."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from pulumi_workdocs.core.records import StorageRule

SIZE_UNITS = {
    "B": 1, "KB": 1000, "MB": 1000**2, "GB": 1000**3, "TB": 1000**4,
    "KIB": 1024, "MIB": 1024**2, "GIB": 1024**3, "TIB": 1024**4,
}  # fmt: skip
MAX_BYTES = 2**63 - 1  # StorageAllocatedInBytes is a long in the WorkDocs model
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)\s*$")


class SizeError(ValueError):
    def __init__(self, text: str, rule: str) -> None:
        self.rule = rule
        super().__init__(f"{text!r} {rule}")


def parse_size(text: str) -> StorageRule:
    """``"50 GB"`` -> QUOTA of 50e9 bytes; ``"1 TiB"`` -> 2**40; ``"unlimited"`` -> UNLIMITED."""
    if text.strip().lower() == "unlimited":
        return StorageRule(storage_type="UNLIMITED")
    match = _SIZE.match(text)
    unit = match.group(2).upper() if match else ""
    if not match or unit not in SIZE_UNITS:
        raise ValueError(f"{text!r} is not a size such as '50 GB', '1 TiB' or 'unlimited'")
    size = Decimal(match.group(1)) * SIZE_UNITS[unit]  # exact: 1.1 TB is 1,100,000,000,000 bytes
    if size != size.to_integral_value():
        raise SizeError(text, "is not a whole number of bytes")
    if size > MAX_BYTES:
        raise SizeError(text, f"is more bytes than WorkDocs allows ({MAX_BYTES})")
    return StorageRule(storage_type="QUOTA", storage_allocated_in_bytes=int(size))


_HUMAN_UNITS = ("TiB", "TB", "GiB", "GB", "MiB", "MB", "KiB", "KB", "B")  # largest exact unit first


def human_size(rule: Mapping[str, object] | None) -> str | None:
    """A storage rule as users-file text that ``parse_size`` reads back to the same bytes."""
    if not rule:
        return None
    if rule.get("storage_type") == "UNLIMITED":
        return "unlimited"
    allocated = rule.get("storage_allocated_in_bytes")
    if allocated is None:
        return None
    if not isinstance(allocated, int | float | str):
        return None
    size = int(allocated)
    if size == 0:
        return "0 B"
    for unit in _HUMAN_UNITS:
        factor = SIZE_UNITS[unit.upper()]
        if size % factor == 0:
            text = f"{size // factor} {unit}"
            if parse_size(text).get("storage_allocated_in_bytes") == size:
                return text
    return None  # beyond a double's exact range: no text reads back exactly


def normal_storage_rule(rule: object) -> object:
    """UNLIMITED ignores any allocation; unset members are not values."""
    if not isinstance(rule, Mapping):
        return rule
    if rule.get("storage_type") == "UNLIMITED":
        return {"storage_type": "UNLIMITED"}
    return {k: v for k, v in rule.items() if v is not None}
