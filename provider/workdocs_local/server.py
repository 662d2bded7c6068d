"""Running the service: a threaded werkzeug server, in a thread (tests) or in the foreground."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from workdocs_local.app import WorkDocsApp
from workdocs_local.auth import load_access_keys
from workdocs_local.faults import Fault
from workdocs_local.models import DEFAULT_SITE_ADMIN, DEFAULT_STORAGE_QUOTA_BYTES, WorkDocsBackend


class QuietHandler(WSGIRequestHandler):
    """No per-request access log lines: the request log API has them, without query text."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logging.getLogger("workdocs_local.access").debug("%s %s", self.command, code)


class WorkDocsLocalServer:
    """The service on ``host:port`` (0 picks a free port); a context manager for tests."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        db: str = ":memory:",
        organizations: list[str] | None = None,
        access_keys: list[str] | None = None,
        access_key_files: list[Path] | None = None,
        default_storage_quota_bytes: int = DEFAULT_STORAGE_QUOTA_BYTES,
        faults: list[Fault] | None = None,
        site_admin: str = DEFAULT_SITE_ADMIN,
    ) -> None:
        self.backend = WorkDocsBackend(db, organizations, default_storage_quota_bytes, site_admin)
        self.app = WorkDocsApp(self.backend, load_access_keys(access_keys or [], access_key_files or []))
        for fault in faults or []:
            self.app.faults.add(fault)
        self._server: BaseWSGIServer = make_server(host, port, self.app, threaded=True, request_handler=QuietHandler)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.host)

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def organization_id(self) -> str:
        return self.backend.organization_ids[0]

    def banner(self) -> str:
        orgs = ",".join(self.backend.organization_ids)
        return f"workdocs-local listening on {self.url} organization={orgs} site_admin={self.backend.site_admin}"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def start(self) -> WorkDocsLocalServer:
        # shutdown() waits for serve_forever's next poll: 0.5 s by default, per stop().
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
        self.backend.close()

    def __enter__(self) -> WorkDocsLocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
