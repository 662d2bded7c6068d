"""Where the state lives, for what we keep beside it: a file backend's folder or an ``s3://`` bucket.

Pulumi's self-managed backends keep the stack under ``.pulumi/`` (``stacks/PROJECT/STACK.json``,
``locks/organization/PROJECT/STACK/ID.json``). What ``workdocs-users up`` must leave for the next
run, its journal, goes in the same store, so a rerun from any checkout or CI runner finds it.
Objects are written whole or not at all: a file is renamed into place, an S3 PutObject is atomic.

The ``s3://`` store reads the backend URL's query as Pulumi CLI v3.274.1 does (gocloud.dev v0.46's
s3blob): ``endpoint``, ``region``, ``profile``, ``use_path_style`` (or the older
``s3ForcePathStyle``), ``disable_https``, ``anonymous``, ``ssetype`` and ``kmskeyid``; credentials
come from the default chain, as the engine's do.
"""

from __future__ import annotations

import contextlib
import os
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlparse, urlunparse

from pulumi_workdocs.errors import EngineError

SSE_TYPES = ("AES256", "aws:kms", "aws:kms:dsse")
S3Client = Any  # boto3's S3 client (no type stubs for S3 are installed)


class StateStoreError(EngineError):
    """The backend's store could not be read or written (unreachable, refused, no credentials)."""


class StateStore(Protocol):
    """Keys are ``/``-separated paths under the backend's root (the folder, or the bucket's prefix)."""

    def read(self, key: str) -> str | None:
        """The object's text, None when there is none."""

    def write(self, key: str, text: str) -> None:
        """Written whole or not at all."""

    def delete(self, key: str) -> None:
        """Gone afterwards (no error when it was not there)."""

    def keys(self, prefix: str) -> list[str]:
        """Every key under ``prefix`` (a folder, ending with ``/``)."""

    def describe(self, key: str) -> str:
        """Where the object is, for a message (never a secret)."""


def safe_url(backend: str) -> str:
    """A backend URL fit for a message: a user and password in it, or in its ``endpoint`` query,
    masked as Pulumi masks them."""
    url = urlparse(backend)
    netloc = url.netloc
    if "@" in netloc:
        netloc = "****:****@" + netloc.rpartition("@")[2]
    query = "&".join(
        f"{name}={_masked(value) if name == 'endpoint' else value}" if sep else part
        for part in url.query.split("&")
        for name, sep, value in [part.partition("=")]
    )
    return urlunparse(url._replace(netloc=netloc, query=query))


def _masked(endpoint: str) -> str:
    parts = urlparse(unquote(endpoint))
    if "@" not in parts.netloc:
        return endpoint
    return urlunparse(parts._replace(netloc="****:****@" + parts.netloc.rpartition("@")[2]))


def backend_url_of(backend: str) -> str:
    """The URL Pulumi is given for ``--backend`` (a plain folder is a file backend)."""
    return backend if "://" in backend else Path(backend).resolve().as_uri()


def cancel_command(backend: str, project: str, stack: str) -> str:
    """The exact ``pulumi cancel`` that removes a stack's locks, runnable from any folder."""
    url = shlex.quote(safe_url(backend_url_of(backend)))
    return f"PULUMI_BACKEND_URL={url} pulumi cancel --yes --stack organization/{project}/{stack}"


def backend_folder(backend: str) -> Path | None:
    """The folder of a file backend (a plain folder or ``file://``), else None."""
    if "://" not in backend:
        return Path(backend).resolve()
    url = urlparse(backend)
    return Path(unquote(url.path)).resolve() if url.scheme == "file" else None


