"""`flask users ...`: account administration."""

import click
from eth_utils import is_address, to_checksum_address
from flask.cli import AppGroup

from server.auth.models import ROLES, User
from server.extensions import db

users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("set-role")
@click.argument("address")
@click.argument("role", type=click.Choice(ROLES))
def set_role(address: str, role: str) -> None:
    """Give a wallet a role (creating the account if needed); it applies at next sign-in."""
    if not is_address(address):
        raise click.BadParameter("not an Ethereum address", param_hint="ADDRESS")
    address = to_checksum_address(address)
    user = db.session.execute(db.select(User).filter_by(address=address)).scalar_one_or_none()
    if user is None:
        user = User(address=address)
        db.session.add(user)
    user.role = role
    db.session.commit()
    click.echo(f"{address} is now {role}")
