"""server.rewards.balance_merkle against OpenZeppelin's StandardMerkleTree, by recorded vectors."""

import pytest
from eth_abi import encode
from eth_utils import keccak

from server.rewards.balance_merkle import MerkleTree, hash_pair, leaf, process_proof, verify

# Values and results recorded from @openzeppelin/merkle-tree 1.0.8:
# StandardMerkleTree.of(VALUES.slice(0, n), ["address", "uint256"]).root / .getProof(i)
VALUES = [
    ("0x1111111111111111111111111111111111111111", 5 * 10**18),
    ("0x2222222222222222222222222222222222222222", 25 * 10**17),
    ("0x3333333333333333333333333333333333333333", 1),
    ("0x4444444444444444444444444444444444444444", 0),
    ("0x5555555555555555555555555555555555555555", 2**256 - 1),
]
OZ_ROOTS = {
    1: "eb02c421cfa48976e66dfb29120745909ea3a0f843456c263cf8f1253483e283",
    2: "d4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77",
    3: "d673f832e8ae578ea16450035956e30f27212b91d6cd26edbef07c90546302ff",
    5: "c77e31eb7c9b337f6acd297673f6dd12d36d1bdb56f0a417741e115d53f00d3c",
}
H1 = "8d00bd8d33bd92e6ade0ba2d87958d59727515200df528502b93c99dd3fa0256"
H2 = "6ef80964aaac49b4a3b3cfb5f32aa027be994713e6572e02d57cad8a12080997"
H3 = "eb02c421cfa48976e66dfb29120745909ea3a0f843456c263cf8f1253483e283"
OZ_PROOFS_OF_5 = {
    "0x1111111111111111111111111111111111111111": [
        "33671dce63d1430c64b1c686c8920eeb94269deb262a49bffe963e1ae185733b",
        H1,
    ],
    "0x2222222222222222222222222222222222222222": [
        "c3d2e29c8ded2ca4aa700f83273d097a3fb1683f4b5f291a8ee7d74ff26fc6b3",
        H2,
    ],
    "0x3333333333333333333333333333333333333333": [
        "b92c48e9d7abe27fd8dfd6b5dfdbfb1c9a463f80c712b66f3a5180a090cccafc",
        H2,
    ],
    "0x4444444444444444444444444444444444444444": [
        "616b349d468278d5d09b105ab6444f278f51226ef4a2dfc9d45da5f6fb7305e3",
        H3,
        H1,
    ],
    "0x5555555555555555555555555555555555555555": [
        "6b66955d20be1d7a26a7700e4e38f64c33d50c2bbf2fd066d72bc6e36554a695",
        H3,
        H1,
    ],
}


def test_leaf_is_double_hashed_abi_encoding():
    address, amount = VALUES[0]
    single = keccak(encode(["address", "uint256"], [address, amount]))
    assert leaf(address, amount) == keccak(single)
    assert leaf(address, amount) != single
    assert leaf(address.upper().replace("0X", "0x"), amount) == leaf(address, amount)


@pytest.mark.parametrize("count", sorted(OZ_ROOTS))
def test_root_matches_openzeppelin(count):
    tree = MerkleTree.from_balances(dict(VALUES[:count]))
    assert tree.root.hex() == OZ_ROOTS[count]


def test_proofs_match_openzeppelin_and_verify():
    tree = MerkleTree.from_balances(dict(VALUES))
    for address, amount in VALUES:
        node = leaf(address, amount)
        proof = tree.proof(node)
        assert [p.hex() for p in proof] == OZ_PROOFS_OF_5[address]
        assert tree.proof_for(address.lower(), amount) == proof
        assert verify(proof, tree.root, node)
        assert not verify(proof, tree.root, leaf(address, amount ^ 1))
        assert not verify(proof[:-1], tree.root, node)


def test_leaf_order_does_not_change_the_tree():
    forward = MerkleTree(leaf(a, n) for a, n in VALUES)
    backward = MerkleTree(leaf(a, n) for a, n in reversed(VALUES))
    assert forward.root == backward.root
    assert forward.leaves == sorted(forward.leaves) and len(forward) == 5


def test_pair_hash_is_commutative_and_proof_walks_it():
    a, b = keccak(b"a"), keccak(b"b")
    assert hash_pair(a, b) == hash_pair(b, a) == keccak(min(a, b) + max(a, b))
    assert process_proof([b], a) == hash_pair(a, b)
    assert process_proof([], a) == a


def test_unknown_leaf_has_no_proof():
    tree = MerkleTree.from_balances(dict(VALUES[:3]))
    assert leaf(*VALUES[3]) not in tree
    with pytest.raises(KeyError, match="not in this tree"):
        tree.proof(leaf(*VALUES[3]))


@pytest.mark.parametrize(
    ("address", "amount", "message"),
    [
        ("0x12", 1, "not an address"),
        (None, 1, "not an address"),
        ("11" * 20, 1, "not an address"),
        ("0x" + "g1" * 20, 1, "not an address"),
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed".replace("A", "a", 1), 1, "checksum"),
        (VALUES[0][0], -1, "amount"),
        (VALUES[0][0], 2**256, "amount"),
        (VALUES[0][0], 1.5, "amount"),
        (VALUES[0][0], True, "amount"),
    ],
)
def test_leaf_rejects_bad_input(address, amount, message):
    with pytest.raises(ValueError, match=message):
        leaf(address, amount)


def test_tree_rejects_empty_duplicate_and_malformed_input():
    with pytest.raises(ValueError, match="at least one"):
        MerkleTree([])
    with pytest.raises(ValueError, match="duplicate"):
        MerkleTree([leaf(*VALUES[0]), leaf(*VALUES[0])])
    with pytest.raises(ValueError, match="32-byte"):
        MerkleTree([b"short"])
    lower = "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd"
    upper = "0x" + lower[2:].upper()
    with pytest.raises(ValueError, match="twice"):
        MerkleTree.from_balances({lower: 1, upper: 2})
