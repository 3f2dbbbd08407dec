"""A round end to end on the tiny model: real feedback, the real RQ worker on real Redis."""

import io
import json
import tarfile

import pytest

from server.auth.models import User
from server.extensions import db
from server.labs.models import Lab
from server.rounds.models import AuthorValue, PreferenceValue, TrainingRound
from server.yardsticks.services import lab_lifts
from tests.factories import import_yardstick_file, make_lab_key, sign_in


def _admin(client, runner):
    """A signed-in admin (role set through the CLI, then a fresh sign-in)."""
    user = sign_in(client)
    result = runner.invoke(args=["users", "set-role", user["address"], "admin"])
    assert result.exit_code == 0, result.output
    return sign_in(client, user["account"])


@pytest.mark.slow
def test_round_trains_values_and_serves(app, client, runner, tmp_path, scorer):
    import_yardstick_file(runner, tmp_path)
    seeded = runner.invoke(args=["demo", "seed", "--contributors", "4", "--hh", "60", "--qa", "12"])
    assert seeded.exit_code == 0, seeded.output
    admin = _admin(client, runner)
    lab_headers = make_lab_key(runner)
    with app.app_context():
        lab_id = db.session.query(Lab).filter_by(name="Acme").one().id
    own = [
        {"prompt": "Is this kind?", "chosen": "Yes, it is kind.", "rejected": "No, go away."},
        {"prompt": "Help me?", "chosen": "Sure, here is how.", "rejected": "Figure it out."},
    ]
    registered = client.post("/api/v1/admin/yardsticks", headers=admin["headers"],
                             json={"name": "acme", "pairs": own, "lab_id": lab_id})  # fmt: skip
    assert registered.status_code == 201, registered.get_json()
    body = {"backbone": "tiny", "seed": 3, "epochs": 2, "calibration_groups": 4}
    res = client.post("/api/v1/admin/rounds", json=body, headers=admin["headers"])
    assert res.status_code == 202, res.get_json()
    round_id = res.get_json()["id"]
    assert res.get_json()["status"] == "queued"

    worked = runner.invoke(args=["worker", "--burst", "--no-fork"])
    assert worked.exit_code == 0, worked.output

    info = client.get(f"/api/v1/rounds/{round_id}").get_json()
    assert info["status"] == "finished", info
    assert info["merkle_root"].startswith("0x")  # the ledger credited the round
    metrics = info["metrics"]
    assert 0 <= metrics["accuracy"] <= 1 and metrics["n_train"] == info["n_train"]
    assert metrics["served"] in ("base+refit", "trl")
    assert metrics["served_yardstick_accuracy"] == max(
        metrics["trl_yardstick_accuracy"], metrics["base_refit_yardstick_accuracy"]
    )
    assert info["yardstick_hash"] and info["card"]["yardstick_hash"] == info["yardstick_hash"]
    assert info["card"]["contributors_merkle_root"] == info["merkle_root"]
    assert info["card"]["n_pairs"] == info["n_train"] and len(info["card"]["snapshot_hash"]) == 64
    assert info["progress"]["phase"] == "done"
    with app.app_context():
        values = db.session.query(PreferenceValue).filter_by(round_id=round_id).count()
        authors = db.session.query(AuthorValue).filter_by(round_id=round_id).count()
        reliabilities = [u.reliability for u in db.session.query(User).all() if u.role != "admin"]
        errors = [a.stderr for a in db.session.query(AuthorValue).filter_by(round_id=round_id)]
    assert values == info["n_train"] and authors == 4
    assert all(e > 0 for e in errors)  # every author's lift comes with its error
    with app.app_context():
        assert len(lab_lifts(lab_id, round_id)) == 4  # the lab's yardstick: one more g_val
    assert all(r is not None for r in reliabilities)

    scored = client.post(
        "/api/v1/reward/score", json={"prompt": "Hi", "answer": "Hello!"}, headers=admin["headers"]
    )
    assert scored.status_code == 200 and scored.get_json()["round_id"] == round_id
    status = runner.invoke(args=["rounds", "status", str(round_id)])
    assert "finished" in status.output
    table = runner.invoke(args=["rounds", "calibrate", str(round_id)])
    assert table.exit_code == 0, table.output
    rows = [line for line in table.output.splitlines() if line.strip()[:1].isdigit()]
    assert "Spearman" in table.output and len(rows) == 4
    mine = client.get("/api/v1/me/contributions", headers=admin["headers"]).get_json()
    assert mine == []  # the admin posted no feedback
    card = client.get(f"/api/v1/rounds/{round_id}/card").get_json()
    assert card == {"round_id": round_id, **info["card"]}
    assert client.get(f"/api/v1/rounds/{round_id}/model").status_code == 401
    model = client.get(f"/api/v1/rounds/{round_id}/model", headers=lab_headers)
    assert model.status_code == 200 and model.mimetype == "application/gzip"
    with tarfile.open(fileobj=io.BytesIO(model.data)) as tar:
        names = tar.getnames()
        stored = json.load(tar.extractfile(f"round-{round_id}/model_card.json"))
    assert f"round-{round_id}/config.json" in names and stored == info["card"]
    dist = client.get(f"/api/v1/rounds/{round_id}/lift-distribution", headers=admin["headers"])
    assert len(dist.get_json()["lifts"]) == 4 and dist.get_json()["mine"] is None


