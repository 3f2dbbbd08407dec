"""EIP-712 claim vouchers and the service signer's keystore.

A voucher lets ``claimant`` withdraw up to ``cumulativeAmount`` (base units, all rounds so
far) from ``LiftClaims`` until ``deadline`` (unix seconds); the contract pays the difference
to what the claimant already withdrew. The domain is ``EIP712Domain(string name,string
version,uint256 chainId,address verifyingContract)`` with name ``LiftClaims`` and version
``1``; eth-account's domain hash equals the contract's ``domainSeparator()``.

The signer key lives in an eth-account (Web3 Secret Storage v3) keystore file whose password
the caller takes from the environment; this module never reads environment variables.
"""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from eth_account import Account
from eth_account.messages import SignableMessage, encode_typed_data
from eth_account.signers.local import LocalAccount
from eth_utils import keccak

from server.rewards.balance_merkle import to_eip55

DOMAIN_NAME = "LiftClaims"
DOMAIN_VERSION = "1"
VOUCHER_TYPES: dict[str, list[dict[str, str]]] = {
    "Voucher": [
        {"name": "claimant", "type": "address"},
        {"name": "cumulativeAmount", "type": "uint256"},
        {"name": "round", "type": "uint256"},
        {"name": "nonce", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}
UINT256_MAX = 2**256 - 1


@dataclass(frozen=True)
class Voucher:
    """What a voucher promises; amounts are integers in the token's base units."""

    claimant: str
    cumulative_amount: int
    round: int
    nonce: int
    deadline: int

    def __post_init__(self) -> None:
        """Refuse values the contract could never accept."""
        object.__setattr__(self, "claimant", to_eip55(self.claimant))
        for name in ("cumulative_amount", "round", "nonce", "deadline"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an int, got {value!r}")
            if not 0 <= value <= UINT256_MAX:
                raise ValueError(f"{name} must fit a uint256, got {value}")

    def message(self) -> dict[str, Any]:
        """The EIP-712 message, keyed like ``VOUCHER_TYPES`` and the contract's arguments."""
        return {
            "claimant": self.claimant,
            "cumulativeAmount": self.cumulative_amount,
            "round": self.round,
            "nonce": self.nonce,
            "deadline": self.deadline,
        }


# Any voucher will do to make eth-account hash a domain on its own.
_PLACEHOLDER = Voucher("0x" + "00" * 20, 0, 0, 0, 0)


def build_domain(chain_id: int, verifying_contract: str) -> dict[str, Any]:
    """Return the EIP-712 domain of the ``LiftClaims`` deployed at ``verifying_contract``."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": int(chain_id),
        "verifyingContract": to_eip55(verifying_contract),
    }


def _signable(domain: dict[str, Any], voucher: Voucher) -> SignableMessage:
    return encode_typed_data(domain, VOUCHER_TYPES, voucher.message())


def domain_separator(domain: dict[str, Any]) -> bytes:
    """The EIP-712 domain hash; equals ``LiftClaims.domainSeparator()`` on-chain."""
    return bytes(encode_typed_data(domain, VOUCHER_TYPES, _PLACEHOLDER.message()).header)


def voucher_digest(domain: dict[str, Any], voucher: Voucher) -> bytes:
    """The 32-byte digest that is signed; equals ``LiftClaims.voucherDigest(...)``."""
    signable = _signable(domain, voucher)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_voucher(account: LocalAccount, domain: dict[str, Any], voucher: Voucher) -> dict[str, Any]:
    """Sign ``voucher`` and return everything a wallet needs to submit the claim.

    Integers stay Python ints (uint256 may exceed JSON's safe range: serialise them as
    strings for browsers). ``signature`` is the 65-byte ``r || s || v`` the contract takes.
    """
    signed = account.sign_message(_signable(domain, voucher))
    return {
        "domain": dict(domain),
        "types": VOUCHER_TYPES,
        "primaryType": "Voucher",
        "message": voucher.message(),
        "digest": "0x" + bytes(signed.message_hash).hex(),
        "signature": "0x" + bytes(signed.signature).hex(),
        "v": signed.v,
        "r": f"0x{signed.r:064x}",
        "s": f"0x{signed.s:064x}",
        "signer": account.address,
    }


def recover_voucher_signer(domain: dict[str, Any], voucher: Voucher, signature: bytes | str) -> str:
    """Return the EIP-55 address that signed ``voucher`` under ``domain``."""
    return Account.recover_message(_signable(domain, voucher), signature=signature)


def create_keystore(
    path: str | os.PathLike[str],
    password: str,
    private_key: bytes | str | None = None,
    *,
    kdf: Literal["scrypt", "pbkdf2"] = "scrypt",
    iterations: int | None = None,
) -> LocalAccount:
    """Write a new (or the given) key to an encrypted keystore file readable only by us.

    Refuses to overwrite an existing file: losing the signer key strands unclaimed vouchers.
    ``iterations`` lowers the KDF cost, for tests only.
    """
    account = Account.from_key(private_key) if private_key is not None else Account.create()
    keystore = Account.encrypt(account.key, password, kdf=kdf, iterations=iterations)
    fd = os.open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(keystore, handle)
    return account


def load_signer(path: str | os.PathLike[str], password: str) -> LocalAccount:
    """Decrypt the keystore at ``path`` and return the signing account."""
    keystore = json.loads(Path(path).read_text(encoding="utf-8"))
    try:
        key = Account.decrypt(keystore, password)
    except ValueError as error:
        raise ValueError(
            f"cannot decrypt signer keystore {path}: {error} (check the password in the "
            "environment matches the one the keystore was created with)"
        ) from None
    return Account.from_key(key)
