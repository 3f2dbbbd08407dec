"""`python -m reward_model train`: build pairs from feedback and train a reward model.

Example:
    python -m reward_model train --hh data/hh-rlhf-harmless.jsonl.gz \\
        --limit 400 --backbone tiny --out /tmp/rm
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from tqdm import tqdm
from transformers import HfArgumentParser

from reward_model.data import build_pairs, split_pairs
from reward_model.sources import load_hh, load_qa_feedback, read_rows, records_to_rows


@dataclass
class ScriptArguments:
    """Where the feedback comes from and where the model goes."""

    out: str = field(metadata={"help": "Directory for the model, tokenizer and metrics."})
    rows: str | None = field(default=None, metadata={"help": "Feedback rows, JSONL."})
    hh: str | None = field(default=None, metadata={"help": "HH-RLHF file (.jsonl[.gz])."})
    qa: str | None = field(default=None, metadata={"help": "qa-feedback file (.json[.gz])."})
    limit: int | None = field(default=None, metadata={"help": "Read only this many items."})
    authors: int = field(default=1, metadata={"help": "Spread --hh/--qa records over N users."})
    eval_fraction: float = field(default=0.2, metadata={"help": "Share of pairs held out."})


def make_parser() -> HfArgumentParser:
    """The CLI parser: `train` followed by ScriptArguments and TrainConfig flags."""
    from reward_model.train import TrainConfig

    parser = HfArgumentParser((ScriptArguments, TrainConfig), prog="python -m reward_model")
    parser.add_argument("command", choices=["train"], help="What to do.")
    return parser


def load_rows(args: ScriptArguments) -> list[dict]:
    """Feedback rows from exactly one of --rows, --hh, --qa."""
    given = [name for name in ("rows", "hh", "qa") if getattr(args, name)]
    if len(given) != 1:
        raise ValueError("give exactly one of --rows, --hh or --qa")
    if args.rows:
        rows = read_rows(args.rows)
        return rows[: args.limit] if args.limit is not None else rows
    records = load_hh(args.hh, args.limit) if args.hh else load_qa_feedback(args.qa, args.limit)
    return records_to_rows(records, authors=args.authors)


class _Bar:
    """A tqdm bar fed by train_round's progress reports."""

    def __init__(self) -> None:
        """No bar until training starts."""
        self.bar: tqdm | None = None

    def __call__(self, info: dict) -> None:
        """Advance the bar, or announce a phase."""
        if info["phase"] != "train":
            if self.bar is not None:
                self.bar.close()
                self.bar = None
            tqdm.write(f"[{info['phase']}]")
            return
        if self.bar is None:
            self.bar = tqdm(total=info["total_steps"], desc="train", unit="step")
        self.bar.n = info["step"]
        if info["loss"] is not None:
            self.bar.set_postfix(loss=f"{info['loss']:.4f}", refresh=False)
        self.bar.refresh()


def main(argv: list[str] | None = None) -> dict:
    """Run the CLI; prints and returns the round's metrics."""
    from reward_model.train import train_round

    parser = make_parser()
    script_args, config, _ = parser.parse_args_into_dataclasses(args=argv)
    try:
        rows = load_rows(script_args)
    except ValueError as error:
        parser.error(str(error))
    train, held_out = split_pairs(build_pairs(rows), script_args.eval_fraction)
    tqdm.write(
        f"{len(rows)} feedback rows -> {len(train)} training, {len(held_out)} held-out pairs"
    )
    metrics = train_round(train, held_out, config, script_args.out, progress=_Bar())
    print(json.dumps(metrics, indent=2))
    return metrics
