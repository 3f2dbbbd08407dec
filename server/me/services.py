"""The caller's profile: read it, change the default licence."""

from server.auth.models import User
from server.errors import Unauthorized
from server.extensions import db


def get_user(user_id: int) -> User:
    """A user by id, or 401 if the account no longer exists."""
    user = db.session.get(User, user_id)
    if user is None:
        raise Unauthorized("Account not found.")
    return user


def update_user(user_id: int, changes: dict) -> User:
    """Apply profile changes (default licence)."""
    user = get_user(user_id)
    for key, value in changes.items():
        setattr(user, key, value)
    db.session.commit()
    return user
