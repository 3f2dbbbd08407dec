"""The downloaded files load with `datasets.load_dataset` and train with trl's RewardTrainer,
unchanged, on the tiny BERT: exactly what a lab does with them."""

import pytest

from tests.factories import make_snapshot

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(("fmt", "loader"), [("parquet", "parquet"), ("jsonl", "json")])
def test_export_loads_and_trains_with_reward_trainer(client, lab, seeded, tmp_path, fmt, loader):
    import torch
    from datasets import load_dataset
    from trl import RewardConfig, RewardTrainer

    from reward_model.backbones import load_backbone

    body = make_snapshot(client, lab)
    res = client.get(f"/api/v1/datasets/{body['id']}/download?format={fmt}", headers=lab)
    path = tmp_path / f"train.{fmt}"
    path.write_bytes(res.get_data())

    dataset = load_dataset(loader, data_files=str(path), split="train")
    assert dataset.num_rows == body["row_count"]
    assert {"prompt", "chosen", "rejected", "margin"} <= set(dataset.column_names)

    model, tokenizer = load_backbone("tiny", seed=0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    config = RewardConfig(
        output_dir=str(tmp_path / "out"),
        use_cpu=True,
        bf16=False,
        eos_token="[SEP]",
        max_length=512,
        per_device_train_batch_size=8,
        max_steps=3,
        report_to=[],
        save_strategy="no",
        logging_steps=1,
    )
    trainer = RewardTrainer(
        model=model, args=config, train_dataset=dataset, processing_class=tokenizer
    )
    result = trainer.train()
    assert result.global_step == 3 and result.training_loss > 0
    after = model.state_dict()
    assert not torch.equal(before["classifier.weight"], after["classifier.weight"])
