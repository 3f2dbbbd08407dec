"""Real trl RewardTrainer runs on the tiny BERT: learning, reproducibility, saving, scoring."""

import json

import pytest
import torch
from safetensors.torch import load_file

from reward_model.backbones import load_backbone
from reward_model.data import Pair, pair_key, split_pairs
from reward_model.score import load_scorer
from reward_model.train import TrainConfig, train_round

pytestmark = pytest.mark.slow

CONFIG = TrainConfig(
    backbone="tiny", max_length=64, batch_size=8, learning_rate=1e-3, epochs=2, seed=0
)


@pytest.fixture(scope="module")
def separable(qa_records, hh_records):
    """Real text, easy to tell apart: a reference answer beats an HH red-team reply."""
    golds = [r for r in qa_records if r["kind"] == "rating" and "great_answer" in r["tags"]]
    hh_answers = [r["answer"] for r in hh_records] + [r["other_answer"]["text"] for r in hh_records]
    pairs = [
        Pair(prompt=g["prompt"], chosen=g["answer"], rejected=bad, source=source, site="generic",
             key=pair_key(g["prompt"], g["answer"], bad))
        for g, bad, source in zip(golds * 4, hh_answers, ["rating", "pairwise"] * 60, strict=False)
    ]  # fmt: skip
    return split_pairs(pairs, eval_fraction=0.25)


@pytest.fixture(scope="module")
def trained(separable, tmp_path_factory):
    """One training round on the separable set: (metrics, out_dir, progress reports)."""
    out = tmp_path_factory.mktemp("rm")
    reports = []
    metrics = train_round(*separable, CONFIG, out, progress=reports.append)
    return metrics, out, reports


def test_parameters_actually_change(trained):
    """Every trained weight matrix moved away from its seeded initial value."""
    _, out, _ = trained
    start, _ = load_backbone("tiny", seed=CONFIG.seed)
    saved = load_file(out / "model.safetensors")
    initial = start.state_dict()
    moved = [k for k in saved if k.endswith("weight") and not torch.equal(saved[k], initial[k])]
    assert "classifier.weight" in moved
    assert len(moved) > 0.9 * sum(k.endswith("weight") for k in saved)


def test_learns_an_easy_separable_set(trained, separable):
    """Held-out accuracy > 0.9 on pairs never trained on, reported per source and site."""
    metrics, _, _ = trained
    train, held = separable
    assert not {p.key for p in train} & {p.key for p in held}
    assert metrics["n"] == len(held) and metrics["n_train"] == len(train)
    assert metrics["accuracy"] > 0.9
    assert set(metrics["by_source"]) == {"rating", "pairwise"}
    assert metrics["by_site"]["generic"]["n"] == len(held)
    assert metrics["train_loss"] < 0.6


def test_same_seed_same_metrics(trained, separable, tmp_path):
    """A second run with the same pairs, config and seed gives identical metrics and weights."""
    metrics, out, _ = trained
    again = train_round(*separable, CONFIG, tmp_path)
    strip = lambda m: {k: v for k, v in m.items() if k != "timing"}  # noqa: E731
    assert strip(again) == strip(metrics)
    first, second = load_file(out / "model.safetensors"), load_file(tmp_path / "model.safetensors")
    assert all(torch.equal(first[k], second[k]) for k in first)


def test_writes_model_tokenizer_config_and_metrics(trained):
    """out_dir holds safetensors, tokenizer, train_config.json and the returned metrics."""
    metrics, out, _ = trained
    for name in ("model.safetensors", "tokenizer.json", "config.json", "train_config.json"):
        assert (out / name).is_file()
    assert json.loads((out / "metrics.json").read_text()) == json.loads(json.dumps(metrics))
    assert json.loads((out / "train_config.json").read_text())["max_length"] == CONFIG.max_length
    timing = metrics["timing"]
    assert timing["train_s"] > 0 and timing["pairs_per_s"] > 0 and timing["peak_rss_mb"] > 100


def test_progress_reports_every_step(trained):
    """Steps count up to total_steps with a loss and an ETA; phases end with done."""
    _, _, reports = trained
    steps = [r for r in reports if r["phase"] == "train"]
    assert [r["step"] for r in steps] == list(range(1, steps[0]["total_steps"] + 1))
    assert all(r["loss"] is not None and r["eta_s"] >= 0 for r in steps)
    assert steps[-1]["eta_s"] == 0
    phases = [r["phase"] for r in reports if r["phase"] != "train"]
    assert phases == ["load", "tokenise", "evaluate", "save", "done"]


def test_scorer_from_saved_dir_ranks_held_out_pairs(trained, separable):
    """load_scorer(out).score agrees with the metrics and with score_many."""
    metrics, out, _ = trained
    scorer = load_scorer(out)
    _, held = separable
    right = [scorer.score(p.prompt, p.chosen) > scorer.score(p.prompt, p.rejected) for p in held]
    # batched and single scoring differ by float noise only
    assert sum(right) / len(right) == pytest.approx(metrics["accuracy"], abs=1.5 / len(held))
    items = [(p.prompt, p.chosen) for p in held[:6]]
    singles = [scorer.score(*item) for item in items]
    assert scorer.score_many(items) == pytest.approx(singles, abs=1e-4)
    assert scorer.score_many([]) == []


def test_lora_round_trains_and_saves_a_merged_model(separable, tmp_path):
    """LoRA on tiny: adapters learn, the saved model is a plain merged model that scores."""
    train, held = separable
    config = TrainConfig(
        **{**CONFIG.__dict__, "lora": True, "lora_r": 4, "learning_rate": 5e-3, "epochs": 1}
    )
    metrics = train_round(train, held, config, tmp_path)
    start, _ = load_backbone("tiny", seed=CONFIG.seed)
    saved = load_file(tmp_path / "model.safetensors")
    assert not any("lora" in k for k in saved)
    key = "bert.encoder.layer.0.attention.self.query.weight"
    assert not torch.equal(saved[key], start.state_dict()[key])
    assert metrics["accuracy"] > 0.5
    assert isinstance(load_scorer(tmp_path).score("q", "a"), float)


def test_no_pairs_is_an_error(tmp_path):
    """Training on nothing is refused with a hint."""
    with pytest.raises(ValueError, match="build_pairs"):
        train_round([], [], CONFIG, tmp_path)
