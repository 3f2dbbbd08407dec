"""Merkle tree over a snapshot's item hashes (SHA-256, domain-separated, order kept).

``leaf = sha256(0x00 || item_hash)``, ``node = sha256(0x01 || left || right)``; items keep
their snapshot order, and a level's odd last node moves up unchanged. A level is held as
one ``bytes`` object (32 bytes a node), so a million items cost about 64 MB at most.
A proof is the list of siblings from the leaf up, each tagged with its side.
"""

import hashlib

EMPTY_ROOT = hashlib.sha256(b"").hexdigest()


def leaf_hash(item_hash: str) -> bytes:
    """The leaf of an item (its 64-hex item hash)."""
    return hashlib.sha256(b"\x00" + bytes.fromhex(item_hash)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    """An inner node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _next_level(level: bytes) -> bytes:
    """Hash adjacent pairs; an odd last node is carried up."""
    out = bytearray()
    n = len(level) // 32
    for i in range(0, n - 1, 2):
        out += _node(level[32 * i : 32 * i + 32], level[32 * i + 32 : 32 * i + 64])
    if n % 2:
        out += level[32 * (n - 1) :]
    return bytes(out)


def _leaves(item_hashes) -> bytes:
    """All leaves as one bytes object."""
    return b"".join(leaf_hash(h) for h in item_hashes)


def root(item_hashes) -> str:
    """The root (hex) over item hashes in order; the hash of nothing for an empty list."""
    level = _leaves(item_hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 32:
        level = _next_level(level)
    return level.hex()


def proof(item_hashes, index: int) -> list[dict]:
    """Siblings of leaf ``index`` from the bottom up: ``[{"side": "left"|"right", "hash"}]``."""
    level = _leaves(item_hashes)
    steps = []
    while len(level) > 32:
        n = len(level) // 32
        sibling = index ^ 1
        if sibling < n:
            side = "left" if sibling < index else "right"
            steps.append({"side": side, "hash": level[32 * sibling : 32 * sibling + 32].hex()})
        level, index = _next_level(level), index // 2
    return steps


def verify(item_hash: str, steps: list[dict], expected_root: str) -> bool:
    """Whether ``steps`` lead from ``item_hash`` to ``expected_root``."""
    node = leaf_hash(item_hash)
    for step in steps:
        other = bytes.fromhex(step["hash"])
        node = _node(other, node) if step["side"] == "left" else _node(node, other)
    return node.hex() == expected_root
