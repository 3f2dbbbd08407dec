"""`flask ledger ...` commands: verify the hash chain, create the development signer."""

import click
from flask import current_app
from flask.cli import AppGroup

from server.rewards import ledger
from server.rewards.signer import ensure_dev_signer

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
