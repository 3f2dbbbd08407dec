"""Gold comparisons never leave as training data: a contributor's feedback that repeats one is
kept out of round snapshots and lab datasets, and gold answers are not feedback."""

import json

from server.extensions import db
from server.feedback.models import Feedback
from server.rounds import snapshot
from server.rounds.preferences import load_pairs
from server.yardsticks.services import reserved_keys
from tests.factories import make_lab_key, make_snapshot, post_feedback, sign_in


def test_no_gold_text_in_a_round_snapshot_or_a_full_export(app, client, runner, pool, monkeypatch):
    seeded = runner.invoke(args=["demo", "seed", "--contributors", "2", "--hh", "6", "--qa", "2"])
    assert seeded.exit_code == 0, seeded.output
    monkeypatch.setitem(app.config, "GOLD_OFFER_RATE", 1.0)
    user = sign_in(client)
    for n, row in enumerate(pool[:2]):  # the gold comparisons posted as feedback, both ways
        post_feedback(client, user, 40 + n, prompt=row["prompt"], answer=row["rejected"],
                      other_answer={"text": row["chosen"]}, choice="b" if n else "a",
                      message_id=f"gold-copy-{n}")  # fmt: skip
    shown = client.post("/api/v1/gold/offer", json={}, headers=user["headers"]).get_json()
    answer = {"item_id": shown["offer"]["item_id"], "choice": "a"}
    assert client.post("/api/v1/gold/answers", json=answer, headers=user["headers"]).status_code
    gold_texts = {row[k] for row in pool for k in ("prompt", "chosen", "rejected")}

    with app.app_context():
        assert db.session.query(Feedback).filter(Feedback.user_id.isnot(None)).count() > 2
        pairs = load_pairs(snapshot.build_snapshot(reserved_keys()))
        assert pairs and not gold_texts & {
            t for p in pairs for t in (p.prompt, p.chosen, p.rejected)
        }

    lab = make_lab_key(runner)
    dataset = make_snapshot(client, lab)
    assert dataset["row_count"] > 0
    res = client.get(f"/api/v1/datasets/{dataset['id']}/download?format=jsonl", headers=lab)
    assert res.status_code == 200
    text = res.get_data(as_text=True)
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) == dataset["row_count"]
    assert not any(g in text for g in gold_texts)
