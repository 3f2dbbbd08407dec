"""The backbone's pooled features: what the reward model's score layer sees, for (prompt, answer).

For a (prompt, answer) the model computes r = W φ(prompt, answer) + b; φ is the input of
the score layer (for BERT the pooler output, for decoders the hidden state at the last real
token). It is captured with a forward hook, texts encoded exactly as training encodes them
(`text.encode_many`), batched, without gradients, in fp32. A preference's feature
difference is x = φ(prompt, chosen) − φ(prompt, rejected), so r_c − r_r = W x.
`cached_pair_features` stores them in an .npz keyed by sha256(backbone weights, max_length,
texts), so a round computes them once. `pooling="mean"` gives instead the normalised mean of
the last hidden states (the sentence embedding a frozen sentence encoder was trained for);
a head fitted on those cannot be written into the score layer.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from reward_model.head import score_layer
from reward_model.text import FORMAT, encode_many


def _pad(chunk: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Right-padded input ids and attention mask for a batch of token-id lists."""
    width = max(len(x) for x in chunk)
    ids = torch.full((len(chunk), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(chunk), width), dtype=torch.long)
    for row, x in enumerate(chunk):
        ids[row, : len(x)] = torch.tensor(x)
        mask[row, : len(x)] = 1
    return ids, mask


def _pooled(captured: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The score layer's input per sequence (the last real token's, when given per token)."""
    if captured.dim() == 2:
        return captured
    last = mask.sum(dim=1) - 1
    return captured[torch.arange(len(captured)), last]


def _mean_pooled(model: Any, input_ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Normalised mean of the backbone's last hidden states over real tokens."""
    hidden = model.base_model(input_ids=input_ids, attention_mask=mask).last_hidden_state
    summed = (hidden * mask[..., None]).sum(dim=1) / mask.sum(dim=1, keepdim=True)
    return torch.nn.functional.normalize(summed, dim=-1)


@torch.no_grad()
def pooled_features(
    model: Any,
    tokenizer: Any,
    prompts: Sequence[str],
    answers: Sequence[str],
    max_length: int = 256,
    batch_size: int = 32,
    pooling: str = "head",
) -> np.ndarray:
    """φ(prompt, answer) for each item, shape (len(prompts), hidden), in the caller's order.

    `pooling`: "head" (the score layer's input) or "mean" (normalised mean of hidden states).
    """
    if pooling not in ("head", "mean"):
        raise ValueError('pooling must be "head" (the score layer\'s input) or "mean"')
    ids = encode_many(tokenizer, list(prompts), list(answers), max_length)
    captured: list[torch.Tensor] = []
    hook = score_layer(model).register_forward_hook(lambda m, a, o: captured.append(a[0]))
    was_training = model.training
    model.eval()
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # less padding per batch
    out = np.zeros((len(ids), score_layer(model).in_features), dtype=np.float32)
    try:
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            input_ids, mask = _pad([ids[i] for i in rows], tokenizer.pad_token_id)
            captured.clear()
            if pooling == "mean":
                out[rows] = _mean_pooled(model, input_ids, mask).float().cpu().numpy()
                continue
            model(input_ids=input_ids, attention_mask=mask)
            out[rows] = _pooled(captured[0], mask).float().cpu().numpy()
    finally:
        hook.remove()
        model.train(was_training)
    return out


def backbone_digest(model: Any) -> str:
    """sha256 of the weights that shape φ (every parameter but the score layer's)."""
    head = {id(p) for p in score_layer(model).parameters()}
    digest = hashlib.sha256()
    for name, param in model.named_parameters():
        if id(param) not in head:
            digest.update(name.encode())
            digest.update(param.detach().float().cpu().numpy().tobytes())
    return digest.hexdigest()


def cache_key(model_digest: str, max_length: int, texts: Sequence[tuple[str, str]]) -> str:
    """Cache key: sha256 of the backbone digest, max_length and every (prompt, answer)."""
    blob = json.dumps([model_digest, max_length, list(texts)], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:32]


def cached_pair_features(
    model: Any,
    tokenizer: Any,
    pairs: Sequence,
    cache_dir: str | Path | None = None,
    max_length: int = 256,
    batch_size: int = 32,
    pooling: str = "head",
) -> tuple[np.ndarray, np.ndarray]:
    """(φ chosen, φ rejected) for pairs with prompt/chosen/rejected; each text encoded once."""
    texts = sorted({(p.prompt, a) for p in pairs for a in (p.chosen, p.rejected)})
    path = None
    if cache_dir is not None:
        digest = f"{backbone_digest(model)}:{FORMAT}:{pooling}"
        key = cache_key(digest, max_length, texts)
        path = Path(cache_dir) / f"features-{key}.npz"
    if path is not None and path.is_file():
        feats = np.load(path)["features"]
    else:
        prompts, answers = zip(*texts, strict=True) if texts else ((), ())
        feats = pooled_features(model, tokenizer, prompts, answers, max_length, batch_size, pooling)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            np.savez(path, features=feats)
    row = {t: k for k, t in enumerate(texts)}
    chosen = feats[[row[(p.prompt, p.chosen)] for p in pairs]]
    rejected = feats[[row[(p.prompt, p.rejected)] for p in pairs]]
    return chosen, rejected
