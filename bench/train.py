"""Training benchmark: our `train_round` against a bare trl script, same data and settings.

1,800 HH harmless training pairs (the rest, about 250, held out), MiniLM, max length 256,
batch 16, learning rate 1e-4, one epoch, bf16 autocast where the CPU supports it,
gradient checkpointing off in both. Each arm runs in its own process, so each peak RSS is
its own. Printed: pairs/s during `trainer.train()` and its ratio ours/bare (target >= 0.95),
held-out exact accuracy (strict >, target >= 0.60), ties, peak memory, wall time.
The bare arm is what one writes from trl's docs: the dialogue text tokenised with
left truncation into chosen_ids/rejected_ids, RewardTrainer with defaults otherwise.

What was tuned in ours, cheaply, against this bare arm (HH, MiniLM, 1,800 pairs, 256 tokens):
- input format: the dialogue as one text cut from the left (`reward_model.text`), as the
  bare arm reads it, instead of a BERT text pair (prompt, answer) keeping a share of the
  prompt and cutting the answer's end: held-out accuracy 0.593 vs 0.565;
- truncation side: left (the judged answer is at the end of the dialogue);
- pooling: trl's score layer on the pooler output for the trained model; the valuation
  head reads mean-pooled sentence embeddings of the frozen base (`--pooling` in
  bench/integrity.py compares), and a round serves whichever is better on its yardstick;
- epochs 1 and learning rate 1e-4 kept: on 1,800 pairs more epochs overfit (train accuracy
  0.94 after 2 epochs, held-out flat), see shared notes on lift probes.
`--quick`: the tiny BERT on 160 pairs at 64 tokens (mechanics only, seconds).

    python bench/train.py [--quick] [--json bench/out/train.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reward_model.data import build_pairs, split_pairs  # noqa: E402
from reward_model.sources import HH_PATH, load_hh, records_to_rows  # noqa: E402

FULL = {"backbone": "minilm", "n_train": 1800, "max_length": 256, "batch_size": 16}
QUICK = {"backbone": "tiny", "n_train": 160, "max_length": 64, "batch_size": 16}
LEARNING_RATE, SEED = 1e-4, 0


def hh_split(n_train: int) -> tuple[list, list]:
    """The first `n_train` HH pairs in hash order for training, the rest held out."""
    pairs = build_pairs(records_to_rows(load_hh(HH_PATH)))
    ordered_train, held = split_pairs(pairs, eval_fraction=1 - n_train / len(pairs))
    return ordered_train[:n_train], held


def run_ours(settings: dict) -> dict:
    """Our library: train_round with its defaults for these settings."""
    from reward_model.train import TrainConfig, train_round

    train, held = hh_split(settings["n_train"])
    config = TrainConfig(
        backbone=settings["backbone"],
        max_length=settings["max_length"],
        batch_size=settings["batch_size"],
        learning_rate=LEARNING_RATE,
        seed=SEED,
    )
    with tempfile.TemporaryDirectory() as out:
        metrics = train_round(train, held, config, out)
    timing = metrics["timing"]
    return {
        "accuracy": metrics["accuracy"],
        "ties": metrics["ties"],
        "n_train": len(train),
        "n_eval": metrics["n"],
        "train_s": timing["train_s"],
        "pairs_per_s": timing["pairs_per_s"],
        "wall_s": timing["total_s"],
        "peak_rss_mb": timing["peak_rss_mb"],
    }


def _bare_ids(tokenizer, pairs, max_length: int) -> dict:
    """Dialogue text (prompt, then the answer) tokenised with left truncation."""
    tokenizer.truncation_side = "left"

    def ids(texts):
        """Left-truncated token ids."""
        return tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]

    return {
        "chosen_ids": ids([f"{p.prompt}\n\nAssistant: {p.chosen}" for p in pairs]),
        "rejected_ids": ids([f"{p.prompt}\n\nAssistant: {p.rejected}" for p in pairs]),
    }


def _bare_accuracy(model, tokenizer, held, max_length: int) -> tuple[float, int]:
    """Exact held-out accuracy (strict >) and ties of the bare model, fp32."""
    import torch

    data = _bare_ids(tokenizer, held, max_length)
    model.eval()
    diffs = []
    with torch.no_grad():
        for start in range(0, len(held), 32):
            texts = (
                data["chosen_ids"][start : start + 32] + data["rejected_ids"][start : start + 32]
            )
            batch = tokenizer.pad({"input_ids": texts}, return_tensors="pt")
            scores = model(**batch.to(model.device)).logits.float().squeeze(-1)
            half = len(texts) // 2
            diffs.extend((scores[:half] - scores[half:]).tolist())
    return sum(d > 0 for d in diffs) / len(diffs), sum(d == 0 for d in diffs)


def _bare_model(backbone: str, tokenizer):
    """The seeded MiniLM (or tiny BERT) with one output, as trl's docs load it."""
    from transformers import (
        AutoModelForSequenceClassification,
        BertForSequenceClassification,
        set_seed,
    )

    from reward_model.backbones import minilm_path, tiny_config

    set_seed(SEED)
    if backbone == "tiny":
        return BertForSequenceClassification(tiny_config(tokenizer))
    return AutoModelForSequenceClassification.from_pretrained(minilm_path(), num_labels=1)