class FileStore:
    """A folder: a file backend's, or the working folder for backends we cannot write beside."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*key.split("/"))

    def read(self, key: str) -> str | None:
        try:
            return self._path(key).read_text()
        except (FileNotFoundError, NotADirectoryError):
            return None

    def write(self, key: str, text: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        scratch.write_text(text)
        scratch.replace(path)

    def delete(self, key: str) -> None:
        path = self._path(key)
        path.unlink(missing_ok=True)
        # The companion gocloud's fileblob writes beside what Pulumi stores (a lock's, say).
        path.with_name(f"{path.name}.attrs").unlink(missing_ok=True)

    def keys(self, prefix: str) -> list[str]:
        folder = self._path(prefix.rstrip("/"))
        found = (p for p in folder.glob("**/*") if p.is_file() and not p.name.startswith("."))
        return sorted(p.relative_to(self.root).as_posix() for p in found)

    def describe(self, key: str) -> str:
        return str(self._path(key))


class S3Store:
    """A bucket under the backend URL's prefix, through boto3's S3 client."""

    def __init__(self, backend: str, client: S3Client | None = None) -> None:
        url = urlparse(backend)
        self.backend = backend
        self.bucket = url.netloc
        self.prefix = url.path.strip("/")
        self.client = client if client is not None else s3_client(backend)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    @contextlib.contextmanager
    def _errors(self, doing: str, key: str) -> Iterator[None]:
        """botocore's failures as one line naming the backend (its URL holds no secret)."""
        from botocore.exceptions import BotoCoreError, ClientError

        where = f"the state backend {safe_url(self.backend)}: cannot {doing} {key}"
        try:
            yield
        except ClientError as err:
            error = err.response.get("Error", {})
            raise StateStoreError(f"{where}: {error.get('Code', 'error')}: {error.get('Message', '')}") from None
        except BotoCoreError as err:
            raise StateStoreError(f"{where}: {err}") from None

    def read(self, key: str) -> str | None:
        with self._errors("read", key):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
            except self.client.exceptions.NoSuchKey:
                return None
            return answer["Body"].read().decode()

    def write(self, key: str, text: str) -> None:
        extra: dict[str, Any] = {}
        query = _query(self.backend)
        if query.get("ssetype"):  # gocloud takes any case; S3 the exact one
            sse = {kind.lower(): kind for kind in SSE_TYPES}
            extra["ServerSideEncryption"] = sse.get(query["ssetype"].lower(), query["ssetype"])
        if query.get("kmskeyid"):
            extra["SSEKMSKeyId"] = query["kmskeyid"]
        with self._errors("write", key):
            self.client.put_object(
                Bucket=self.bucket, Key=self._key(key), Body=text.encode(), ContentType="application/json", **extra
            )

    def delete(self, key: str) -> None:
        with self._errors("delete", key):
            self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def keys(self, prefix: str) -> list[str]:
        start = len(self._key(""))
        with self._errors("list", prefix):
            pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._key(prefix))
            return sorted(item["Key"][start:] for page in pages for item in page.get("Contents", []))

    def describe(self, key: str) -> str:
        return f"s3://{self.bucket}/{self._key(key)}"


def _query(backend: str) -> dict[str, str]:
    return {name: values[-1] for name, values in parse_qs(urlparse(backend).query).items()}


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "t", "true", "yes", "on")


def s3_client(backend: str) -> S3Client:
    """boto3's S3 client for an ``s3://`` backend URL, on the default credential chain (or its ``profile``)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    query = _query(backend)
    endpoint = query.get("endpoint") or None
    if endpoint and "://" not in endpoint:
        endpoint = ("http://" if _true(query.get("disable_https")) else "https://") + endpoint
    path_style = _true(query.get("use_path_style")) or _true(query.get("s3ForcePathStyle"))
    config = Config(
        s3={"addressing_style": "path"} if path_style else {},
        signature_version=UNSIGNED if _true(query.get("anonymous")) else None,
        connect_timeout=5,
        read_timeout=30,
        retries={"mode": "standard", "max_attempts": 3},
    )
    from botocore.exceptions import BotoCoreError

    try:
        session = boto3.session.Session(profile_name=query.get("profile") or None)
        return session.client("s3", region_name=query.get("region") or None, endpoint_url=endpoint, config=config)
    except BotoCoreError as err:
        raise StateStoreError(f"the state backend {safe_url(backend)}: {err}") from None


def backend_store(backend: str) -> StateStore | None:
    """The store the state itself is in: a file backend's folder or an s3:// bucket; None for others."""
    folder = backend_folder(backend)
    if folder is not None:
        return FileStore(folder)
    if urlparse(backend).scheme == "s3":
        return S3Store(backend)
    return None
