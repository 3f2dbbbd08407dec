"""`flask datasets ...`: admins price snapshots from the command line."""

import click
from flask.cli import AppGroup

from server.datasets import services
from server.errors import ApiError
from server.rewards.schemas import parse_amount

datasets_cli = AppGroup("datasets", help="Dataset snapshots sold to labs.")


@datasets_cli.command("price")
@click.argument("dataset_id", type=int)
@click.argument("amount")
def price(dataset_id: int, amount: str) -> None:
    """Set snapshot DATASET_ID's price to AMOUNT base units (at most DATASET_PRICE_CAP)."""
    try:
        dataset = services.set_price(dataset_id, parse_amount(amount))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="AMOUNT") from None
    except ApiError as error:
        raise click.ClickException(error.message) from None
    click.echo(f"dataset {dataset.id} ({dataset.name}-v{dataset.version}) costs {dataset.price}")
