"""Value a trained round: features of the trained backbone → refit head → lift per
preference and author → stored values and reliabilities (uncommitted: the round job
commits them with the round's metrics, then credits the ledger)."""

from pathlib import Path

import numpy as np

from server.auth.models import User
from server.errors import Conflict
from server.extensions import db
from server.rounds.models import AuthorValue, PreferenceValue, TrainingRound


def _features(scorer, model_dir: Path, pairs: list, max_length: int) -> np.ndarray:
    """φ(chosen) − φ(rejected) under the trained backbone, one row per pair."""
    from reward_model.features import cached_pair_features

    chosen, rejected = cached_pair_features(
        scorer.model,
        scorer.tokenizer,
        pairs,
        cache_dir=model_dir / "features",
        max_length=max_length,
    )
    return chosen - rejected


def value_trained_round(
    round_: TrainingRound, train: list, heldout: list, model_dir: Path, progress
) -> dict:
    """Lift for every training preference and author (stored, not committed); returns the
    metrics to keep and each author's payout weight."""
    from reward_model.head import choose_head, write_score_layer
    from reward_model.score import load_scorer
    from reward_model.valuation.round import value_round as value

    max_length = int(round_.config.get("max_length", 256))
    scorer = load_scorer(model_dir)
    X = _features(scorer, model_dir, train, max_length)
    X_val = _features(scorer, model_dir, heldout, max_length)
    progress({"phase": "value", "pairs": len(train)})
    previous = dict(
        db.session.execute(
            db.select(User.id, User.reliability).where(User.reliability.is_not(None))
        ).all()
    )
    values = value(
        train,
        X,
        X_val,
        previous=previous,
        seed=round_.seed,
        n_groups=int(round_.config.get("calibration_groups", 20)),
    )
    served, refit_acc, trl_acc = choose_head(scorer.model, values.head, X_val)
    if served == "refit":
        write_score_layer(scorer.model, values.head.w)
        scorer.model.save_pretrained(model_dir)
    _store(round_, values)
    return {
        "weights": {a: float(w) for a, w in values.payout.items()},
        "metrics": {
            "served_head": served,
            "refit_heldout_accuracy": refit_acc,
            "trl_heldout_accuracy": trl_acc,
            "calibration_spearman": _finite(values.calibration_spearman),
        },
        "calibration": {
            "spearman": _finite(values.calibration_spearman),
            "table": values.calibration,
        },
    }


def calibrate(round_: TrainingRound, groups: int) -> tuple[float | None, list[dict]]:
    """Exact leave-author-out retraining of the head on `groups` authors vs predicted lift."""
    from reward_model.score import load_scorer
    from reward_model.valuation.round import value_round as value
    from server.rounds.preferences import load_pairs

    if round_.status != "finished" or not round_.artifact_path:
        raise Conflict(f"Round {round_.id} is {round_.status}; calibrate a finished round.")
    model_dir = Path(round_.artifact_path)
    max_length = int(round_.config.get("max_length", 256))
    scorer = load_scorer(model_dir)
    train = load_pairs(round_.train_ids)
    X = _features(scorer, model_dir, train, max_length)
    X_val = _features(scorer, model_dir, load_pairs(round_.heldout_ids), max_length)
    values = value(train, X, X_val, n_groups=groups, seed=round_.seed)
    return _finite(values.calibration_spearman), values.calibration


def _finite(x: float) -> float | None:
    """JSON-safe float (NaN becomes None)."""
    return None if x is None or not np.isfinite(x) else float(x)


def _store(round_: TrainingRound, values) -> None:
    """Write per-preference and per-author values, reliabilities and credits."""
    db.session.execute(db.delete(PreferenceValue).where(PreferenceValue.round_id == round_.id))
    db.session.execute(db.delete(AuthorValue).where(AuthorValue.round_id == round_.id))
    db.session.execute(
        db.insert(PreferenceValue),
        [
            {
                "round_id": round_.id,
                "preference_id": pid,
                "lift": float(lift),
                "cluster_id": str(int(cluster)),
                "weight": max(0.0, float(lift)),
            }
            for pid, lift, cluster in zip(
                round_.train_ids, values.pair_lift, values.cluster, strict=True
            )
        ],
    )
    authors = list(values.author_lift)
    if authors:
        db.session.execute(
            db.insert(AuthorValue),
            [
                {
                    "round_id": round_.id,
                    "user_id": a,
                    "lift": values.author_lift[a],
                    "reliability": float(values.reliability[a]),
                    "weight": float(values.payout[a]),
                    "preferences": int(values.evidence[a].n_pairs),
                }
                for a in authors
            ],
        )
        for a in authors:
            db.session.execute(
                db.update(User).where(User.id == a).values(reliability=float(values.reliability[a]))
            )
