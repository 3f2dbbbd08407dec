"""A round's public allocation file: every leaf of its Merkle tree, so anyone can rebuild
the root, with the ledger head (seq and hash) the tree was built from.

``values`` is what OpenZeppelin's ``StandardMerkleTree.of(values, ["address", "uint256"])``
takes (amounts as decimal strings, as its JSON dump holds them); its ``root`` equals
``root`` here. The ledger hash ties the published root to the hash-chained ledger: anyone
holding a copy of the ledger up to ``ledger_seq`` can recompute both.
"""

from server.errors import NotFound
from server.extensions import db
from server.rewards.models import RoundBalance, RoundRoot

LEAF_ENCODING = ("address", "uint256")


def allocation(round_id: int) -> dict:
    """Round ``round_id``'s root, ledger head and full list of (address, cumulative amount)."""
    root = db.session.get(RoundRoot, round_id)
    if root is None:
        raise NotFound(f"Round {round_id} has no Merkle root (unknown or not credited yet).")
    rows = db.session.execute(
        db.select(RoundBalance.address, RoundBalance.cumulative_amount)
        .where(RoundBalance.round_id == round_id)
        .order_by(RoundBalance.address)
    )
    return {
        "round_id": round_id,
        "root": root.root,
        "leaves": root.leaves,
        "total": root.total,
        "ledger_seq": root.ledger_seq,
        "ledger_hash": root.ledger_hash,
        "leaf_encoding": list(LEAF_ENCODING),
        "values": [[address, str(amount)] for address, amount in rows],
    }
