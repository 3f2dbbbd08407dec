"""One training round: preference pairs -> a reward model trained by trl's RewardTrainer.

trl is used as it is: pairs are pre-tokenised into `chosen_ids` / `rejected_ids` (cut from
the left, see `text.py`, so no pair is dropped by `max_length`), a `margin` column carries
rater agreement, the tokenizer is passed as `processing_class`, BERT tokenizers get
`eos_token="[SEP]"`, and bf16 autocast runs on CPUs that support it (`use_cpu=True`).
`train_round` writes the model, tokenizer, train_config.json and metrics.json to out_dir.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from datasets import Dataset
from transformers import PrinterCallback, TrainerCallback
from trl import RewardConfig, RewardTrainer

from reward_model.backbones import DEFAULT, bf16_supported, load_backbone
from reward_model.data import Pair
from reward_model.evaluate import evaluate_pairs
from reward_model.score import TRAIN_CONFIG
from reward_model.text import encode_many

Progress = Callable[[dict], None]


@dataclass
class TrainConfig:
    """Settings of one training round (the CLI reads these fields as flags)."""

    backbone: str = field(
        default=DEFAULT, metadata={"help": "'minilm', 'tiny' or a local Hugging Face directory."}
    )
    lora: bool = field(default=False, metadata={"help": "Train a LoRA adapter (peft) only."})
    lora_r: int = field(default=8, metadata={"help": "LoRA rank."})
    max_length: int = field(default=256, metadata={"help": "Tokens per text; cut from the left."})
    batch_size: int = field(default=16, metadata={"help": "Pairs per training step."})
    learning_rate: float = field(default=1e-4, metadata={"help": "Peak learning rate."})
    epochs: float = field(default=1.0, metadata={"help": "Passes over the training pairs."})
    seed: int = field(default=0, metadata={"help": "Seed of the head, the shuffling, dropout."})
    bf16: bool = field(
        default=True, metadata={"help": "bf16 autocast where the hardware supports it."}
    )
    use_margin: bool = field(
        default=True, metadata={"help": "Use pair margins (rater agreement) in the loss."}
    )
    gradient_checkpointing: bool = field(
        default=False, metadata={"help": "Trade compute for memory (slower on CPU)."}
    )
    eval_batch_size: int = field(default=64, metadata={"help": "Texts per evaluation batch."})
    logging_steps: int = field(default=1, metadata={"help": "Steps between loss reports."})


class ProgressReporter(TrainerCallback):
    """Calls `progress({step, total_steps, loss, eta_s, phase})` after every training step."""

    def __init__(self, progress: Progress) -> None:
        """Report to `progress`."""
        self.progress = progress
        self.loss: float | None = None
        self.started = time.perf_counter()

    def on_train_begin(self, args, state, control, **kwargs) -> None:
        """Start the clock."""
        self.started = time.perf_counter()

    def on_log(self, args, state, control, logs=None, **kwargs) -> None:
        """Report a logging step, now that its loss is known."""
        if logs and "loss" in logs:
            self.loss = float(logs["loss"])
            self._report(state)

    def on_step_end(self, args, state, control, **kwargs) -> None:
        """Report a step that logs nothing (logging steps are reported by `on_log`)."""
        if state.global_step % args.logging_steps:
            self._report(state)

    def _report(self, state) -> None:
        """Call `progress` with the step and an estimate of the time left."""
        step, total = state.global_step, state.max_steps
        elapsed = time.perf_counter() - self.started
        eta = elapsed / step * (total - step) if step else None
        update = {"step": step, "total_steps": total, "loss": self.loss, "eta_s": eta}
        self.progress({**update, "phase": "train"})


def _phase(progress: Progress | None, phase: str, total_steps: int = 0) -> None:
    """Tell `progress` a new phase began."""
    if progress is not None:
        info = {"step": 0, "total_steps": total_steps, "loss": None, "eta_s": None}
        progress({**info, "phase": phase})


def tokenize_pairs(pairs: Sequence[Pair], tokenizer: Any, max_length: int) -> Dataset:
    """A trl-ready dataset: `chosen_ids`, `rejected_ids`, `margin`, none longer than max_length."""
    prompts = [p.prompt for p in pairs]
    return Dataset.from_dict(
        {
            "chosen_ids": encode_many(tokenizer, prompts, [p.chosen for p in pairs], max_length),
            "rejected_ids": encode_many(
                tokenizer, prompts, [p.rejected for p in pairs], max_length
            ),
            "margin": [float(p.margin) for p in pairs],
        }
    )


def reward_config(config: TrainConfig, output_dir: str, tokenizer: Any) -> RewardConfig:
    """trl's RewardConfig for these settings, with the CPU traps of trl 1.16 avoided."""
    on_gpu = torch.cuda.is_available()
    return RewardConfig(
        output_dir=output_dir,
        per_device_train_batch_size=config.batch_size,
        learning_rate=config.learning_rate,
        num_train_epochs=config.epochs,
        seed=config.seed,
        max_length=config.max_length,
        bf16=config.bf16 and bf16_supported(),
        use_cpu=not on_gpu,
        gradient_checkpointing=config.gradient_checkpointing,
        eos_token="[SEP]" if tokenizer.eos_token is None else None,
        logging_steps=config.logging_steps,
        save_strategy="no",
        eval_strategy="no",
        report_to="none",
        disable_tqdm=True,
    )


