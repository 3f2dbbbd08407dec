"""`flask yardstick import FILE` and `flask yardstick list`."""

from pathlib import Path

import click
from flask.cli import AppGroup

from server.errors import ApiError
from server.yardsticks import services

yardstick_cli = AppGroup("yardstick", help="Reference preference sets lift is measured on.")


@yardstick_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=services.DEFAULT_NAME, show_default=True)
@click.option("--lab", "lab_id", type=int, default=None, help="A lab's own yardstick.")
def import_command(path: Path, name: str, lab_id: int | None) -> None:
    """Import a JSONL or Parquet file of prompt/chosen/rejected as a new yardstick version."""
    try:
        yardstick, created = services.import_file(path, name, lab_id=lab_id)
    except ApiError as error:
        raise click.ClickException(error.message) from None
    state = "imported" if created else "unchanged, already"
    click.echo(
        f"yardstick {yardstick.name} v{yardstick.version} {state} (id {yardstick.id}, "
        f"{yardstick.n_pairs} pairs, sha256 {yardstick.content_hash})"
    )


@yardstick_cli.command("list")
def list_command() -> None:
    """Every yardstick version (metadata only)."""
    for y in services.list_yardsticks():
        owner = f"lab {y.lab_id}" if y.lab_id else "admins"
        click.echo(f"{y.id}: {y.name} v{y.version} ({owner}) {y.n_pairs} pairs {y.content_hash}")
