"""The Content API's errors, in Ghost's shape: `{"errors": [{message, context, type, details, property, help, code,
id, ghostErrorCode}]}` with every key present, the status of the error's type, and the message a client shows.

An error raised while an endpoint works ("the filter does not parse") is reworded as Ghost rewords it, naming what
failed ("Request not understood error, cannot list posts.") with the first message as its context; an error of
the gate in front (the key, an unknown address) keeps its own message.
"""

import json
import uuid

from django.http import HttpResponse

STATUS = {
    "BadRequestError": 400,
    "UnauthorizedError": 401,
    "NoPermissionError": 403,
    "NotFoundError": 404,
    "MethodNotAllowedError": 405,
    "RequestNotAcceptableError": 406,
    "ValidationError": 422,
    "TooManyRequestsError": 429,
    "InternalServerError": 500,
}
REWORDED = {
    "NotFoundError": "Resource not found error, cannot {action}.",
    "BadRequestError": "Request not understood error, cannot {action}.",
    "ValidationError": "Validation error, cannot {action}.",
    "NoPermissionError": "Permission error, cannot {action}.",
    "UnauthorizedError": "Authorisation error, cannot {action}.",
    "InternalServerError": "Internal server error, cannot {action}.",
}
ERROR_CACHE_CONTROL = "no-cache, private, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0"


class ApiError(Exception):
    def __init__(self, kind: str, message: str, *, context=None, help=None, code=None, headers=None):
        super().__init__(message)
        self.kind, self.message, self.context, self.help, self.code = kind, message, context, help, code
        self.headers = headers or {}

    def reworded(self, action: str) -> "ApiError":
        """As Ghost words an error from inside an endpoint: what could not be done, then why."""
        if self.kind not in REWORDED:
            return self
        context = self.message if not self.context else f"{self.message} {self.context}"
        return ApiError(
            self.kind,
            REWORDED[self.kind].format(action=action),
            context=context,
            help=self.help,
            code=self.code,
            headers=self.headers,
        )

    def response(self) -> HttpResponse:
        body = {
            "errors": [
                {
                    "message": self.message,
                    "context": self.context,
                    "type": self.kind,
                    "details": None,
                    "property": None,
                    "help": self.help,
                    "code": self.code,
                    "id": str(uuid.uuid4()),
                    "ghostErrorCode": None,
                }
            ]
        }
        response = HttpResponse(
            json.dumps(body, ensure_ascii=False, separators=(",", ":")),
            status=STATUS[self.kind],
            content_type="application/json; charset=utf-8",
        )
        response["Cache-Control"] = ERROR_CACHE_CONTROL
        for name, value in self.headers.items():
            response[name] = value
        return response


def not_found(resource: str) -> ApiError:
    return ApiError("NotFoundError", f"{resource.capitalize()} not found.")


def invalid(option: str, rule: str = "matches") -> ApiError:
    """Ghost's validator's words for an option that fails its rule."""
    if rule in ("matches", "isSlug"):
        return ApiError("ValidationError", f"Validation ({rule}) failed for {option}", context=f"undefined.{option}")
    return ApiError("ValidationError", f"Validation ({rule}) failed for {option}")
