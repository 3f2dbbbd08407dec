"""Near-duplicate free text across accounts: MinHash signatures and LSH buckets in the database.

A text's MinHash (datasketch, 64 permutations over word 3-gram shingles) is cut into 16
bands of 4 rows. Each cluster keeps its first member's signature as representative and the
representative's band buckets; a new text is compared with the representatives sharing any
of its buckets and joins the most similar one whose estimated Jaccard similarity reaches
``CLUSTER_THRESHOLD`` (0.8 by default), else it founds a cluster. Comparing with one
representative per cluster keeps the work per text bounded however many copies exist.
The buckets live in SQL, not Redis, so clustering survives restarts and Redis outages.
"""

import hashlib
import re
from functools import lru_cache

import numpy as np
from datasketch import MinHash

from server.extensions import db
from server.feedback.models import TextBucket, TextCluster

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


def _representatives(keys: set[str]) -> dict[int, np.ndarray]:
    """Clusters whose representative shares a bucket with any key: id → signature."""
    if not keys:
        return {}
    rows = db.session.execute(
        db.select(TextCluster.id, TextCluster.minhash).where(
            TextCluster.id.in_(db.select(TextBucket.cluster_id).where(TextBucket.bucket.in_(keys)))
        )
    ).all()
    return {cid: np.frombuffer(blob, dtype=np.uint64) for cid, blob in rows}


def _found(sig: np.ndarray, keys: list[str]) -> int:
    """Create a cluster represented by this signature, with its buckets."""
    cluster = TextCluster(minhash=sig.tobytes())
    db.session.add(cluster)
    db.session.flush()
    db.session.execute(
        db.insert(TextBucket), [{"bucket": k, "cluster_id": cluster.id} for k in set(keys)]
    )
    return cluster.id


def assign_clusters(texts: dict[int, str], threshold: float) -> dict[int, int]:
    """Give each keyed text a cluster (joining a near-duplicate's); return key → cluster id."""
    sigs = {fid: sig for fid, text in texts.items() if (sig := signature(text)) is not None}
    keys = {fid: bucket_keys(sig) for fid, sig in sigs.items()}
    known = _representatives({k for ks in keys.values() for k in ks})
    by_bucket: dict[str, set[int]] = {}
    for cid, values in known.items():
        for key in bucket_keys(values):
            by_bucket.setdefault(key, set()).add(cid)
    assigned: dict[int, int] = {}
    for fid, sig in sigs.items():
        candidates = {cid for key in keys[fid] for cid in by_bucket.get(key, ())}
        scored = [(similarity(sig, known[cid]), cid) for cid in candidates]
        best = max(scored, default=(0.0, None))
        if best[1] is not None and best[0] >= threshold:
            assigned[fid] = best[1]
            continue
        assigned[fid] = cid = _found(sig, keys[fid])
        known[cid] = sig
        for key in keys[fid]:
            by_bucket.setdefault(key, set()).add(cid)
    return assigned
