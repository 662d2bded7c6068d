"""Folders: each user's root folder and recycle bin, made with the user, described as the model says."""

from __future__ import annotations

import secrets
import sqlite3
from typing import Any

from workdocs_local.errors import WorkDocsError, not_exists
from workdocs_local.models._access import Caller
from workdocs_local.models._paging import DEFAULT_LIMIT, Markers
from workdocs_local.models._store import Store, timestamp
from workdocs_local.models._user_table import ID, ORGANIZATION_ID, RECYCLE_BIN_FOLDER_ID, ROOT_FOLDER_ID, TYPE


def make_user_folders(db: sqlite3.Connection, user_id: str, username: str, created: float) -> tuple[str, str]:
    """Add a new user's root folder and, inside it, its recycle bin; return their IDs."""
    root_id, bin_id = secrets.token_hex(32), secrets.token_hex(32)
    for folder_id, name, parent in ((root_id, username, None), (bin_id, "RecycleBin", root_id)):
        db.execute(
            "INSERT INTO folders (id, name, creator_id, parent_folder_id, created, modified) VALUES (?, ?, ?, ?, ?, ?)",
            (folder_id, name, user_id, parent, created, created),
        )
    return root_id, bin_id


class Folders:
    def __init__(self, store: Store, markers: Markers) -> None:
        self._store = store
        self._markers = markers

    def op_describe_root_folders(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        """The user's special folders, as the model says: the RootFolder and the RecycleBin."""
        assert caller.user is not None
        ids = [caller.user[ROOT_FOLDER_ID.name], caller.user[RECYCLE_BIN_FOLDER_ID.name]]
        offset = self._markers.decode("DescribeRootFolders", params.get("Marker"))
        page = ids[offset : offset + params.get("Limit", DEFAULT_LIMIT)]
        return {
            "Folders": [self._folder(folder_id, caller) for folder_id in page],
            "Marker": self._markers.next("DescribeRootFolders", offset + len(page), len(ids)),
        }

    def op_get_folder(self, params: dict[str, Any], caller: Caller) -> dict[str, Any]:
        return {"Metadata": self._folder(params["FolderId"], caller)}

    def _folder(self, folder_id: str, caller: Caller) -> dict[str, Any]:
        rows = self._store.query(
            f"SELECT folders.*, users.{ORGANIZATION_ID.name} AS organization_id FROM folders"
            f" JOIN users ON users.{ID.name} = folders.creator_id WHERE folders.id = ?",
            (folder_id,),
        )
        if not rows:
            raise not_exists(f"Folder {folder_id} does not exist.", folder_id)
        row = rows[0]
        user = caller.user
        if (
            user is not None
            and row["creator_id"] != user[ID.name]
            and (user[TYPE.name] != "ADMIN" or row["organization_id"] != user[ORGANIZATION_ID.name])
        ):
            raise WorkDocsError("UnauthorizedResourceAccessException", "The caller cannot access that folder.")
        return {
            "Id": row["id"],
            "Name": row["name"],
            "CreatorId": row["creator_id"],
            "ParentFolderId": row["parent_folder_id"],
            "CreatedTimestamp": timestamp(row["created"]),
            "ModifiedTimestamp": timestamp(row["modified"]),
            "ResourceState": "ACTIVE",
            "Size": 0,
            "LatestVersionSize": 0,
        }

    @staticmethod
    def delete_of(db: sqlite3.Connection, user_id: str) -> None:
        """Remove the folders a user made (with the user)."""
        db.execute("DELETE FROM folders WHERE creator_id = ?", (user_id,))
