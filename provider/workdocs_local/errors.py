"""Errors answered as WorkDocs answers them: status from the model's error shape."""

from __future__ import annotations

from typing import Any

from workdocs_local.service_model import service_model

# Errors the service sends that the WorkDocs model does not declare (they come from the
# AWS front door or from our fault injection); status codes as AWS sends them.
UNMODELED_STATUS = {
    "ThrottlingException": 400,
    "UnrecognizedClientException": 403,
    "InvalidSignatureException": 403,
    "IncompleteSignatureException": 400,
    "MissingAuthenticationTokenException": 403,
    "SerializationException": 400,
    "UnknownOperationException": 404,
    "InternalFailure": 500,
}


class WorkDocsError(Exception):
    """An error response: a code (the error shape's name), a message and modeled members."""

    def __init__(self, code: str, message: str, **members: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.members = members

    @property
    def status(self) -> int:
        model = service_model()
        if code_is_modeled(self.code):
            return int(model.shape_for(self.code).metadata["error"]["httpStatusCode"])
        return UNMODELED_STATUS.get(self.code, 400)


def code_is_modeled(code: str) -> bool:
    return code in {shape.name for shape in service_model().error_shapes}


def not_exists(message: str, *entity_ids: str) -> WorkDocsError:
    return WorkDocsError("EntityNotExistsException", message, EntityIds=list(entity_ids))


def invalid_argument(message: str) -> WorkDocsError:
    return WorkDocsError("InvalidArgumentException", message)


def unauthorized_operation(message: str) -> WorkDocsError:
    return WorkDocsError("UnauthorizedOperationException", message)
