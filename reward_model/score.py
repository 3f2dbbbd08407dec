"""Score answers with a trained reward model: `load_scorer(model_dir).score(prompt, answer)`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from reward_model.text import encode_many

TRAIN_CONFIG = "train_config.json"


@torch.no_grad()
def rewards(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    answers: Sequence[str],
    max_length: int,
    batch_size: int = 64,
    pooling: str = "head",
) -> list[float]:
    """Reward of each (prompt, answer), computed in fp32 exactly as training encodes it;
    with `pooling="mean"` the score layer reads the normalised mean of the hidden states
    (a refit head served on a sentence encoder, see `features`)."""
    if pooling == "mean":
        from reward_model.features import pooled_features
        from reward_model.head import read_score_layer

        feats = pooled_features(model, tokenizer, prompts, answers, max_length, batch_size, "mean")
        return (feats.astype(float) @ read_score_layer(model)).tolist()
    was_training = model.training
    model.eval()
    ids = encode_many(tokenizer, list(prompts), list(answers), max_length)
    device = next(model.parameters()).device
    out: list[float] = []
    # Sorting by length keeps padding small; results go back in the caller's order.
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    for start in range(0, len(order), batch_size):
        chunk = [ids[i] for i in order[start : start + batch_size]]
        width = max(len(x) for x in chunk)
        input_ids = torch.full((len(chunk), width), tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((len(chunk), width), dtype=torch.long)
        for row, x in enumerate(chunk):
            input_ids[row, : len(x)] = torch.tensor(x)
            mask[row, : len(x)] = 1
        logits = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
        out.extend(logits.float().squeeze(-1).tolist())
    model.train(was_training)
    result = [0.0] * len(ids)
    for position, i in enumerate(order):
        result[i] = out[position]
    return result


class Scorer:
    """A reward model loaded for inference."""

    def __init__(
        self, model: Any, tokenizer: Any, max_length: int = 256, pooling: str = "head"
    ) -> None:
        """Wrap a (model, tokenizer) pair; texts are cut to `max_length` tokens."""
        self.model = model.eval()
        self.tokenizer = tokenizer
        self.max_length = max_length
        self.pooling = pooling

    def score(self, prompt: str, answer: str) -> float:
        """Reward of one answer to a prompt (higher is better)."""
        return self.score_many([(prompt, answer)])[0]

    def score_many(self, items: Sequence[tuple[str, str]], batch_size: int = 64) -> list[float]:
        """Rewards of many (prompt, answer) pairs, in order."""
        if not items:
            return []
        prompts, answers = zip(*items, strict=True)
        return rewards(
            self.model, self.tokenizer, prompts, answers, self.max_length, batch_size, self.pooling
        )


def load_scorer(model_dir: str | Path) -> Scorer:
    """A `Scorer` for a directory written by `train.train_round`."""
    model_dir = Path(model_dir)
    if not (model_dir / "config.json").is_file():
        raise ValueError(f"{model_dir} holds no model; train one with `python -m reward_model`")
    settings_file = model_dir / TRAIN_CONFIG
    settings = json.loads(settings_file.read_text()) if settings_file.is_file() else {}
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSequenceClassification.from_pretrained(model_dir, dtype=torch.float32)
    return Scorer(
        model,
        tokenizer,
        max_length=settings.get("max_length", 256),
        pooling=settings.get("pooling", "head"),
    )
