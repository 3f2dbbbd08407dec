"""Voucher claims against LiftClaims on py-evm, signed with real eth-account keys."""

from eth_account import Account
from eth_utils import keccak
from web3.logs import DISCARD

from server.rewards.vouchers import Voucher, domain_separator, sign_voucher, voucher_digest

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
TEN = 10 * 10**18


def voucher_for(chain, claimant, amount=TEN, *, nonce=1, round_=1, ttl=3600):
    """A voucher for ``claimant`` valid for ``ttl`` seconds from the latest block."""
    return Voucher(claimant, amount, round_, nonce, chain.now() + ttl)


def claim_call(chain, voucher, signature):
    """The contract call that redeems ``voucher``."""
    return chain.claims.functions.claimWithVoucher(
        voucher.claimant,
        voucher.cumulative_amount,
        voucher.round,
        voucher.nonce,
        voucher.deadline,
        signature,
    )


def redeem(chain, voucher, key=None, sender=None):
    """Sign with ``key`` (the service signer by default) and submit from ``sender``."""
    signed = sign_voucher(key or chain.signer, chain.domain, voucher)
    return chain.send(claim_call(chain, voucher, signed["signature"]), sender or voucher.claimant)


def events(chain, name, receipt):
    """Decoded ``name`` events of LiftClaims in ``receipt`` (the token's logs are skipped)."""
    return [e["args"] for e in chain.claims.events[name]().process_receipt(receipt, DISCARD)]


def test_domain_and_digest_match_eth_account(chain):
    voucher = voucher_for(chain, chain.alice)
    assert chain.claims.functions.domainSeparator().call() == domain_separator(chain.domain)
    on_chain = chain.claims.functions.voucherDigest(*voucher.message().values()).call()
    assert on_chain == voucher_digest(chain.domain, voucher)


def test_voucher_claim_pays_token_and_emits_events(chain):
    voucher = voucher_for(chain, chain.alice, nonce=7)
    receipt = redeem(chain, voucher)
    assert chain.token.functions.balanceOf(chain.alice).call() == TEN
    assert chain.claims.functions.claimed(chain.alice).call() == TEN
    assert chain.claims.functions.nonceUsed(chain.alice, 7).call()
    assert events(chain, "Claimed", receipt) == [
        {
            "claimant": chain.alice,
            "round": 1,
            "amount": TEN,
            "cumulativeAmount": TEN,
        }
    ]
    assert events(chain, "VoucherRedeemed", receipt) == [{"claimant": chain.alice, "nonce": 7}]
    assert receipt["gasUsed"] < 120_000


def test_double_claim_reverts_already_claimed(chain, reverts):
    voucher = voucher_for(chain, chain.alice)
    redeem(chain, voucher)
    with reverts("AlreadyClaimed()"):
        redeem(chain, voucher)
    assert chain.token.functions.balanceOf(chain.alice).call() == TEN


def test_someone_else_submitting_reverts_not_claimant(chain, reverts):
    with reverts("NotClaimant()"):
        redeem(chain, voucher_for(chain, chain.alice), sender=chain.bob)
    assert chain.token.functions.balanceOf(chain.bob).call() == 0


def test_voucher_from_wrong_key_reverts(chain, reverts):
    impostor = Account.from_key(keccak(text="not the service"))
    with reverts("BadSignature()"):
        redeem(chain, voucher_for(chain, chain.alice), key=impostor)


def test_raised_amount_breaks_signature(chain, reverts):
    voucher = voucher_for(chain, chain.alice)
    signature = sign_voucher(chain.signer, chain.domain, voucher)["signature"]
    inflated = Voucher(chain.alice, 2 * TEN, voucher.round, voucher.nonce, voucher.deadline)
    with reverts("BadSignature()"):
        chain.send(claim_call(chain, inflated, signature), chain.alice)


def test_malleated_high_s_signature_reverts(chain, reverts):
    voucher = voucher_for(chain, chain.alice)
    signed = sign_voucher(chain.signer, chain.domain, voucher)
    # (r, n - s, flipped v) recovers the same key with raw ecrecover; the contract refuses it.
    high_s = SECP256K1_N - int(signed["s"], 16)
    twin = bytes.fromhex(signed["r"][2:]) + high_s.to_bytes(32, "big") + bytes([55 - signed["v"]])
    with reverts("BadSignature()"):
        chain.send(claim_call(chain, voucher, twin), chain.alice)


def test_bad_v_and_short_signature_revert(chain, reverts):
    voucher = voucher_for(chain, chain.alice)
    good = bytes.fromhex(sign_voucher(chain.signer, chain.domain, voucher)["signature"][2:])
    for signature in (good[:64] + bytes([good[64] - 27]), good[:64] + b"\x1d", good[:64]):
        with reverts("BadSignature()"):
            chain.send(claim_call(chain, voucher, signature), chain.alice)


def test_expired_voucher_reverts(chain, reverts):
    with reverts("Expired()"):
        redeem(chain, voucher_for(chain, chain.alice, ttl=-1))


def test_cumulative_top_up_pays_only_the_difference(chain, reverts):
    redeem(chain, voucher_for(chain, chain.alice, TEN, nonce=1, round_=1))
    receipt = redeem(chain, voucher_for(chain, chain.alice, 25 * 10**18, nonce=2, round_=2))
    (claimed,) = events(chain, "Claimed", receipt)
    assert claimed["amount"] == 15 * 10**18
    assert chain.token.functions.balanceOf(chain.alice).call() == 25 * 10**18
    with reverts("AlreadyClaimed()"):  # an older, smaller voucher is worth nothing now
        redeem(chain, voucher_for(chain, chain.alice, 20 * 10**18, nonce=3, round_=1))


def test_reused_nonce_reverts(chain, reverts):
    redeem(chain, voucher_for(chain, chain.alice, TEN, nonce=4))
    with reverts("NonceUsed()"):
        redeem(chain, voucher_for(chain, chain.alice, 2 * TEN, nonce=4))


def test_rotating_signer_voids_old_key(chain, reverts):
    successor = Account.from_key(keccak(text="next signer"))
    with reverts("NotOwner()"):
        chain.send(chain.claims.functions.setSigner(successor.address), chain.alice)
    chain.send(chain.claims.functions.setSigner(successor.address), chain.owner)
    with reverts("BadSignature()"):
        redeem(chain, voucher_for(chain, chain.alice))
    redeem(chain, voucher_for(chain, chain.alice), key=successor)
    assert chain.token.functions.balanceOf(chain.alice).call() == TEN


def test_underfunded_pool_reverts_whole_claim(chain, reverts):
    pool = chain.token.functions.balanceOf(chain.claims.address).call()
    with reverts("TransferFailed()"):
        redeem(chain, voucher_for(chain, chain.alice, pool + 1))
    assert chain.claims.functions.claimed(chain.alice).call() == 0