def _save(model: Any, tokenizer: Any, config: TrainConfig, metrics: dict, out: Path) -> None:
    """Write the model (merged when LoRA), tokenizer, train_config.json and metrics.json."""
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    out.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    (out / TRAIN_CONFIG).write_text(json.dumps(asdict(config), indent=2))
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2))


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _fit(
    model: Any,
    tokenizer: Any,
    dataset: Dataset,
    config: TrainConfig,
    progress: Progress | None,
    clock: dict,
) -> tuple[Any, Any]:
    """Run trl's RewardTrainer; returns (trained model, TrainOutput), timing it in `clock`."""
    with tempfile.TemporaryDirectory() as scratch:
        trainer = RewardTrainer(
            model=model,
            args=reward_config(config, scratch, tokenizer),
            train_dataset=dataset,
            processing_class=tokenizer,
            callbacks=[ProgressReporter(progress)] if progress else [],
        )
        trainer.remove_callback(PrinterCallback)  # progress goes to `progress`, not stdout
        clock["trainer"] = time.perf_counter()
        result = trainer.train()
        clock["trained"] = time.perf_counter()
    return trainer.model, result


def train_round(
    train_pairs: Sequence[Pair],
    eval_pairs: Sequence[Pair],
    config: TrainConfig,
    out_dir: str | Path,
    progress: Progress | None = None,
) -> dict:
    """Train on `train_pairs`, evaluate on `eval_pairs`, save to `out_dir`; return metrics.

    Same pairs, config and seed give the same metrics (all but the `timing` entry).
    """
    if not train_pairs:
        raise ValueError("no training pairs: build them with reward_model.data.build_pairs")
    clock = {"start": time.perf_counter()}
    _phase(progress, "load")
    model, tokenizer = load_backbone(
        config.backbone, lora=config.lora, lora_r=config.lora_r, seed=config.seed
    )
    clock["loaded"] = time.perf_counter()
    _phase(progress, "tokenise")
    dataset = tokenize_pairs(train_pairs, tokenizer, config.max_length)
    if not config.use_margin:
        dataset = dataset.remove_columns("margin")
    clock["tokenised"] = time.perf_counter()
    model, result = _fit(model, tokenizer, dataset, config, progress, clock)
    _phase(progress, "evaluate")
    metrics = evaluate_pairs(
        model, tokenizer, eval_pairs, config.max_length, config.eval_batch_size
    )
    clock["evaluated"] = time.perf_counter()
    metrics.update(
        train_loss=result.training_loss, n_train=len(train_pairs), steps=result.global_step
    )
    metrics["timing"] = _timing(clock, len(train_pairs) * config.epochs)
    _phase(progress, "save")
    _save(model, tokenizer, config, metrics, Path(out_dir))
    _phase(progress, "done")
    return metrics


def _timing(clock: dict, pairs_seen: float) -> dict:
    """Seconds per phase, training throughput and peak memory."""
    train_s = clock["trained"] - clock["trainer"]
    return {
        "load_s": clock["loaded"] - clock["start"],
        "tokenise_s": clock["tokenised"] - clock["loaded"],
        "trainer_init_s": clock["trainer"] - clock["tokenised"],
        "train_s": train_s,
        "eval_s": clock["evaluated"] - clock["trained"],
        "total_s": clock["evaluated"] - clock["start"],
        "pairs_per_s": pairs_seen / train_s if train_s > 0 else None,
        "peak_rss_mb": peak_rss_mb(),
    }
