"""`flask gold import FILE` and `flask gold list`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from server.errors import ApiError
from server.gold import pools

gold_cli = AppGroup("gold", help="Gold pools: reference comparisons that measure raters.")


@gold_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pool", default=pools.DEFAULT_POOL, show_default=True)
def import_command(path: Path, pool: str) -> None:
    """Import a JSONL or Parquet file of prompt/chosen/rejected (chosen is the better answer)
    as a new active version of a gold pool."""
    try:
        summary, created = pools.import_file(path, pool)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    state = "imported" if created else "unchanged, already"
    click.echo(
        f"gold pool {summary['pool']} v{summary['version']} {state} "
        f"({summary['n_items']} items, sha256 {summary['content_hash']})"
    )


@gold_cli.command("list")
def list_command() -> None:
    """Every gold pool version (metadata only)."""
    for p in pools.list_pools():
        state = "active" if p["active"] else "retired"
        click.echo(
            f"{p['pool']} v{p['version']} ({state}) {p['n_items']} items {p['content_hash']}"
        )
