"""`flask ledger ...` commands: verify the hash chain, create a production or development
voucher signer."""

import click
from flask import current_app
from flask.cli import AppGroup

from server.config import signer_settings
from server.rewards import ledger
from server.rewards.services import verify_pools
from server.rewards.signer import ensure_dev_signer
from server.rewards.vouchers import create_keystore

ledger_cli = AppGroup("ledger", help="The rewards ledger.")


@ledger_cli.command("verify")
def verify_command() -> None:
    """Recompute the hash chain and balance the books per source (each round against its
    pool, each download's royalties against the lab's charge, each claimant's claims against
    their credits); exit 1 naming what is bad. A lab's negative balance is an invoice it owes,
    not a fault."""
    from server.datasets.royalties import verify_royalties

    count, breach = ledger.verify()
    if breach is not None:
        click.echo(f"ledger entry {breach.seq} is bad: {breach.reason}", err=True)
        raise SystemExit(1)
    problems = verify_pools() + verify_royalties() + ledger.verify_claims()
    for problem in problems:
        click.echo(f"books do not balance: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"ledger ok: {count} entries")
    click.echo(
        "books ok: every round within its pool, every royalty matched by a lab charge, "
        "nobody claimed beyond their credits"
    )


@ledger_cli.command("dev-signer")
def dev_signer_command() -> None:
    """Create the development voucher signer keystore if it is missing."""
    config = current_app.config
    path = ensure_dev_signer(signer_settings(current_app.instance_path, config["ENV_NAME"]))
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
