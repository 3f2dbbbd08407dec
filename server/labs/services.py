"""Labs and their API keys: created, listed and revoked by admins from the command line.

A key looks like ``lld_lab_<random>`` (a ``Credential`` of kind ``"lab"``); it authenticates
as a ``Principal`` of kind ``"lab"``; routes that take contributor tokens refuse it, and lab
routes (``kinds=("lab",)``) refuse contributor tokens.
"""

import re

from server.auth import credentials
from server.auth.credentials import Credential
from server.errors import Conflict, NotFound, Unprocessable
from server.extensions import db
from server.labs.models import Lab

LAB_SCOPES = frozenset({"datasets:read", "datasets:write"})
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,79}$")


def create_lab(name: str) -> Lab:
    """Create a lab with a unique name."""
    name = name.strip()
    if not _NAME.match(name):
        raise Unprocessable(
            "A lab name is 1-80 letters, digits, spaces, dots, dashes or underscores.",
            {"name": ["invalid lab name"]},
        )
    if db.session.scalar(db.select(Lab.id).filter_by(name=name)) is not None:
        raise Conflict(f"A lab named {name!r} already exists.")
    lab = Lab(name=name)
    db.session.add(lab)
    db.session.commit()
    return lab


def get_lab(name: str) -> Lab:
    """The lab with this name, or 404."""
    lab = db.session.execute(db.select(Lab).filter_by(name=name)).scalar_one_or_none()
    if lab is None:
        raise NotFound(f"No lab named {name!r}; create it with `flask labs create`.")
    return lab


def parse_scopes(text: str) -> frozenset[str]:
    """Comma- or space-separated scopes, each one of LAB_SCOPES."""
    scopes = frozenset(s for s in re.split(r"[,\s]+", text.strip()) if s)
    unknown = sorted(scopes - LAB_SCOPES)
    if not scopes or unknown:
        raise Unprocessable(
            f"Scopes must be some of {', '.join(sorted(LAB_SCOPES))}.",
            {"scopes": [f"unknown scope: {s}" for s in unknown] or ["no scope given"]},
        )
    return scopes


def create_key(lab_name: str, scopes: frozenset[str]) -> tuple[Credential, str]:
    """Issue a key for the lab; returns the stored row and the key (shown only now)."""
    return credentials.issue("lab", scopes, lab_id=get_lab(lab_name).id)


def revoke_key(key_id: int) -> Credential:
    """Revoke a key (idempotent); it stops working on the next request."""
    return credentials.revoke("lab", key_id)


def list_keys(lab_name: str) -> list[Credential]:
    """A lab's keys, oldest first (hashes are never shown)."""
    return credentials.owned("lab", lab_id=get_lab(lab_name).id)[::-1]