def _bare_args(settings: dict):
    """RewardConfig with the benchmark's settings and the CPU traps avoided."""
    import torch
    from trl import RewardConfig

    on_gpu = torch.cuda.is_available()
    return RewardConfig(
        output_dir=tempfile.mkdtemp(),
        per_device_train_batch_size=settings["batch_size"],
        learning_rate=LEARNING_RATE,
        num_train_epochs=1,
        seed=SEED,
        max_length=settings["max_length"],
        use_cpu=not on_gpu,
        bf16=on_gpu or bool(torch.cpu._is_avx512_bf16_supported()),
        gradient_checkpointing=False,
        eos_token="[SEP]",
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        logging_steps=10,
    )


def run_bare(settings: dict) -> dict:
    """A bare trl script on the benchmark's HH split."""
    return bare_arm(*hh_split(settings["n_train"]), settings)


def bare_arm(train: list, held: list, settings: dict) -> dict:
    """A bare trl script: tokenizer, model, RewardConfig, RewardTrainer, train(); exact
    accuracy on `held`."""
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import RewardTrainer

    from reward_model.backbones import minilm_path
    from reward_model.train import peak_rss_mb

    started = time.perf_counter()
    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    model = _bare_model(settings["backbone"], tokenizer)
    dataset = Dataset.from_dict(_bare_ids(tokenizer, train, settings["max_length"]))
    args = _bare_args(settings)
    trainer = RewardTrainer(
        model=model, args=args, train_dataset=dataset, processing_class=tokenizer
    )
    t0 = time.perf_counter()
    trainer.train()
    train_s = time.perf_counter() - t0
    accuracy, ties = _bare_accuracy(trainer.model, tokenizer, held, settings["max_length"])
    return {
        "accuracy": accuracy,
        "ties": ties,
        "n_train": len(dataset),
        "n_eval": len(held),
        "train_s": train_s,
        "pairs_per_s": len(dataset) / train_s,
        "wall_s": time.perf_counter() - started,
        "peak_rss_mb": peak_rss_mb(),
    }


def _arm(name: str, quick: bool) -> dict:
    """Run one arm in a fresh process and read back its JSON result."""
    with tempfile.NamedTemporaryFile(suffix=".json") as result:
        command = [sys.executable, __file__, "--arm", name, "--result", result.name]
        subprocess.run(command + (["--quick"] if quick else []), check=True)
        return json.loads(Path(result.name).read_text())


def report(settings: dict, ours: dict, bare: dict) -> dict:
    """Print the comparison table and return it with the pass/fail checks."""
    ratio = ours["pairs_per_s"] / bare["pairs_per_s"]
    print(f"\nsettings: {settings}, lr {LEARNING_RATE}, seed {SEED}")
    columns = ("pairs/s", "train s", "acc", "ties", "RSS MB", "wall s")
    print(f"{'arm':6} " + " ".join(f"{c:>8}" for c in columns))
    for name, arm in (("ours", ours), ("bare", bare)):
        print(
            f"{name:6} {arm['pairs_per_s']:8.2f} {arm['train_s']:8.1f} {arm['accuracy']:8.3f} "
            f"{arm['ties']:8d} {arm['peak_rss_mb']:8.0f} {arm['wall_s']:8.1f}"
        )
    checks = {"pairs_per_s_ratio": ratio, "ratio_ok": ratio >= 0.95}
    checks["accuracy_ok"] = ours["accuracy"] >= 0.60
    print(f"pairs/s ratio ours/bare {ratio:.3f} (target >= 0.95): {checks['ratio_ok']}")
    print(f"held-out accuracy {ours['accuracy']:.3f} (target >= 0.60): {checks['accuracy_ok']}")
    return {"settings": settings, "ours": ours, "bare": bare, **checks}


def main(argv: list[str] | None = None) -> dict | None:
    """Run both arms (or one, with --arm) and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny BERT, 160 pairs, 64 tokens")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--arm", choices=["ours", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    settings = QUICK if args.quick else FULL
    if args.arm:
        result = (run_ours if args.arm == "ours" else run_bare)(settings)
        args.result.write_text(json.dumps(result))
        return None
    # Only trainer.train() is timed (loading excluded), so the order of the arms matters little.
    bare = _arm("bare", args.quick)
    ours = _arm("ours", args.quick)
    results = report(settings, ours, bare)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()
