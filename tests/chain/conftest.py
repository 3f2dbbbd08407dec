"""Fixtures that deploy LiftToken and LiftClaims on an in-process py-evm chain."""

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract

from server.rewards.vouchers import build_domain

ARTIFACTS = Path(__file__).resolve().parents[2] / "chain" / "artifacts"
POOL = 1_000 * 10**18
MAX_CLAIM = 10 * POOL  # above the pool, so an underfunded pool is what a big claim meets


@dataclass
class Deployment:
    """A funded claim contract, its token, and the accounts around them."""

    w3: Web3
    token: Contract
    claims: Contract
    owner: str
    alice: str
    bob: str
    signer: LocalAccount
    domain: dict[str, Any]

    def now(self) -> int:
        """Timestamp of the latest block."""
        return self.w3.eth.get_block("latest")["timestamp"]

    def wait(self, seconds: int) -> None:
        """Move the chain's clock ``seconds`` forward."""
        self.w3.provider.ethereum_tester.time_travel(self.now() + seconds)

    def send(self, call: Any, sender: str) -> Any:
        """Transact ``call`` from ``sender`` and return the mined receipt."""
        tx_hash = call.transact({"from": sender})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        assert receipt["status"] == 1
        return receipt


def load_artifact(name: str) -> dict[str, Any]:
    """Read a committed compiler artifact."""
    return json.loads((ARTIFACTS / f"{name}.json").read_text(encoding="utf-8"))


def deploy(w3: Web3, name: str, *args: Any, sender: str) -> Contract:
    """Deploy artifact ``name`` with constructor ``args``."""
    artifact = load_artifact(name)
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(
        factory.constructor(*args).transact({"from": sender})
    )
    return w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])


@pytest.fixture(scope="session")
def signer() -> LocalAccount:
    """The service's voucher key (deterministic, never funded: it only signs)."""
    return Account.from_key(keccak(text="liftledger test signer"))


@pytest.fixture(scope="module")
def deployed(signer: LocalAccount) -> Deployment:
    """A chain with the token deployed and the claim contract holding the pool."""
    w3 = Web3(EthereumTesterProvider())
    owner, alice, bob = w3.eth.accounts[:3]
    token = deploy(w3, "LiftToken", "Lift", "LIFT", sender=owner)
    claims = deploy(w3, "LiftClaims", token.address, signer.address, MAX_CLAIM, sender=owner)
    token.functions.mint(claims.address, POOL).transact({"from": owner})
    domain = build_domain(w3.eth.chain_id, claims.address)
    return Deployment(w3, token, claims, owner, alice, bob, signer, domain)


@pytest.fixture
def chain(deployed: Deployment) -> Iterator[Deployment]:
    """The deployment as it was right after setup; each test's transactions are rolled back."""
    tester = deployed.w3.provider.ethereum_tester
    snapshot = tester.take_snapshot()
    yield deployed
    tester.revert_to_snapshot(snapshot)


def revert_data(error: BaseException) -> bytes:
    """Raw revert bytes: web3 re-raises eth-tester's error as text, the original keeps bytes."""
    current: BaseException | None = error
    while current is not None:
        arg = current.args[0] if current.args else None
        if isinstance(arg, Exception) and arg.args:
            arg = arg.args[0]
        if isinstance(arg, bytes):
            return arg
        current = current.__context__
    raise AssertionError(f"no revert data in {error!r}")


@contextmanager
def _reverts(signature: str, *args: Any) -> Iterator[None]:
    with pytest.raises(TransactionFailed) as caught:
        yield
    expected = keccak(text=signature)[:4]
    if args:
        expected += encode(signature[signature.index("(") + 1 : -1].split(","), args)
    data = revert_data(caught.value)
    assert data == expected, f"reverted with 0x{data.hex()}, expected {signature}{args}"


@pytest.fixture
def reverts() -> Callable[..., AbstractContextManager[None]]:
    """``with reverts("AlreadyClaimed()"):`` asserts the block reverts with that custom error.

    Arguments after the signature must match the error's ABI-encoded arguments too.
    """
    return _reverts
