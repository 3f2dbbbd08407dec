"""Check on chain that a transaction redeemed a claim's voucher.

With ``CHAIN_RPC_URL`` set, ``POST /claims/<id>/paid`` fetches the transaction's receipt and
requires it to be mined, successful, and to carry the claim contract's
``VoucherRedeemed(claimant, nonce)`` event for exactly this voucher; only then is the claim
``paid``. Without a node to ask, the reported hash is kept and the claim is ``unverified``.
"""

from typing import Any

from eth_utils import keccak, to_checksum_address
from flask import current_app

from server.errors import Conflict, ServiceUnavailable, Unprocessable

VOUCHER_REDEEMED = keccak(text="VoucherRedeemed(address,uint256)")
RPC_TIMEOUT_S = 10


def connect(url: str) -> Any:
    """A web3 client for ``url``, one per process and URL (web3 loads only when used)."""
    cache = current_app.extensions.setdefault("liftledger_chains", {})
    if url not in cache:
        from web3 import HTTPProvider, Web3

        cache[url] = Web3(HTTPProvider(url, request_kwargs={"timeout": RPC_TIMEOUT_S}))
    return cache[url]


def _topic(value: int | str) -> bytes:
    """A 32-byte indexed event argument (an address or a uint256)."""
    number = int(value, 16) if isinstance(value, str) else value
    return number.to_bytes(32, "big")


def redeems(receipt: Any, contract: str, claimant: str, nonce: int) -> bool:
    """Whether ``receipt`` is a successful redemption of (claimant, nonce) on ``contract``."""
    if receipt["status"] != 1:
        return False
    wanted = [VOUCHER_REDEEMED, _topic(claimant), _topic(nonce)]
    for log in receipt["logs"]:
        topics = [bytes(t) for t in log["topics"]]
        if (
            to_checksum_address(log["address"]) == to_checksum_address(contract)
            and topics == wanted
        ):
            return True
    return False


def verify_redemption(tx_hash: str, contract: str | None, claimant: str, nonce: int) -> bool:
    """True when the chain confirms the redemption; False when no node is configured.

    409 while the transaction is not mined, 422 when it did not redeem this voucher,
    503 when the node does not answer."""
    url = current_app.config.get("CHAIN_RPC_URL")
    if not url:
        return False
    if not contract:
        raise Unprocessable(
            "This voucher names no claim contract, so no transaction can redeem it.",
            {"tx_hash": ["no contract to check"]},
        )
    from web3.exceptions import TransactionNotFound

    try:
        receipt = connect(url).eth.get_transaction_receipt(tx_hash)
    except TransactionNotFound:
        raise Conflict(f"Transaction {tx_hash} is not mined (yet); report it once it is.") from None
    except (OSError, ValueError) as error:
        raise ServiceUnavailable(
            f"The chain node does not answer ({type(error).__name__}); retry shortly.",
            headers={"Retry-After": "10"},
        ) from None
    if not redeems(receipt, contract, claimant, nonce):
        raise Unprocessable(
            f"Transaction {tx_hash} did not redeem this voucher on {contract}.",
            {"tx_hash": ["not a successful redemption of this claim's voucher"]},
        )
    return True
