"""Gas used by LiftToken and LiftClaims, measured on py-evm (eth-tester) from the committed
artifacts, with real eth-account signatures: deployments, both claim paths (a first claim
and a top-up), a Merkle proof claim by tree size, and the administrative calls. Prints the
Markdown table README.md shows.

    python bench/gas.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eth_account import Account  # noqa: E402
from eth_utils import keccak  # noqa: E402
from web3 import EthereumTesterProvider, Web3  # noqa: E402

from server.rewards.balance_merkle import MerkleTree, leaf  # noqa: E402
from server.rewards.vouchers import Voucher, build_domain, sign_voucher  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parents[1] / "chain" / "artifacts"
POOL = 10**9 * 10**18
DEADLINE = 4_000_000_000  # unix seconds, in 2096


class Bench:
    """A fresh chain with the token and a funded claim contract."""

    def __init__(self) -> None:
        """Deploy both contracts, recording their deployment gas."""
        self.w3 = Web3(EthereumTesterProvider())
        self.owner, self.alice = self.w3.eth.accounts[:2]
        self.signer = Account.from_key(keccak(text="gas bench signer"))
        self.rows: list[tuple[str, int]] = []
        self.token = self.deploy("LiftToken", "Lift", "LIFT")
        self.claims = self.deploy("LiftClaims", self.token.address, self.signer.address, POOL)
        self.gas("mint the pool", self.token.functions.mint(self.claims.address, POOL))
        self.domain = build_domain(self.w3.eth.chain_id, self.claims.address)

    def deploy(self, name: str, *args):
        """Deploy an artifact; record its gas."""
        artifact = json.loads((ARTIFACTS / f"{name}.json").read_text())
        factory = self.w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
        receipt = self.w3.eth.wait_for_transaction_receipt(
            factory.constructor(*args).transact({"from": self.owner})
        )
        self.rows.append((f"deploy {name}", receipt["gasUsed"]))
        return self.w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"])

    def gas(self, what: str, call, sender: str | None = None) -> int:
        """Send ``call``; record and return its gas."""
        tx = call.transact({"from": sender or self.owner})
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        assert receipt["status"] == 1, what
        self.rows.append((what, receipt["gasUsed"]))
        return receipt["gasUsed"]

    def voucher(self, what: str, cumulative: int, nonce: int) -> None:
        """Redeem a voucher for ``alice``."""
        # A fixed deadline: calldata gas depends on the bytes, so the table stays reproducible.
        voucher = Voucher(self.alice, cumulative, 1, nonce, DEADLINE)
        signature = sign_voucher(self.signer, self.domain, voucher)["signature"]
        call = self.claims.functions.claimWithVoucher(*voucher.message().values(), signature)
        self.gas(what, call, self.alice)


def main() -> None:
    """Measure and print the table."""
    bench = Bench()
    bench.voucher("claimWithVoucher (first claim)", 10 * 10**18, 1)
    bench.voucher("claimWithVoucher (top-up)", 25 * 10**18, 2)
    accounts = bench.w3.eth.accounts
    for round_id, size in enumerate((2, 64, 1024), start=1):
        cumulative = 10**18 * round_id  # the claimant's balance grows round by round
        balances = {f"0x{i + 1:040x}": 10**18 + i for i in range(size - 1)}
        tree = MerkleTree.from_balances({**balances, accounts[2]: cumulative})
        publish = bench.claims.functions.publishRoot(round_id, tree.root)
        bench.gas(f"publishRoot (round of {size} leaves)", publish)
        proof = tree.proof(leaf(accounts[2], cumulative))
        call = bench.claims.functions.claimWithProof(accounts[2], round_id, cumulative, proof)
        kind = "first claim" if round_id == 1 else "top-up"
        what = f"claimWithProof ({kind}, {size} leaves, {len(proof)} proof nodes)"
        bench.gas(what, call, accounts[2])
    functions = bench.claims.functions
    bench.gas("proposeSigner", functions.proposeSigner(bench.alice))
    bench.w3.provider.ethereum_tester.time_travel(
        bench.w3.eth.get_block("latest")["timestamp"] + functions.SIGNER_DELAY().call()
    )
    bench.gas("activateSigner (after SIGNER_DELAY)", functions.activateSigner())
    bench.gas("setMaxClaim", functions.setMaxClaim(POOL // 2))
    bench.gas("pause", functions.pause())
    bench.gas("unpause", functions.unpause())
    print("| call | gas |\n|---|---:|")
    for what, gas in bench.rows:
        print(f"| {what} | {gas:,} |")


if __name__ == "__main__":
    main()
