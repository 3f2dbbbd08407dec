"""Flask CLI commands: thin wrappers over services."""

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from server.extensions import redis_store


@click.command("worker")
@with_appcontext
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
@click.option(
    "--no-fork",
    is_flag=True,
    help="Run jobs in this process (for a process that already loaded torch: forking it "
    "after OpenMP started can deadlock the child).",
)
def worker_command(burst: bool, no_fork: bool) -> None:
    """Run one RQ worker on the app's Redis and queue (first removing the scratch folders of
    rounds whose worker was killed)."""
    from pathlib import Path

    from rq import Queue, SimpleWorker, Worker

    from server.jobs import clean_scratch

    for path in clean_scratch(Path(current_app.instance_path) / "models"):
        click.echo(f"removed what a killed round left: {path}")

    connection = redis_store.worker_client()
    queue = Queue(current_app.config["RQ_QUEUE"], connection=connection)
    worker_class = SimpleWorker if no_fork else Worker
    worker_class([queue], connection=connection).work(burst=burst, with_scheduler=False)


@click.command("setup")
@with_appcontext
def setup_command() -> None:
    """Prepare local development state (idempotent): folders, a development voucher signer."""
    from pathlib import Path

    from server.config import signer_settings
    from server.gold.pools import ensure_default as ensure_default_gold
    from server.rewards.signer import ensure_dev_signer
    from server.yardsticks.services import ensure_default

    Path(current_app.instance_path, "models").mkdir(parents=True, exist_ok=True)
    ensure_dev_signer(signer_settings(current_app.instance_path, current_app.config["ENV_NAME"]))
    yardstick, created = ensure_default()
    if created:
        click.echo(f"default yardstick imported ({yardstick.n_pairs} pairs from data/)")
    gold, created = ensure_default_gold()
    if created:
        click.echo(f"default gold pool imported ({gold['n_items']} items from data/)")
    click.echo(f"instance ready at {current_app.instance_path}")


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    from server.auth.cli import users_cli
    from server.datasets.cli import datasets_cli
    from server.demo import demo_cli
    from server.gold.cli import gold_cli
    from server.labs.cli import labs_cli
    from server.rewards.cli import ledger_cli
    from server.rounds.cli import rounds_cli
    from server.yardsticks.cli import yardstick_cli

    app.cli.add_command(worker_command)
    app.cli.add_command(setup_command)
    app.cli.add_command(demo_cli)
    app.cli.add_command(ledger_cli)
    app.cli.add_command(rounds_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(labs_cli)
    app.cli.add_command(yardstick_cli)
    app.cli.add_command(gold_cli)
    app.cli.add_command(datasets_cli)
