"""Checks on a request before any view parses it: JSON only, JSON nested only so deep, and
path segments a database can hold.

The JSON parser recurses once per level of nesting and py_ecc (imported for signatures) lifts
Python's recursion limit to 100000, so a body of 200 KB of ``[`` overflows the C stack and
kills the worker before any RecursionError. The depth is therefore measured on the raw bytes,
without recursion, before the body reaches the parser. So is the length of integers: Python
refuses to convert one of more than ``sys.get_int_max_str_digits()`` digits with a ValueError
that the JSON parser's callers do not expect (a 500 instead of a 400).
"""

import re
import sys

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from server.errors import ApiError, BadRequest, NotFound
from server.fields import unstorable

# A JSON string (escapes included); the unrolled form matches in linear time.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")
# A run of digits longer than Python converts to an int (none when the limit is off, 0). The
# lookbehind starts a match only at a run's first digit, so the search stays linear.
_DIGITS = sys.get_int_max_str_digits()
_LONG_NUMBER = re.compile(rb"(?<![0-9])[0-9]{%d}" % (_DIGITS + 1)) if _DIGITS else None
# Braces count as brackets: depth does not depend on the kind (mismatched kinds are invalid
# JSON the parser refuses anyway), and one kind lets each pass remove exactly one level.
_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")


class UnsupportedMediaType(ApiError):
    """415: API writes must be JSON."""

    code = 415


def require_json() -> None:
    """before_request: 415 for API writes whose body is not JSON."""
    if request.method in ("POST", "PUT", "PATCH") and request.path.startswith("/api/"):
        has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding")
        if has_body and not request.is_json:
            raise UnsupportedMediaType("Send JSON with `Content-Type: application/json`.")


def chunked_body_limit() -> None:
    """before_request: 413 for a chunked body over the size limit. Werkzeug stops reading such
    a body at the limit without an error, so the view would see it cut short (and answer 400
    for broken JSON); one more byte from the server's stream tells "over" from "exactly"."""
    limit = request.max_content_length
    if request.content_length is not None or limit is None:
        return
    if not request.headers.get("Transfer-Encoding"):
        return
    body = request.get_data(cache=True)
    if len(body) >= limit and request.environ["wsgi.input"].read(1):
        raise RequestEntityTooLarge()


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """Whether the brackets of a JSON text nest deeper than `limit` (or do not balance)."""
    return _nesting_exceeds(_STRING.sub(b"", body), limit)


def _nesting_exceeds(code: bytes, limit: int) -> bool:
    """Whether the brackets of a JSON text without its strings nest deeper than `limit`.

    Everything but brackets is dropped; each pass removes the innermost pairs, so a text of
    depth d is empty after exactly d passes, each a C-speed ``bytes.replace``.
    """
    brackets = code.translate(_AS_BRACKETS, _NOT_BRACKET)
    for _ in range(limit):
        if not brackets:
            return False
        before = len(brackets)
        brackets = brackets.replace(b"[]", b"")
        if len(brackets) == before:
            return True  # unbalanced: never handed to the parser either
    return bool(brackets)


def bounded_json_nesting() -> None:
    """before_request: 400 for a JSON body nested deeper than MAX_JSON_DEPTH, or holding a
    number too long for Python to convert."""
    if not request.is_json:
        return
    body = request.get_data(cache=True)
    if not body:
        return
    code, limit = _STRING.sub(b"", body), int(current_app.config["MAX_JSON_DEPTH"])
    if _LONG_NUMBER is not None and _LONG_NUMBER.search(code):
        raise BadRequest(
            f"A number in the JSON body has more than {_DIGITS} digits.",
            {"json": [f"a number of more than {_DIGITS} digits"]},
        )
    if _nesting_exceeds(code, limit):
        raise BadRequest(
            f"The JSON body is nested more than {limit} levels deep, or its brackets do not "
            "balance.",
            {"json": [f"nesting deeper than {limit} levels or unbalanced brackets"]},
        )


def storable_path_arguments() -> None:
    """before_request: 404 for a path segment holding NUL (``%00``). Nothing is named so, and
    PostgreSQL refuses such a string in a query with an error instead of finding nothing."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str) and unstorable(value):
            raise NotFound(f"Not found: the {name} in the path holds a NUL character.")


def guard_request() -> None:
    """before_request: the request checks above, in order, as one hook (Flask dispatches each
    hook on every request; separate ones cost a write a few percent)."""
    require_json()
    chunked_body_limit()
    bounded_json_nesting()
    storable_path_arguments()