def test_contributions_are_the_callers_own(app, client):
    from server.rounds.models import Preference

    alice, bob = sign_in(client), sign_in(client)
    with app.app_context():
        ids = {u.address: u.id for u in db.session.query(User).all()}
        round_ = TrainingRound(
            status="finished",
            backbone="tiny",
            train_ids=[],
            heldout_ids=[],
            metrics={"mean_lift_per_pair": 1e-4},
        )
        pref = Preference(
            key="k" * 64,
            prompt="p",
            chosen="c",
            rejected="r",
            source="pairwise",
            site="generic",
            licence="cc-by-4.0",
            author_ids=[ids[alice["address"]]],
        )
        db.session.add_all([round_, pref])
        db.session.flush()
        db.session.add(PreferenceValue(round_id=round_.id, preference_id=pref.id, lift=2e-4))
        db.session.add(
            AuthorValue(
                round_id=round_.id, user_id=ids[alice["address"]], lift=2e-4, reliability=0.9,
                weight=1.5e-4, preferences=1, lift_per_pair=2e-4, stderr=1e-4, low=0.5e-4,
                high=4e-4, quality=1.5, quality_var=0.2,
            )
        )  # fmt: skip
        db.session.commit()
    mine = client.get("/api/v1/me/contributions", headers=alice["headers"]).get_json()
    assert [c["lift"] for c in mine] == [2e-4] and "helped" in mine[0]["explanation"]
    assert mine[0]["your_lift"].startswith("Your lift 2.00e-04 ± 1.00e-04 per pair")
    assert "paid on 1.50e-04" in mine[0]["your_lift"] and "empirical Bayes" in mine[0]["rule"]
    assert client.get("/api/v1/me/contributions", headers=bob["headers"]).get_json() == []


def test_rounds_need_an_admin_and_enough_data(client, runner):
    user = sign_in(client)
    assert client.post("/api/v1/admin/rounds", json={}, headers=user["headers"]).status_code == 403
    admin = _admin(client, runner)
    res = client.post("/api/v1/admin/rounds", json={"backbone": "tiny"}, headers=admin["headers"])
    assert res.status_code == 422 and "at least" in res.get_json()["message"]
    bad = client.post("/api/v1/admin/rounds", json={"epochs": -1}, headers=admin["headers"])
    assert bad.status_code == 422
    assert client.get("/api/v1/rounds/999").status_code == 404


def test_score_without_a_model_is_404(client, scorer):
    user = sign_in(client)
    res = client.post(
        "/api/v1/reward/score", json={"prompt": "a", "answer": "b"}, headers=user["headers"]
    )
    assert res.status_code == 404


def test_a_failed_job_reads_as_failed_in_words(app, client):
    """A round whose RQ job failed reads failed, with the status's value, not the enum's name."""
    from rq.job import Job, JobStatus

    from server.extensions import redis_store
    from tests.factories import make_training_round

    with app.app_context():
        job = Job.create("server.jobs.run_round", args=(0,), connection=redis_store.client)
        job.save()
        job.set_status(JobStatus.FAILED)
        round_id = make_training_round(status="running", job_id=job.id).id
    view = client.get(f"/api/v1/rounds/{round_id}").get_json()
    assert view["status"] == "failed" and view["error"] == "the job failed"
