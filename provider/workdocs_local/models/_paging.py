"""Pagination markers.

A marker is an offset signed for one operation with a key kept in the database, so a
marker the service did not issue (forged, garbled, a huge offset) is refused as WorkDocs
refuses it, and markers stay valid across restarts of a file database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from workdocs_local.errors import invalid_argument
from workdocs_local.models._store import Store

DEFAULT_LIMIT = 24
INVALID_MARKER = "The pagination marker or limit fields are not valid."


class Markers:
    def __init__(self, store: Store) -> None:
        self._key = store.setting("marker_key", secrets.token_hex(32)).encode()

    def _mac(self, operation: str, offset: int) -> str:
        return hmac.new(self._key, f"{operation}:{offset}".encode(), hashlib.sha256).hexdigest()

    def next(self, operation: str, offset: int, total: int) -> str:
        """The marker of the page at ``offset``; the last page answers an empty one, as WorkDocs does."""
        if offset >= total:
            return ""
        return base64.urlsafe_b64encode(f"{offset}:{self._mac(operation, offset)}".encode()).decode()

    def decode(self, operation: str, marker: str | None) -> int:
        """The offset ``marker`` stands for (0 for none); InvalidArgumentException if it was not issued."""
        if not marker:
            return 0
        try:
            offset_text, mac = base64.urlsafe_b64decode(marker.encode("ascii")).decode("ascii").split(":")
            offset = int(offset_text)
        except ValueError:  # binascii.Error and UnicodeError are ValueErrors too
            raise invalid_argument(INVALID_MARKER) from None
        if not hmac.compare_digest(mac, self._mac(operation, offset)):
            raise invalid_argument(INVALID_MARKER)
        return offset
