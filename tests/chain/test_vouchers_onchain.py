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


def test_rotating_signer_waits_out_the_delay_then_voids_old_key(chain, reverts):
    successor = Account.from_key(keccak(text="next signer"))
    claims = chain.claims.functions
    with reverts("OwnableUnauthorizedAccount(address)", chain.alice):
        chain.send(claims.proposeSigner(successor.address), chain.alice)
    with reverts("NoPendingSigner()"):
        chain.send(claims.activateSigner(), chain.owner)
    receipt = chain.send(claims.proposeSigner(successor.address), chain.owner)
    (proposed,) = events(chain, "SignerProposed", receipt)
    delay = claims.SIGNER_DELAY().call()
    assert delay == 2 * 24 * 3600 and proposed["activatesAt"] == chain.now() + delay
    with reverts("SignerNotReady(uint256)", proposed["activatesAt"]):
        chain.send(claims.activateSigner(), chain.owner)
    redeem(chain, voucher_for(chain, chain.alice, ttl=10 * delay))  # the old key still signs
    chain.wait(delay)
    chain.send(claims.activateSigner(), chain.owner)
    assert claims.signer().call() == successor.address
    assert claims.pendingSigner().call() == "0x" + "00" * 20
    with reverts("BadSignature()"):
        redeem(chain, voucher_for(chain, chain.alice, 2 * TEN, nonce=2))
    redeem(chain, voucher_for(chain, chain.alice, 2 * TEN, nonce=2), key=successor)
    assert chain.token.functions.balanceOf(chain.alice).call() == 2 * TEN


def test_a_cancelled_proposal_never_takes_over(chain, reverts):
    claims = chain.claims.functions
    chain.send(claims.proposeSigner(chain.bob), chain.owner)
    chain.send(claims.proposeSigner("0x" + "00" * 20), chain.owner)
    chain.wait(claims.SIGNER_DELAY().call())
    with reverts("NoPendingSigner()"):
        chain.send(claims.activateSigner(), chain.owner)
    assert claims.signer().call() == chain.signer.address


def test_no_claim_pays_more_than_the_cap(chain, reverts):
    claims = chain.claims.functions
    with reverts("OwnableUnauthorizedAccount(address)", chain.alice):
        chain.send(claims.setMaxClaim(TEN), chain.alice)
    chain.send(claims.setMaxClaim(TEN), chain.owner)
    with reverts("ClaimAboveCap(uint256,uint256)", TEN + 1, TEN):
        redeem(chain, voucher_for(chain, chain.alice, TEN + 1))
    redeem(chain, voucher_for(chain, chain.alice, TEN, nonce=2))
    redeem(chain, voucher_for(chain, chain.alice, 2 * TEN, nonce=3))  # the cap is per claim
    assert chain.token.functions.balanceOf(chain.alice).call() == 2 * TEN


def test_paused_contract_pays_nothing_until_unpaused(chain, reverts):
    claims = chain.claims.functions
    with reverts("OwnableUnauthorizedAccount(address)", chain.alice):
        chain.send(claims.pause(), chain.alice)
    chain.send(claims.pause(), chain.owner)
    with reverts("EnforcedPause()"):
        redeem(chain, voucher_for(chain, chain.alice))
    chain.send(claims.unpause(), chain.owner)
    redeem(chain, voucher_for(chain, chain.alice))
    assert chain.token.functions.balanceOf(chain.alice).call() == TEN


def test_ownership_moves_in_two_steps(chain, reverts):
    claims = chain.claims.functions
    chain.send(claims.transferOwnership(chain.alice), chain.owner)
    assert claims.owner().call() == chain.owner  # nothing moves until it is accepted
    with reverts("OwnableUnauthorizedAccount(address)", chain.bob):
        chain.send(claims.acceptOwnership(), chain.bob)
    chain.send(claims.acceptOwnership(), chain.alice)
    assert claims.owner().call() == chain.alice
    with reverts("OwnableUnauthorizedAccount(address)", chain.owner):
        chain.send(claims.pause(), chain.owner)


def test_underfunded_pool_reverts_whole_claim(chain, reverts):
    pool = chain.token.functions.balanceOf(chain.claims.address).call()
    with reverts(
        "ERC20InsufficientBalance(address,uint256,uint256)", chain.claims.address, pool, pool + 1
    ):
        redeem(chain, voucher_for(chain, chain.alice, pool + 1))
    assert chain.claims.functions.claimed(chain.alice).call() == 0
