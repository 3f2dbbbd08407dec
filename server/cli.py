"""Flask CLI commands: thin wrappers over services."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from server.extensions import redis_store

worker_cli = AppGroup("worker", help="Background jobs.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Exit once the queue is empty.")
def worker_command(burst: bool) -> None:
    """Run one RQ worker on the app's Redis and queue."""
    from rq import Queue, Worker

    queue = Queue(current_app.config["RQ_QUEUE"], connection=redis_store.client)
    Worker([queue], connection=redis_store.client).work(burst=burst, with_scheduler=False)


def register(app: Flask) -> None:
    """Attach every command group to the app."""
    from server.demo import demo_cli

    app.cli.add_command(worker_command)
    app.cli.add_command(demo_cli)
