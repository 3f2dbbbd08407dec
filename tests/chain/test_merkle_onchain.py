"""Merkle roots built by server.rewards.balance_merkle, verified and claimed on LiftClaims."""

import pytest
from eth_utils import keccak, to_checksum_address
from web3.logs import DISCARD

from server.rewards.balance_merkle import MerkleTree, leaf


def balances(count: int) -> dict[str, int]:
    """``count`` distinct addresses with distinct cumulative amounts."""
    return {
        to_checksum_address(keccak(text=f"user {i}")[-20:]): (i + 1) * 10**17 for i in range(count)
    }


def publish(chain, round_: int, tree: MerkleTree) -> None:
    """Publish ``tree``'s root for ``round_`` as the owner."""
    chain.send(chain.claims.functions.publishRoot(round_, tree.root), chain.owner)


def claim(chain, account, round_, amount, proof, sender=None):
    """Submit a Merkle claim from ``sender`` (the account itself by default)."""
    call = chain.claims.functions.claimWithProof(account, round_, amount, proof)
    return chain.send(call, sender or account)


@pytest.mark.parametrize("count", [1, 2, 3, 4, 5, 8, 13])
def test_contract_accepts_every_python_proof(chain, count):
    tree = MerkleTree.from_balances(balances(count))
    verify = chain.claims.functions.verifyProof
    for address, amount in balances(count).items():
        node = leaf(address, amount)
        proof = tree.proof(node)
        assert verify(proof, tree.root, node).call()
        assert not verify(proof, tree.root, leaf(address, amount + 1)).call()
        if proof:
            bent = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
            assert not verify(bent, tree.root, node).call()


def test_merkle_claim_pays_and_double_claim_reverts(chain, reverts):
    book = balances(4) | {chain.alice: 3 * 10**18, chain.bob: 10**18}
    tree = MerkleTree.from_balances(book)
    publish(chain, 1, tree)
    proof = tree.proof(leaf(chain.alice, 3 * 10**18))
    receipt = claim(chain, chain.alice, 1, 3 * 10**18, proof)
    assert chain.token.functions.balanceOf(chain.alice).call() == 3 * 10**18
    (event,) = chain.claims.events.Claimed().process_receipt(receipt, DISCARD)
    assert event["args"]["amount"] == 3 * 10**18
    assert receipt["gasUsed"] < 120_000
    with reverts("AlreadyClaimed()"):
        claim(chain, chain.alice, 1, 3 * 10**18, proof)


def test_wrong_proof_or_amount_reverts_invalid_proof(chain, reverts):
    tree = MerkleTree.from_balances(balances(3) | {chain.alice: 10**18})
    publish(chain, 1, tree)
    proof = tree.proof(leaf(chain.alice, 10**18))
    with reverts("InvalidProof()"):
        claim(chain, chain.alice, 1, 2 * 10**18, proof)
    with reverts("InvalidProof()"):
        claim(chain, chain.alice, 1, 10**18, proof[::-1])
    with reverts("InvalidProof()"):
        claim(chain, chain.alice, 1, 10**18, [])
    assert chain.token.functions.balanceOf(chain.alice).call() == 0


def test_foreign_claimant_and_unknown_round_revert(chain, reverts):
    tree = MerkleTree.from_balances({chain.alice: 10**18, chain.bob: 10**18})
    publish(chain, 1, tree)
    proof = tree.proof(leaf(chain.alice, 10**18))
    with reverts("NotClaimant()"):
        claim(chain, chain.alice, 1, 10**18, proof, sender=chain.bob)
    with reverts("UnknownRoot()"):
        claim(chain, chain.alice, 2, 10**18, proof)


def test_roots_are_owner_only_and_final(chain, reverts):
    tree = MerkleTree.from_balances(balances(2))
    with reverts("OwnableUnauthorizedAccount(address)", chain.alice):
        chain.send(chain.claims.functions.publishRoot(1, tree.root), chain.alice)
    publish(chain, 1, tree)
    with reverts("RootAlreadyPublished()"):
        publish(chain, 1, MerkleTree.from_balances(balances(3)))
    assert chain.claims.functions.roots(1).call() == tree.root


def test_later_root_tops_up_across_claim_paths(chain, reverts):
    publish(chain, 1, MerkleTree.from_balances({chain.alice: 10**18, chain.bob: 1}))
    round2 = MerkleTree.from_balances({chain.alice: 4 * 10**18, chain.bob: 2})
    publish(chain, 2, round2)
    old = MerkleTree.from_balances({chain.alice: 10**18, chain.bob: 1})
    claim(chain, chain.alice, 1, 10**18, old.proof(leaf(chain.alice, 10**18)))
    claim(chain, chain.alice, 2, 4 * 10**18, round2.proof(leaf(chain.alice, 4 * 10**18)))
    assert chain.token.functions.balanceOf(chain.alice).call() == 4 * 10**18
    with reverts("AlreadyClaimed()"):
        claim(chain, chain.alice, 1, 10**18, old.proof(leaf(chain.alice, 10**18)))
