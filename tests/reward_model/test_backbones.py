"""Backbones: MiniLM offline, tiny from its config, local paths, LoRA, seeded heads."""

import pytest
import torch

from reward_model.backbones import backbone_path, load_backbone, minilm_path


def _head(model):
    """The weights of the one-output classifier head."""
    return model.classifier.weight.detach().clone()


def test_tiny_is_small_and_seeded():
    """The tiny BERT has ~2 M parameters; one seed, one head; another seed, another head."""
    model, tokenizer = load_backbone("tiny", seed=3)
    again, _ = load_backbone("tiny", seed=3)
    other, _ = load_backbone("tiny", seed=4)
    assert model.config.num_labels == 1 and model.config.hidden_size == 64
    assert sum(p.numel() for p in model.parameters()) < 3_000_000
    assert torch.equal(_head(model), _head(again))
    assert not torch.equal(_head(model), _head(other))
    assert tokenizer.vocab_size == model.config.vocab_size


def test_minilm_loads_offline_with_a_seeded_head():
    """The default backbone: the packaged MiniLM weights plus a new one-output head."""
    model, tokenizer = load_backbone(seed=0)
    again, _ = load_backbone("minilm", seed=0)
    assert model.config.num_labels == 1
    assert 20_000_000 < sum(p.numel() for p in model.parameters()) < 25_000_000
    assert torch.equal(_head(model), _head(again))
    assert tokenizer("hello")["input_ids"][0] == tokenizer.cls_token_id


def test_a_local_directory_is_a_backbone():
    """Any local HF directory loads; the MiniLM's own directory is one."""
    assert backbone_path(minilm_path()) == minilm_path()
    model, _ = load_backbone(minilm_path(), seed=0)
    assert model.config.num_labels == 1


@pytest.mark.parametrize("name", ["bert-base-uncased", "/no/such/dir"])
def test_unknown_backbones_are_refused_not_downloaded(name):
    """Hub names and missing paths fail with a message saying what is accepted."""
    with pytest.raises(ValueError, match="local Hugging Face directory"):
        load_backbone(name)


def test_lora_trains_adapters_and_the_head_only():
    """With lora=True only LoRA matrices and the head are trainable."""
    model, _ = load_backbone("tiny", lora=True, lora_r=4, seed=0)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n or "classifier" in n for n in trainable)
    assert any("lora_A" in n for n in trainable)
    total = sum(p.numel() for p in model.parameters())
    assert sum(p.numel() for n, p in model.named_parameters() if p.requires_grad) < total / 10
