"""Import, version and read yardsticks. Their pairs leave the database only for the round job:
no route returns them, no export reads them, and no snapshot trains on them."""

from pathlib import Path

from reward_model.data import Pair, build_pairs
from reward_model.sources import default_yardstick_records, records_to_rows
from reward_model.yardstick import (
    YardstickError,
    content_hash,
    guarded_keys,
    read_rows,
    validate,
)
from server.errors import NotFound, Unprocessable
from server.extensions import db
from server.gold.pools import gold_overlap, gold_pairs
from server.labs.models import Lab
from server.yardsticks.models import Yardstick, YardstickLift, YardstickPair

DEFAULT_NAME = "default"
CHUNK = 1000


def _latest(name: str) -> Yardstick | None:
    """The newest version of a named yardstick."""
    return db.session.execute(
        db.select(Yardstick)
        .where(Yardstick.name == name)
        .order_by(Yardstick.version.desc())
        .limit(1)
    ).scalar_one_or_none()


def store(
    name: str,
    pairs: list[Pair],
    source: str | None = None,
    lab_id: int | None = None,
    user_id: int | None = None,
) -> tuple[Yardstick, bool]:
    """(yardstick, created): a new version of `name`, or the newest one when its content is
    the same. A name belongs to one owner (the admins or one lab)."""
    if lab_id is not None and db.session.get(Lab, lab_id) is None:
        raise NotFound(f"No lab {lab_id}.")
    digest = content_hash(pairs)
    latest = _latest(name)
    if latest is not None and latest.lab_id != lab_id:
        raise Unprocessable(f"Yardstick {name!r} belongs to another owner; choose another name.")
    if latest is not None and latest.content_hash == digest:
        return latest, False
    if clash := gold_overlap(pairs):
        raise Unprocessable(
            f"{clash} of these judgements are gold items; a yardstick must be disjoint from "
            "the gold pool. Remove them and import again."
        )
    yardstick = Yardstick(
        name=name,
        version=(latest.version + 1) if latest else 1,
        lab_id=lab_id,
        content_hash=digest,
        n_pairs=len(pairs),
        source=source,
        created_by=user_id,
    )
    db.session.add(yardstick)
    db.session.flush()
    for start in range(0, len(pairs), CHUNK):
        db.session.execute(
            db.insert(YardstickPair),
            [
                {"yardstick_id": yardstick.id, "key": p.key, "prompt": p.prompt,
                 "chosen": p.chosen, "rejected": p.rejected}
                for p in pairs[start : start + CHUNK]
            ],
        )  # fmt: skip
    db.session.commit()
    return yardstick, True


def import_rows(rows: list[dict], name: str, **owner) -> tuple[Yardstick, bool]:
    """Validate prompt/chosen/rejected rows and store them (422 naming the first bad row)."""
    try:
        pairs = validate(rows)
    except YardstickError as exc:
        raise Unprocessable(f"Bad yardstick: {exc}") from None
    return store(name, pairs, **owner)


def import_file(path: str | Path, name: str, **owner) -> tuple[Yardstick, bool]:
    """Read a JSONL or Parquet file of prompt/chosen/rejected and store it."""
    try:
        rows = read_rows(path)
    except YardstickError as exc:
        raise Unprocessable(f"Bad yardstick file: {exc}") from None
    return import_rows(rows, name, source=Path(path).name, **owner)


def ensure_default() -> tuple[Yardstick, bool]:
    """The admins' default yardstick from data/ (see data/README.md), imported once."""
    existing = _latest(DEFAULT_NAME)
    if existing is not None:
        return existing, False
    pairs = build_pairs(records_to_rows(default_yardstick_records()))
    rows = [{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected} for p in pairs]
    return import_rows(rows, DEFAULT_NAME, source="data/ (default split)")


def list_yardsticks() -> list[Yardstick]:
    """Every yardstick version, newest first (metadata only)."""
    return list(db.session.scalars(db.select(Yardstick).order_by(Yardstick.id.desc())))


def get_yardstick(yardstick_id: int) -> Yardstick:
    """A yardstick's metadata; 404 if unknown."""
    yardstick = db.session.get(Yardstick, yardstick_id)
    if yardstick is None:
        raise NotFound(f"No yardstick {yardstick_id}.")
    return yardstick


def round_yardstick(yardstick_id: int | None) -> Yardstick:
    """The yardstick a new round is valued on: the one named, or the admins' newest."""
    if yardstick_id is not None:
        yardstick = get_yardstick(yardstick_id)
        if yardstick.lab_id is not None:
            raise Unprocessable("A lab's yardstick splits its royalties; it cannot value a round.")
        return yardstick
    newest = db.session.execute(
        db.select(Yardstick).where(Yardstick.lab_id.is_(None)).order_by(Yardstick.id.desc())
    ).scalar()
    if newest is None:
        raise Unprocessable("No yardstick: import one with `flask yardstick import FILE`.")
    return newest


def lab_yardsticks() -> list[Yardstick]:
    """The newest version of every lab's yardsticks."""
    rows = db.session.scalars(
        db.select(Yardstick).where(Yardstick.lab_id.is_not(None)).order_by(Yardstick.version)
    )
    return list({(y.lab_id, y.name): y for y in rows}.values())


def load_pairs(yardstick_id: int) -> list[Pair]:
    """A yardstick's pairs (for the round job only)."""
    rows = db.session.execute(
        db.select(YardstickPair).where(YardstickPair.yardstick_id == yardstick_id)
        .order_by(YardstickPair.id)
    ).scalars()  # fmt: skip
    return [Pair(r.prompt, r.chosen, r.rejected, source="yardstick", key=r.key) for r in rows]


def reserved_keys() -> set[str]:
    """Content keys no training snapshot or dataset may hold: every yardstick judgement (of
    every version and owner) and every gold item, each also reversed."""
    rows = db.session.execute(
        db.select(YardstickPair.prompt, YardstickPair.chosen, YardstickPair.rejected)
    )
    yardstick = [Pair(p, c, r, source="yardstick") for p, c, r in rows]
    return guarded_keys([*yardstick, *gold_pairs()])


def lab_lifts(lab_id: int, round_id: int) -> dict[int, float]:
    """{author: lift} of a round measured on the lab's yardsticks (summed over them): what
    splits the lab's royalties by lift on its own reference judgements."""
    rows = db.session.execute(
        db.select(YardstickLift.user_id, db.func.sum(YardstickLift.lift))
        .join(Yardstick, Yardstick.id == YardstickLift.yardstick_id)
        .where(Yardstick.lab_id == lab_id, YardstickLift.round_id == round_id)
        .group_by(YardstickLift.user_id)
    ).all()
    return {uid: float(lift) for uid, lift in rows}
