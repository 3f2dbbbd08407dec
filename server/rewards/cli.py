"""`flask ledger ...` commands: verify the hash chain, create a production or development
voucher signer."""

import click
from flask import current_app
from flask.cli import AppGroup

from server.rewards import ledger
from server.rewards.signer import ensure_dev_signer
from server.rewards.vouchers import create_keystore

ledger_cli = AppGroup("ledger", help="The rewards ledger.")


@ledger_cli.command("verify")
def verify_command() -> None:
    """Recompute the hash chain; exit 1 naming the first bad entry."""
    count, breach = ledger.verify()
    if breach is not None:
        click.echo(f"ledger entry {breach.seq} is bad: {breach.reason}", err=True)
        raise SystemExit(1)
    click.echo(f"ledger ok: {count} entries")


@ledger_cli.command("dev-signer")
def dev_signer_command() -> None:
    """Create the development voucher signer keystore if it is missing."""
    path = ensure_dev_signer(current_app)
    if path is None:
        raise click.ClickException("No development signer in production: set SIGNER_KEY_FILE.")
    click.echo(f"voucher signer keystore at {path}")


@ledger_cli.command("new-signer")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.password_option(envvar="SIGNER_KEY_PASSWORD", help="The keystore's password.")
def new_signer_command(path: str, password: str) -> None:
    """Create a new voucher signer key in an encrypted keystore at PATH (never overwrites).

    Point SIGNER_KEY_FILE and SIGNER_KEY_PASSWORD at it, and make the printed address the
    claim contract's signer."""
    if len(password) < 12:
        raise click.BadParameter("use at least 12 characters", param_hint="password")
    try:
        account = create_keystore(path, password)
    except FileExistsError:
        raise click.ClickException(f"{path} exists; a signer key is never overwritten.") from None
    click.echo(f"voucher signer {account.address} in {path}")
