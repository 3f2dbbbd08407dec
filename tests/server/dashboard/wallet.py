"""A test EIP-1193 wallet for the browser: the page calls ``window.ethereum.request``, the
keys stay in Python (eth-account), and transactions run on an in-process py-evm chain."""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_account.signers.local import LocalAccount
from web3 import EthereumTesterProvider, Web3
from web3.contract import Contract

ARTIFACTS = Path(__file__).resolve().parents[3] / "chain" / "artifacts"

PROVIDER = """
window.ethereum = {
  isLiftledgerTestWallet: true,
  async request({ method, params }) {
    const result = await window.__wallet(method, params ?? []);
    if (result && result.error) throw Object.assign(new Error(result.error), { code: result.code });
    return result.value;
  },
  on() {},
  removeListener() {},
};
"""


class WalletError(Exception):
    """An EIP-1193 error with its code (4001 rejected, 4200 unsupported, 4902 chain)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Chain:
    """A py-evm chain with LiftToken and a funded LiftClaims that trusts ``signer``."""

    w3: Web3
    token: Contract
    claims: Contract

    @classmethod
    def deploy(cls, signer: str, pool: int) -> "Chain":
        """Deploy the token and the claim contract, and mint ``pool`` to the contract."""
        w3 = Web3(EthereumTesterProvider())
        owner = w3.eth.accounts[0]

        def deploy(name: str, *args: Any) -> Contract:
            artifact = json.loads((ARTIFACTS / f"{name}.json").read_text())
            factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
            tx = factory.constructor(*args).transact({"from": owner})
            address = w3.eth.wait_for_transaction_receipt(tx)["contractAddress"]
            return w3.eth.contract(address=address, abi=artifact["abi"])

        token = deploy("LiftToken", "Lift", "LIFT")
        claims = deploy("LiftClaims", token.address, signer, pool)
        token.functions.mint(claims.address, pool).transact({"from": owner})
        return cls(w3, token, claims)

    def fund(self, address: str) -> None:
        """Give ``address`` ether for gas."""
        tx = {"from": self.w3.eth.accounts[0], "to": address, "value": 10**18}
        self.w3.eth.wait_for_transaction_receipt(self.w3.eth.send_transaction(tx))


@dataclass
class TestWallet:
    """The wallet behind ``window.ethereum``: records every call, signs with a real key."""

    account: LocalAccount = field(default_factory=Account.create)
    chain_id: int = 1
    chain: Chain | None = None
    calls: list[tuple[str, list]] = field(default_factory=list)
    sent: list[dict] = field(default_factory=list)
    reject: set[str] = field(default_factory=set)  # methods the user turns down (4001)

    __test__ = False  # not a test class, despite the name

    @property
    def address(self) -> str:
        """The wallet's EIP-55 address."""
        return self.account.address

    def install(self, page) -> None:
        """Expose the wallet to ``page`` (before any of its scripts run)."""
        page.expose_function("__wallet", self.handle)
        page.add_init_script(PROVIDER)

    def handle(self, method: str, params: list) -> dict:
        """Answer one EIP-1193 request as ``{value}`` or ``{error, code}``."""
        self.calls.append((method, params))
        try:
            return {"value": self.dispatch(method, params)}
        except WalletError as error:
            return {"error": str(error), "code": error.code}

    def dispatch(self, method: str, params: list) -> Any:
        """The wallet's behaviour per method."""
        if method in self.reject:
            raise WalletError("User rejected the request.", 4001)
        if method in ("eth_requestAccounts", "eth_accounts"):
            return [self.address]
        if method == "eth_chainId":
            return hex(self.chain_id)
        if method == "wallet_switchEthereumChain":
            raise WalletError("Unrecognized chain.", 4902)
        if method == "personal_sign":
            message, address = params
            if address.lower() != self.address.lower():
                raise WalletError(f"unknown account {address}", 4100)
            signable = encode_defunct(hexstr=message)
            return self.account.sign_message(signable).signature.to_0x_hex()
        if method == "eth_sendTransaction":
            return self.send(params[0])
        raise WalletError(f"unsupported method {method}", 4200)

    def send(self, tx: dict) -> str:
        """Sign ``tx`` with the wallet's key and mine it on the chain; its hash."""
        self.sent.append(tx)
        if self.chain is None:
            raise WalletError("no chain", 4901)
        if tx["from"].lower() != self.address.lower():
            raise WalletError(f"unknown account {tx['from']}", 4100)
        w3 = self.chain.w3
        signed = self.account.sign_transaction(
            {
                "to": Web3.to_checksum_address(tx["to"]),
                "data": tx["data"],
                "value": 0,
                "gas": 300_000,
                "gasPrice": w3.eth.gas_price,
                "nonce": w3.eth.get_transaction_count(self.address),
                "chainId": w3.eth.chain_id,
            }
        )
        try:
            tx_hash = w3.eth.send_raw_transaction(signed.raw_transaction)
        except Exception as error:  # noqa: BLE001 - a revert reaches the page as an RPC error
            raise WalletError(f"execution reverted: {error}", -32000) from None
        receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
        if receipt["status"] != 1:
            raise WalletError("transaction reverted", -32000)
        return tx_hash.to_0x_hex()
