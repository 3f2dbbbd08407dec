"""Near-duplicate free text across accounts: MinHash signatures and LSH buckets in the database.

A text's MinHash (datasketch, 64 permutations over word 3-gram shingles) is cut into 16
bands of 4 rows; texts sharing any band are candidates, and a candidate whose estimated
Jaccard similarity reaches ``CLUSTER_THRESHOLD`` (0.8 by default) shares its cluster. The
buckets live in SQL, not Redis, so clustering survives restarts and works with Redis down.
"""

import hashlib
import re
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from server.extensions import db
from server.feedback.models import TextBucket, TextCluster, TextSignature

NUM_PERM, BANDS, ROWS = 64, 16, 4
SEED = 20261121
SCHEME = "affine32"  # pinned: signatures stored in the database must stay comparable
MIN_WORDS = 5  # shorter texts ("wrong", "thanks") are too common to mean copying


def normalise(text: str) -> list[str]:
    """Lower-cased word tokens, punctuation dropped."""
    return re.findall(r"\w+", text.lower())


@lru_cache(maxsize=1)
def _permutations():
    """The MinHash permutations, generated once per process."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature(text: str) -> np.ndarray | None:
    """The MinHash hash values of a text, or None when it is too short to cluster."""
    words = normalise(text)
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)}
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
    minhash.update_batch(list(shingles))
    return minhash.hashvalues.astype(np.uint64)


def bucket_keys(values: np.ndarray) -> list[str]:
    """One bucket key per band: band number plus a digest of the band's values."""
    return [
        f"{band}:"
        + hashlib.blake2b(
            values[band * ROWS : (band + 1) * ROWS].tobytes(), digest_size=16
        ).hexdigest()
        for band in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return float(np.mean(a == b))


def _candidates(keys: set[str]) -> list[tuple[int, int, np.ndarray]]:
    """Stored signatures sharing a bucket with any key: (signature id, cluster id, values)."""
    if not keys:
        return []
    rows = db.session.execute(
        db.select(TextSignature.id, TextSignature.cluster_id, TextSignature.minhash)
        .join(TextBucket, TextBucket.signature_id == TextSignature.id)
        .where(TextBucket.bucket.in_(keys))
        .distinct()
    ).all()
    return [(r[0], r[1], np.frombuffer(r[2], dtype=np.uint64)) for r in rows]


def assign_clusters(texts: dict[int, str], threshold: float) -> dict[int, int]:
    """Give each feedback id's text a cluster (joining a near-duplicate's); return id → cluster."""
    sigs = {fid: sig for fid, text in texts.items() if (sig := signature(text)) is not None}
    keys = {fid: bucket_keys(sig) for fid, sig in sigs.items()}
    known = _candidates({k for ks in keys.values() for k in ks})
    index: dict[str, list[int]] = {}
    for pos, (_, _, values) in enumerate(known):
        for key in bucket_keys(values):
            index.setdefault(key, []).append(pos)
    assigned: dict[int, int] = {}
    for fid, sig in sigs.items():
        cluster_id = _best_match(sig, keys[fid], index, known, threshold)
        if cluster_id is None:
            cluster = TextCluster()
            db.session.add(cluster)
            db.session.flush()
            cluster_id = cluster.id
        assigned[fid] = cluster_id
        known.append((fid, cluster_id, sig))
        for key in keys[fid]:
            index.setdefault(key, []).append(len(known) - 1)
    _store(sigs, keys, assigned)
    return assigned


def _best_match(sig, keys, index, known, threshold) -> int | None:
    """The cluster of the most similar candidate at or above the threshold."""
    best, best_sim = None, threshold
    for pos in {p for key in keys for p in index.get(key, [])}:
        sim = similarity(sig, known[pos][2])
        if sim >= best_sim:
            best, best_sim = known[pos][1], sim
    return best


def _store(sigs: dict, keys: dict, assigned: dict) -> None:
    """Persist signatures and their buckets."""
    if not sigs:
        return
    rows = [
        {"feedback_id": fid, "cluster_id": assigned[fid], "minhash": sig.tobytes()}
        for fid, sig in sigs.items()
    ]
    ids = db.session.execute(
        db.insert(TextSignature).returning(TextSignature.id, TextSignature.feedback_id), rows
    ).all()
    buckets = [{"bucket": key, "signature_id": sid} for sid, fid in ids for key in set(keys[fid])]
    db.session.execute(db.insert(TextBucket), buckets)


def forget(feedback_id: int) -> None:
    """Drop a feedback's signature (its text changed or was withdrawn)."""
    sig_id = db.session.execute(
        db.select(TextSignature.id).filter_by(feedback_id=feedback_id)
    ).scalar_one_or_none()
    if sig_id is not None:
        db.session.execute(db.delete(TextBucket).where(TextBucket.signature_id == sig_id))
        db.session.execute(db.delete(TextSignature).where(TextSignature.id == sig_id))
