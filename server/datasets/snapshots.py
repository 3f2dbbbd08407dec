"""Snapshots: pick live preferences by filters and freeze them, scrubbed, with a Merkle root.

Preferences are rebuilt from live feedback first, so withdrawn and no-training feedback never
enters a new snapshot, and every pair is checked once more against its live feedback rows.
"""

import secrets
from collections import Counter
from datetime import datetime

from flask import current_app
from sqlalchemy.exc import IntegrityError

from reward_model.data import Pair, pair_key
from server.auth.models import User
from server.datasets import item_merkle
from server.datasets.card import render_card
from server.datasets.export import pseudonym, record
from server.datasets.models import Dataset, DatasetItem
from server.datasets.scrub import scrub
from server.errors import Conflict, Unprocessable
from server.extensions import db
from server.feedback.models import Feedback
from server.rounds import preferences
from server.yardsticks.services import reserved_keys

NEUTRAL_RELIABILITY = 0.5  # an author no round has measured yet
INSERT_CHUNK = 2000


def _live_feedback(ids: set[int]) -> dict[int, Feedback]:
    """Feedback rows by id, only those live (not withdrawn, not superseded, not no-training)."""
    rows: dict[int, Feedback] = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 1000):
        query = db.select(Feedback).where(
            Feedback.id.in_(ordered[start : start + 1000]),
            Feedback.withdrawn_at.is_(None),
            Feedback.superseded_at.is_(None),
            Feedback.licence != "no-training",
        )
        rows.update((f.id, f) for f in db.session.scalars(query))
    return rows


def _reliabilities(user_ids: set[int]) -> dict[int, float]:
    """Each author's reliability (neutral when not yet measured)."""
    rows = db.session.execute(db.select(User.id, User.reliability).where(User.id.in_(user_ids)))
    return {uid: NEUTRAL_RELIABILITY if r is None else r for uid, r in rows}


def _in_range(times: list[datetime], filters: dict) -> bool:
    """The pair's first feedback falls in [created_from, created_to)."""
    first = min(times)
    start, end = filters.get("created_from"), filters.get("created_to")
    return (start is None or first >= start) and (end is None or first < end)


def _matches(pair: Pair, rows: list[Feedback], reliability: dict[int, float], f: dict) -> bool:
    """Whether a pair, backed by these live feedback rows, passes every filter."""
    if len(rows) != len(pair.feedback_ids) or not rows:
        return False  # some feedback behind it is gone, withdrawn or no-training
    tags = {t for r in rows for t in (r.tags or [])}
    checks = (
        not f.get("sites") or pair.site in f["sites"],
        not f.get("kinds") or pair.source in f["kinds"],
        not f.get("tags") or bool(tags & set(f["tags"])),
        not f.get("licences") or pair.licence in f["licences"],
        pair.margin >= f.get("min_margin", 0.0),
        all(reliability[a] >= f.get("min_reliability", 0.0) for a in pair.author_ids),
        not set(pair.cluster_ids) & set(f.get("exclude_clusters") or ()),
        _in_range([r.created_at for r in rows], f),
    )
    return all(checks)


def select_pairs(filters: dict) -> list[tuple[int, Pair, list[Feedback]]]:
    """Live preferences passing the filters, by preference id, with their feedback rows."""
    reserved = reserved_keys()  # a yardstick judgement never leaves in a dataset
    built = [(pid, pair) for pid, pair in preferences.rebuild() if pair.key not in reserved]
    feedback = _live_feedback({i for _, p in built for i in p.feedback_ids})
    reliability = _reliabilities({a for _, p in built for a in p.author_ids})
    chosen = []
    for pid, pair in sorted(built, key=lambda item: item[0]):
        rows = [feedback[i] for i in pair.feedback_ids if i in feedback]
        if _matches(pair, rows, reliability, filters):
            chosen.append((pid, pair, rows))
    return chosen


