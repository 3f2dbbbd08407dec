"""`python -m reward_model train`: parser and a real tiny run from real data."""

import json

import pytest

from reward_model.cli import main, make_parser
from reward_model.sources import HH_PATH as HH
from reward_model.sources import QA_PATH as QA
from reward_model.sources import records_to_rows


def test_parser_reads_train_config_fields():
    """TrainConfig fields are flags, with their defaults."""
    script, config = make_parser().parse_args_into_dataclasses(
        args=["train", "--hh", "x.jsonl", "--out", "o", "--backbone", "tiny", "--lora"]
    )[:2]
    assert (script.hh, script.out, config.backbone, config.lora) == ("x.jsonl", "o", "tiny", True)
    assert (config.max_length, config.batch_size, config.epochs) == (256, 16, 1.0)


@pytest.mark.parametrize("sources", [[], ["--hh", str(HH), "--qa", str(QA)]])
def test_exactly_one_source_is_required(sources, tmp_path, capsys):
    """No source, or two, is a usage error that names the options."""
    with pytest.raises(SystemExit):
        main(["train", "--out", str(tmp_path), *sources])
    assert "exactly one of --rows, --hh or --qa" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.parametrize("source", ["qa", "rows"])
def test_train_from_real_data(source, qa_records, tmp_path, capsys):
    """A tiny run from qa-feedback (or its rows as JSONL) writes a model and prints metrics."""
    if source == "rows":
        path = tmp_path / "rows.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in records_to_rows(qa_records[:80])))
        given = ["--rows", str(path)]
    else:
        given = ["--qa", str(QA), "--limit", "8"]
    out = tmp_path / "model"
    args = ["train", *given, "--backbone", "tiny", "--out", str(out), "--max_length", "48"]
    metrics = main(args)
    assert (out / "model.safetensors").is_file()
    assert metrics["n"] > 0 and metrics["by_source"]
    printed = capsys.readouterr().out
    assert json.loads(printed[printed.index("{") :])["n_train"] == metrics["n_train"]
