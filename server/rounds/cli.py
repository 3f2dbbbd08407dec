"""`flask rounds ...`: start, follow and rerun training rounds; show their calibration."""

import json
import time

import click
from flask.cli import AppGroup

from server.rounds import services

rounds_cli = AppGroup("rounds", help="Reward-model training rounds.")


def _line(view: dict) -> str:
    """One line per round (a view from ``services.round_views``)."""
    p = view["progress"] or {}
    step = f"{p.get('step', '-')}/{p.get('total_steps', '-')}" if p.get("total_steps") else ""
    loss = f" loss {p['loss']:.4f}" if isinstance(p.get("loss"), float) else ""
    eta = f" eta {p['eta_s']:.0f}s" if isinstance(p.get("eta_s"), int | float) else ""
    acc = view["metrics"].get("accuracy")
    tail = f" accuracy {acc:.3f}" if isinstance(acc, float) else ""
    err = f" error: {view['error']}" if view["error"] else ""
    return (
        f"round {view['id']}: {view['status']} {p.get('phase', '')} {step}{loss}{eta}{tail}{err}"
    ).replace("  ", " ")


@rounds_cli.command("run")
@click.option(
    "--backbone",
    default="minilm",
    show_default=True,
    help="'minilm', 'tiny' or a local Hugging Face model directory.",
)
@click.option("--seed", default=0, show_default=True)
@click.option("--epochs", type=float, default=None)
@click.option("--wait", is_flag=True, help="Follow progress until the round ends.")
def run_command(backbone: str, seed: int, epochs: float | None, wait: bool) -> None:
    """Snapshot the preferences and enqueue a round for the worker."""
    options = {"backbone": backbone, "seed": seed}
    if epochs is not None:
        options["epochs"] = epochs
    round_ = services.create_round(options)
    click.echo(
        f"round {round_.id} queued on yardstick {round_.yardstick_id} "
        f"(sha256 {round_.yardstick_hash}); the worker builds its snapshot"
    )
    if wait:
        _follow(round_.id)


def _follow(round_id: int) -> None:
    """Print progress until the round finishes or fails."""
    from server.extensions import db

    last = ""
    while True:
        db.session.expire_all()
        view = services.round_view(round_id)
        line = _line(view)
        if line != last:
            click.echo(line)
            last = line
        if view["status"] in ("finished", "failed"):
            if view["status"] == "failed":
                raise SystemExit(1)
            return
        time.sleep(1)


@rounds_cli.command("status")
@click.argument("round_id", type=int, required=False)
def status_command(round_id: int | None) -> None:
    """Show one round (with metrics) or all rounds."""
    if round_id is None:
        for view in services.list_rounds():
            click.echo(_line(view))
        return
    view = services.round_view(round_id)
    click.echo(_line(view))
    click.echo(json.dumps(view["metrics"], indent=2, default=str))


@rounds_cli.command("rerun")
@click.argument("round_id", type=int)
def rerun_command(round_id: int) -> None:
    """Enqueue a failed round again."""
    round_ = services.rerun(round_id)
    click.echo(f"round {round_.id} queued again")


@rounds_cli.command("calibrate")
@click.argument("round_id", type=int)
def calibrate_command(round_id: int) -> None:
    """Print the round's predicted vs exact leave-author-out lift and their Spearman."""
    round_ = services.get_round(round_id)
    table = (round_.calibration or {}).get("table") or []
    rho = (round_.calibration or {}).get("spearman")
    click.echo(f"{'author':>8} {'predicted':>12} {'exact':>12}")
    for row in table:
        click.echo(f"{row['group']:>8} {row['predicted']:>12.3e} {row['exact']:>12.3e}")
    click.echo(
        f"Spearman (predicted vs exact) over {len(table)} authors: "
        + ("n/a (fewer than 3 authors)" if rho is None else f"{rho:.3f}")
    )