def _item(pid: int, pair: Pair, rows: list[Feedback], names: dict[int, str]) -> dict:
    """A frozen item: its hash, authors and export record (scrubbed, pseudonymised)."""
    prompt, chosen, rejected = scrub(pair.prompt), scrub(pair.chosen), scrub(pair.rejected)
    corrections = [r.corrected_text for r in rows if r.kind == "correction" and r.corrected_text]
    item_hash = pair_key(prompt, chosen, rejected)
    contributors = [names[a] for a in pair.author_ids]
    fields = {
        "prompt": prompt,
        "chosen": chosen,
        "rejected": rejected,
        "margin": float(pair.margin),
        "source": pair.source,
        "site": pair.site,
        "licence": pair.licence,
        "pair_id": pid,
        "item_hash": item_hash,
        "contributor": contributors[0] if contributors else None,
        "contributors": contributors,
        "tags": sorted({t for r in rows for t in (r.tags or [])}),
        "spans": [dict(s) for r in rows for s in (r.spans or [])],
        "correction": scrub(corrections[0]) if corrections else None,
    }
    return {
        "preference_id": pid,
        "item_hash": item_hash,
        "author_ids": list(pair.author_ids),
        "record": record(fields),
        "fields": fields,
    }


def _pseudonyms(salt: str, author_ids: set[int]) -> dict[int, str]:
    """Each author's pseudonym in this dataset."""
    rows = db.session.execute(db.select(User.id, User.address).where(User.id.in_(author_ids)))
    return {uid: pseudonym(salt, address) for uid, address in rows}


def _insert(dataset_id: int, items: list[dict]) -> None:
    """Store the items in order, in chunks."""
    for start in range(0, len(items), INSERT_CHUNK):
        chunk = items[start : start + INSERT_CHUNK]
        rows = [
            {"dataset_id": dataset_id, "position": start + i,
             **{k: v for k, v in item.items() if k != "fields"}}
            for i, item in enumerate(chunk)
        ]  # fmt: skip
        db.session.execute(db.insert(DatasetItem), rows)


def _jsonable(filters: dict) -> dict:
    """Filters as stored: datetimes in ISO 8601."""
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in filters.items()}


def _next_version(lab_id: int, name: str) -> int:
    """One more than the latest version of this name in this lab."""
    latest = db.session.scalar(
        db.select(db.func.max(Dataset.version)).filter_by(lab_id=lab_id, name=name)
    )
    return (latest or 0) + 1


def list_price(rows: int) -> int:
    """A new snapshot's price: rows times the admins' per-item price, within the cap."""
    config = current_app.config
    return min(rows * config["DATASET_PRICE_PER_ITEM"], config["DATASET_PRICE_CAP"])


def create_snapshot(lab_id: int, key_id: int | None, name: str, filters: dict) -> Dataset:
    """Freeze the preferences matching ``filters`` as the lab's next version of ``name``,
    priced by ``list_price`` (only admins change a price, see ``services.set_price``)."""
    selected = select_pairs(filters)
    if not selected:
        db.session.rollback()
        raise Unprocessable(
            "No preferences match these filters; loosen them.",
            {"filters": ["no live preference matches"]},
        )
    dataset = Dataset(
        name=name,
        version=_next_version(lab_id, name),
        lab_id=lab_id,
        key_id=key_id,
        filters=_jsonable(filters),
        row_count=len(selected),
        pseudonym_salt=secrets.token_hex(32),
        price=list_price(len(selected)),
        merkle_root="",
    )
    db.session.add(dataset)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(f"Version {dataset.version} of {name!r} was just taken; retry.") from error
    names = _pseudonyms(dataset.pseudonym_salt, {a for _, p, _ in selected for a in p.author_ids})
    items = [_item(pid, pair, rows, names) for pid, pair, rows in selected]
    _insert(dataset.id, items)
    dataset.merkle_root = item_merkle.root(item["item_hash"] for item in items)
    fields = [item["fields"] for item in items]
    dataset.counts = {
        "source": dict(Counter(f["source"] for f in fields)),
        "site": dict(Counter(f["site"] for f in fields)),
        "contributors": len(names),
    }
    dataset.licences = dict(Counter(f["licence"] for f in fields))
    dataset.card = render_card(dataset)
    db.session.commit()
    return dataset
