"""A round's public allocation file: all its leaves, from which OpenZeppelin's own
StandardMerkleTree (JavaScript, chain/node_modules) rebuilds the published root, with the
ledger head the tree was built from."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from server.extensions import db
from server.rewards.balance_merkle import MerkleTree
from server.rewards.models import LedgerEntry
from tests.factories import make_credits, make_user, user_id

CHAIN = Path(__file__).resolve().parents[3] / "chain"
NEEDS_OZ = pytest.mark.skipif(
    not (CHAIN / "node_modules" / "@openzeppelin" / "merkle-tree").is_dir()
    or shutil.which("node") is None,
    reason="run `npm ci` in chain/ (and have node) for OpenZeppelin's StandardMerkleTree",
)
OZ_ROOT = (
    "const {StandardMerkleTree} = require('@openzeppelin/merkle-tree');"
    "const file = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
    "console.log(StandardMerkleTree.of(file.values, file.leaf_encoding).root);"
)


def openzeppelin_root(allocation: dict) -> str:
    """The root OpenZeppelin's StandardMerkleTree builds from an allocation file."""
    result = subprocess.run(
        ["node", "-e", OZ_ROOT],
        cwd=CHAIN,
        input=json.dumps(allocation),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


@pytest.fixture
def rounds(app, client, make_round) -> tuple[int, int]:
    """Two credited rounds over five wallets (the second adds to the first's balances)."""
    ids = [user_id(app, make_user(client)["address"]) for _ in range(5)]
    first, second = make_round(), make_round()
    make_credits(app, first, {uid: float(i + 1) for i, uid in enumerate(ids[:3])})
    make_credits(app, second, {uid: 1.0 for uid in ids[1:]})
    return first, second


@NEEDS_OZ
def test_openzeppelin_rebuilds_each_published_root(client, rounds):
    for round_id in rounds:
        res = client.get(f"/api/v1/rounds/{round_id}/allocation")  # public: no credentials
        assert res.status_code == 200, res.get_json()
        body = res.get_json()
        assert body["leaf_encoding"] == ["address", "uint256"]
        assert len(body["values"]) == body["leaves"]
        assert sum(int(amount) for _, amount in body["values"]) == int(body["total"])
        assert openzeppelin_root(body) == body["root"]
        balances = {address: int(amount) for address, amount in body["values"]}
        assert "0x" + MerkleTree.from_balances(balances).root.hex() == body["root"]
    assert [len(client.get(f"/api/v1/rounds/{r}/allocation").json["values"]) for r in rounds] == [
        3,
        5,
    ]


def test_the_ledger_head_is_published_with_each_root(app, client, rounds):
    first, second = rounds
    with app.app_context():
        heads = {
            round_id: db.session.execute(
                db.select(LedgerEntry.seq, LedgerEntry.hash)
                .where(LedgerEntry.round_id == round_id)
                .order_by(LedgerEntry.seq.desc())
                .limit(1)
            ).one()
            for round_id in rounds
        }
    for round_id in (first, second):
        body = client.get(f"/api/v1/rounds/{round_id}/allocation").get_json()
        assert (body["ledger_seq"], body["ledger_hash"]) == tuple(heads[round_id])
        address = body["values"][0][0]
        proof = client.get(f"/api/v1/rounds/{round_id}/proofs/{address}").get_json()
        assert (proof["root"], proof["ledger_hash"]) == (body["root"], body["ledger_hash"])
    assert heads[first][0] == 3 and heads[second][0] == 7


@pytest.mark.parametrize("round_id", [999999, None])
def test_no_allocation_without_a_credited_round(client, make_round, round_id):
    res = client.get(f"/api/v1/rounds/{round_id or make_round()}/allocation")
    assert res.status_code == 404 and "no Merkle root" in res.get_json()["message"]
