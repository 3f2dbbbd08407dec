"""`flask labs ...`: labs and their API keys from the command line."""

import click
from flask.cli import AppGroup

from server.errors import ApiError
from server.labs import accounts
from server.labs import services as labs
from server.rewards.schemas import parse_amount

labs_cli = AppGroup("labs", help="Labs (dataset customers) and their API keys.")


def _run(call, *args):
    """Call a service; its errors become CLI errors."""
    try:
        return call(*args)
    except ApiError as error:
        raise click.ClickException(error.message) from None


@labs_cli.command("create")
@click.argument("name")
def create(name: str) -> None:
    """Create a lab."""
    lab = _run(labs.create_lab, name)
    click.echo(f"lab {lab.id} {lab.name!r} created")


@labs_cli.command("create-key")
@click.argument("lab")
@click.option(
    "--scopes", default="datasets:read", show_default=True, help="e.g. datasets:read,datasets:write"
)
def create_key(lab: str, scopes: str) -> None:
    """Issue an API key for LAB; it is printed once and only its hash is kept."""
    key, token = _run(lambda: labs.create_key(lab, labs.parse_scopes(scopes)))
    click.echo(f"key {key.id} for {lab!r} ({key.scopes}); store it now, it is not shown again:")
    click.echo(token)


@labs_cli.command("revoke-key")
@click.argument("key_id", type=int)
def revoke_key(key_id: int) -> None:
    """Revoke a key by its id."""
    key = _run(labs.revoke_key, key_id)
    click.echo(f"key {key.id} ({key.prefix}...) revoked at {key.revoked_at.isoformat()}")


@labs_cli.command("keys")
@click.argument("lab")
def list_keys(lab: str) -> None:
    """List a lab's keys (id, prefix, scopes, state)."""
    for key in _run(labs.list_keys, lab):
        state = "revoked" if key.revoked_at else "active"
        click.echo(f"{key.id}\t{key.prefix}...\t{key.scopes}\t{state}")


def _amount(ctx, param, value: str) -> int:
    """Click callback: an amount in base units, ASCII digits only."""
    try:
        return parse_amount(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@labs_cli.command("credit")
@click.argument("lab")
@click.argument("amount", callback=_amount)
@click.option("--note", help="Why (an invoice number, a payment reference).")
def credit(lab: str, amount: int, note: str | None) -> None:
    """Credit AMOUNT base units to LAB's balance, which its downloads are charged to."""
    line = _run(accounts.credit_lab, lab, amount, note)
    balance = accounts.account(line.lab_id)["balance"]
    click.echo(f"credited {amount} to {lab!r}; balance {balance}")


@labs_cli.command("account")
@click.argument("lab")
def show_account(lab: str) -> None:
    """Show LAB's deposits, charges and balance."""
    money = accounts.account(_run(labs.get_lab, lab).id)
    click.echo("\t".join(f"{k} {v}" for k, v in money.items()))
