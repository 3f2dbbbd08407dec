"""API errors and the handlers that turn every error into one JSON shape."""

import logging

from flask import Flask, current_app, g
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

from server import storage
from server.extensions import db

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """Base for service errors; the handler renders ``{code, status, message, errors}``."""

    code = 400

    def __init__(
        self, message: str, errors: dict | None = None, headers: dict | None = None
    ) -> None:
        """Keep a human message, optional per-field errors and extra headers."""
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.headers = headers or {}


class BadRequest(ApiError):
    """400: the request cannot be understood."""

    code = 400


class PaymentRequired(ApiError):
    """402: the caller's balance does not cover the price."""

    code = 402


class Unauthorized(ApiError):
    """401: missing or invalid credentials."""

    code = 401


class Forbidden(ApiError):
    """403: valid credentials without the right to do this."""

    code = 403


class NotFound(ApiError):
    """404: no such resource (or not yours to see)."""

    code = 404


class Conflict(ApiError):
    """409: the request conflicts with what is stored."""

    code = 409


class Unprocessable(ApiError):
    """422: well-formed but invalid input."""

    code = 422


class TooManyRequests(ApiError):
    """429: over a rate limit; Retry-After says when to come back."""

    code = 429


class ServiceUnavailable(ApiError):
    """503: a dependency (e.g. Redis for sign-in nonces) is down; retry later."""

    code = 503


def error_response(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    """Build the one error payload used everywhere."""
    payload = {"code": code, "status": HTTP_STATUS_CODES.get(code, "Unknown Error")}
    payload["message"] = message or payload["status"]
    if errors:
        payload["errors"] = errors
    return payload


def _handle_api_error(error: ApiError):
    """Render a service error (its own Retry-After kept for the after-request hook)."""
    if error.headers and "Retry-After" in error.headers:
        g.retry_after = error.headers["Retry-After"]
    return error_response(error.code, error.message, error.errors), error.code, error.headers


def _handle_http_exception(error: HTTPException):
    """Render werkzeug/webargs/flask-limiter errors in the same shape."""
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or error.description
    if error.code == 422 and not data.get("message"):
        message = "The request body or parameters are invalid; see errors."
    headers = dict(data.get("headers") or {})
    response = error.get_response()
    for name in ("Retry-After", "Allow"):
        if name in response.headers:
            headers[name] = response.headers[name]
    return error_response(error.code or 500, message, errors), error.code, headers


def _handle_unexpected(error: Exception):
    """Roll back the session; a storage fault (disk full, read-only) is a 503 saying so,
    anything else a 500 without internals."""
    db.session.rollback()
    fault = storage.fault_of(error)
    if fault is not None:
        storage.remember(current_app, fault)
        logger.error("storage %s: %s", fault, error)
        g.retry_after = "30"
        return error_response(503, storage.MESSAGES[fault]), 503, {"Retry-After": "30"}
    logger.exception("unhandled error", exc_info=error)
    return error_response(500, "Internal server error; it has been logged."), 500


def register_error_handlers(app: Flask) -> None:
    """Install the handlers (after flask-smorest's, which they replace)."""
    app.register_error_handler(ApiError, _handle_api_error)
    app.register_error_handler(HTTPException, _handle_http_exception)
    app.register_error_handler(Exception, _handle_unexpected)
