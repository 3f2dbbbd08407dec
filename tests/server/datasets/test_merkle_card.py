"""Snapshot Merkle trees (roots and proofs for every position) and dataset cards that the
Hugging Face card parser reads."""

import hashlib

import pytest
from huggingface_hub import DatasetCard

from server.datasets import item_merkle
from tests.factories import make_snapshot, post_feedback


def _hashes(n: int) -> list[str]:
    """n distinct item hashes."""
    return [hashlib.sha256(str(i).encode()).hexdigest() for i in range(n)]


def test_root_by_hand_for_three_items():
    a, b, c = _hashes(3)
    la, lb, lc = (item_merkle.leaf_hash(h) for h in (a, b, c))
    ab = hashlib.sha256(b"\x01" + la + lb).digest()
    assert item_merkle.root([a, b, c]) == hashlib.sha256(b"\x01" + ab + lc).hexdigest()
    assert item_merkle.root([a]) == la.hex()
    assert item_merkle.root([]) == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13])
def test_every_position_proves_and_nothing_else_does(n):
    hashes = _hashes(n)
    root = item_merkle.root(hashes)
    for index, item in enumerate(hashes):
        steps = item_merkle.proof(hashes, index)
        assert item_merkle.verify(item, steps, root)
        other = hashes[(index + 1) % n]
        assert n == 1 or not item_merkle.verify(other, steps, root)
    assert item_merkle.root(list(reversed(hashes))) != root or n == 1


def test_card_is_a_hugging_face_dataset_card(client, lab):
    from tests.factories import sign_in

    post_feedback(client, sign_in(client), 0, site="chatgpt")
    post_feedback(
        client, sign_in(client), 1, kind="correction", site="claude", licence="research-only"
    )
    body = make_snapshot(client, lab, name="mixed", filters={"kinds": ["pairwise", "correction"]})
    res = client.get(f"/api/v1/datasets/{body['id']}/card", headers=lab)
    assert res.status_code == 200 and res.mimetype == "text/markdown"
    text = res.get_data(as_text=True)
    card = DatasetCard(text)
    data = card.data.to_dict()
    assert data["pretty_name"] == "mixed v1"
    assert data["license"] == ["cc-by-4.0", "other"]
    assert data["license_name"] == "liftledger-research-only"
    assert data["size_categories"] == ["n<1K"]
    assert data["configs"][0]["data_files"][0]["split"] == "train"
    for needle in ("## Sources", "| chatgpt | 1 |", "| correction | 1 |", "| research-only | 1 |",
                   '"kinds"', "## Collection method", "## Known limitations",
                   body["merkle_root"], "2 distinct contributors"):  # fmt: skip
        assert needle in card.text
