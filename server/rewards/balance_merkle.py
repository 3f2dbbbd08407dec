"""Merkle trees of cumulative balances, compatible with OpenZeppelin.

A leaf is OpenZeppelin StandardMerkleTree's double hash of the ABI-encoded pair,
``keccak256(bytes.concat(keccak256(abi.encode(address, uint256))))``, so a leaf can never
be mistaken for an inner node. Inner nodes hash their two children in sorted order, as
OpenZeppelin's ``MerkleProof`` (and ``LiftClaims.verifyProof``) expects. The tree layout is
StandardMerkleTree's: leaves sorted by hash and stored in a flat array where node ``i`` has
children ``2i + 1`` and ``2i + 2``, so roots and proofs equal what
``StandardMerkleTree.of(values, ["address", "uint256"])`` produces in JavaScript.
"""

import re
from collections.abc import Iterable, Mapping, Sequence

from eth_abi import encode
from eth_utils import (
    is_checksum_address,
    keccak,
    to_canonical_address,
    to_checksum_address,
)

UINT256_MAX = 2**256 - 1
_HEX_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


def to_eip55(address: str) -> str:
    """Return ``address`` in EIP-55 form; mixed case must already carry a valid checksum."""
    if not isinstance(address, str) or not _HEX_ADDRESS.fullmatch(address):
        raise ValueError(f"not an address: {address!r}")
    digits = address[2:]
    if digits != digits.lower() and digits != digits.upper() and not is_checksum_address(address):
        raise ValueError(f"bad EIP-55 checksum in address {address!r}")
    return to_checksum_address(address)


def leaf(address: str, amount: int) -> bytes:
    """Return the 32-byte leaf for ``(address, amount)``; amount is a uint256 in base units."""
    address = to_eip55(address)
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 <= amount <= UINT256_MAX:
        raise ValueError(f"amount must be an int in [0, 2**256), got {amount!r}")
    return keccak(keccak(encode(["address", "uint256"], [to_canonical_address(address), amount])))


def hash_pair(a: bytes, b: bytes) -> bytes:
    """Hash two nodes in sorted order (OpenZeppelin's commutative ``_hashPair``)."""
    return keccak(a + b) if a < b else keccak(b + a)


def process_proof(proof: Sequence[bytes], leaf_hash: bytes) -> bytes:
    """Return the root that ``proof`` leads to from ``leaf_hash``."""
    node = leaf_hash
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node


def verify(proof: Sequence[bytes], root: bytes, leaf_hash: bytes) -> bool:
    """Tell whether ``proof`` shows ``leaf_hash`` is in the tree with ``root``."""
    return process_proof(proof, leaf_hash) == root


class MerkleTree:
    """A StandardMerkleTree over precomputed 32-byte leaves.

    ``MerkleTree.from_balances({address: cumulative_amount})`` is the usual entry point.
    """

    def __init__(self, leaves: Iterable[bytes]) -> None:
        """Build the tree; leaves are sorted, so their order does not matter."""
        ordered = list(leaves)
        for node in ordered:
            if not isinstance(node, bytes) or len(node) != 32:
                raise ValueError(f"leaves must be 32-byte hashes, got {node!r}")
        if not ordered:
            raise ValueError("a Merkle tree needs at least one leaf")
        ordered.sort()
        if len(set(ordered)) != len(ordered):
            raise ValueError("duplicate leaves: each (address, amount) must appear once")
        size = 2 * len(ordered) - 1
        tree: list[bytes] = [b""] * size
        for i, node in enumerate(ordered):
            tree[size - 1 - i] = node
        for i in range(size - 1 - len(ordered), -1, -1):
            tree[i] = hash_pair(tree[2 * i + 1], tree[2 * i + 2])
        self._tree = tree
        self._index = {node: size - 1 - i for i, node in enumerate(ordered)}

    @classmethod
    def from_balances(cls, balances: Mapping[str, int]) -> "MerkleTree":
        """Build the tree of ``{address: cumulative amount}``; one leaf per address."""
        nodes: list[bytes] = []
        seen: set[bytes] = set()
        for address, amount in balances.items():
            nodes.append(leaf(address, amount))
            canonical = to_canonical_address(address)
            if canonical in seen:
                raise ValueError(f"address appears twice (in different case?): {address}")
            seen.add(canonical)
        return cls(nodes)

    @property
    def root(self) -> bytes:
        """The 32-byte root to publish with ``LiftClaims.publishRoot``."""
        return self._tree[0]

    @property
    def leaves(self) -> list[bytes]:
        """The leaves in tree order (sorted by hash)."""
        return [self._tree[len(self._tree) - 1 - i] for i in range(len(self._index))]

    def __len__(self) -> int:
        """Number of leaves."""
        return len(self._index)

    def __contains__(self, leaf_hash: object) -> bool:
        """Tell whether ``leaf_hash`` is one of the leaves."""
        return leaf_hash in self._index

    def proof(self, leaf_hash: bytes) -> list[bytes]:
        """Return the sibling hashes from ``leaf_hash`` up to the root."""
        try:
            index = self._index[leaf_hash]
        except KeyError:
            raise KeyError(f"leaf 0x{leaf_hash.hex()} is not in this tree") from None
        path: list[bytes] = []
        while index > 0:
            path.append(self._tree[index + 1 if index % 2 else index - 1])
            index = (index - 1) // 2
        return path

    def proof_for(self, address: str, amount: int) -> list[bytes]:
        """Return the proof of ``(address, amount)``, as ``claimWithProof`` takes it."""
        return self.proof(leaf(address, amount))
