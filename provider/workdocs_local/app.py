"""The WSGI application: control API under /_workdocs_local/, WorkDocs everywhere else.

A WorkDocs request goes: route (from the model) -> faults -> authentication -> parse
(input shape) -> validate (model constraints) -> backend -> serialize (output shape).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections.abc import Iterable, Mapping
from typing import Any

from werkzeug.exceptions import BadRequest, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request, Response

from workdocs_local.auth import SignedRequest, verify_sigv4
from workdocs_local.errors import WorkDocsError
from workdocs_local.faults import Fault, FaultInjector, RequestLog
from workdocs_local.models import Caller, WorkDocsBackend
from workdocs_local.protocol import parse_request, serialize_error, serialize_response
from workdocs_local.routes import CONTROL_PREFIX, url_map
from workdocs_local.service_model import service_model
from workdocs_local.validation import validate

log = logging.getLogger("workdocs_local")


class WorkDocsApp:
    def __init__(self, backend: WorkDocsBackend, access_keys: Mapping[str, str]) -> None:
        self.backend = backend
        self.access_keys = dict(access_keys)
        self.faults = FaultInjector()
        self.requests = RequestLog()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path.startswith(CONTROL_PREFIX):
            response = self._control(request)
        else:
            response = self._workdocs(request, environ)
        return response(environ, start_response)

    # -- WorkDocs ---------------------------------------------------------------------

    def _workdocs(self, request: Request, environ: dict[str, Any]) -> Response:
        started = time.time()
        operation = "Unknown"
        drop = False
        try:
            try:
                operation, uri_params = url_map().bind_to_environ(environ).match()
            except (NotFound, MethodNotAllowed):
                raise WorkDocsError(
                    "UnknownOperationException",
                    f"No WorkDocs operation is {request.method} {request.path}.",
                ) from None
            model = service_model().operation_model(operation)
            decision = self.faults.decide(operation)
            if decision.latency_s:
                time.sleep(decision.latency_s)
            if decision.error is not None:
                raise decision.error
            body = request.get_data(cache=True)
            caller = self._authenticate(request, environ, body)
            self.backend.authorize(operation, caller)
            params = parse_request(model, uri_params, request.args, request.headers, body)
            if model.input_shape is not None:
                validate(model.input_shape, params)
            output = self.backend.dispatch(operation, params, caller)
            status, headers, payload = serialize_response(model, output)
            drop = decision.drop_after_commit
        except WorkDocsError as error:
            status, headers, payload = serialize_error(error)
        except Exception:  # never a bare 500 or an HTML page: botocore would lose the code
            log.exception("internal error in %s", operation)
            status, headers, payload = serialize_error(
                WorkDocsError("InternalFailure", "The request processing has failed.")
            )
        self.requests.record(operation, status, started, headers.get("x-amzn-ErrorType"))
        if drop:
            self._drop_connection(environ)
        return Response(payload, status=status, headers=headers)

    def _authenticate(self, request: Request, environ: dict[str, Any], body: bytes) -> Caller:
        token = request.headers.get("Authentication")
        access_key = None
        if "Authorization" in request.headers:
            signed = SignedRequest(
                method=request.method,
                host=request.headers.get("Host", ""),
                raw_uri=environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path,
                headers=dict(request.headers),
                body=body,
            )
            access_key = verify_sigv4(signed, self.access_keys)
        elif token is None:
            raise WorkDocsError("MissingAuthenticationTokenException", "Request is missing Authentication Token")
        user = self.backend.user_for_token(token) if token is not None else None
        return Caller(access_key=access_key, user=user)

    @staticmethod
    def _drop_connection(environ: dict[str, Any]) -> None:
        """Close the connection after the change committed, before any response byte."""
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    # -- control API ------------------------------------------------------------------

    def _control(self, request: Request) -> Response:
        action = request.path[len(CONTROL_PREFIX) :].strip("/")
        try:
            result = self._control_action(action, request)
        except (ValueError, KeyError, TypeError, BadRequest) as err:
            return _json({"error": str(err)}, 400)
        except WorkDocsError as err:
            return _json({"error": err.message, "code": err.code}, err.status)
        if result is None:
            return _json({"error": f"no control action {request.method} {request.path}"}, 404)
        return _json(result)

    def _control_action(self, action: str, request: Request) -> Any:
        method = request.method
        if action == "health" and method == "GET":
            return {
                "status": "ok",
                "organizations": self.backend.organization_ids,
                "site_admin": self.backend.site_admin,
            }
        if action == "reset" and method == "POST":
            self.backend.reset()
            self.faults.clear()
            self.requests.clear()
            return {"status": "reset"}
        if action == "requests":
            if method == "DELETE":
                self.requests.clear()
                return {"requests": []}
            return {"requests": self.requests.entries(request.args.get("operation"))}
        if action == "faults":
            if method == "POST":
                fault = Fault.from_dict(_json_object(request))
                self.faults.add(fault)
                return {"fault": fault.to_dict()}
            if method == "DELETE":
                self.faults.clear()
                return {"faults": []}
            return {"faults": self.faults.list()}
        if action == "tokens" and method == "POST":
            data = _json_object(request)
            token = self.backend.create_token(
                data.get("OrganizationId") or self.backend.organization_ids[0],
                data["Username"],
                data.get("AuthenticationToken"),
            )
            return {"AuthenticationToken": token}
        return None


def _json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object (BadRequest if it is not JSON, TypeError if no object)."""
    data = request.get_json(force=True)
    if not isinstance(data, dict):
        raise TypeError("the request body must be a JSON object")
    return data


def _json(data: Any, status: int = 200) -> Response:
    return Response(json.dumps(data), status=status, content_type="application/json")
