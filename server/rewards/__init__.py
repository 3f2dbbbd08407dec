"""Rewards: the hash-chained ledger, per-round Merkle roots, EIP-712 claim vouchers."""
