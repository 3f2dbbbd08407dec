"""Dataset fixtures: labs with real API keys (through the CLI) and seeded real feedback."""

from collections.abc import Callable

import pytest

ALL_SCOPES = "datasets:read,datasets:write"


def issue_key(runner, lab: str, scopes: str = ALL_SCOPES) -> dict:
    """Create (if needed) a lab and a key through the CLI; the key's auth headers."""
    runner.invoke(args=["labs", "create", lab])
    result = runner.invoke(args=["labs", "create-key", lab, "--scopes", scopes])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("lld_lab_")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def make_key(runner) -> Callable[..., dict]:
    """Factory: auth headers of a fresh key of a lab (default: both dataset scopes)."""
    return lambda lab="Acme", scopes=ALL_SCOPES: issue_key(runner, lab, scopes)


@pytest.fixture
def lab(make_key) -> dict:
    """Headers of a read+write key of lab Acme."""
    return make_key()


@pytest.fixture
def seeded(runner) -> None:
    """Real HH and qa-feedback records posted by three wallets through the real endpoints."""
    result = runner.invoke(args=["demo", "seed", "--contributors", "3", "--hh", "30", "--qa", "10"])
    assert result.exit_code == 0, result.output


def snapshot(client, headers: dict, name: str = "hh", **body) -> dict:
    """POST a snapshot and return its JSON (asserting 201)."""
    res = client.post("/api/v1/datasets", json={"name": name, **body}, headers=headers)
    assert res.status_code == 201, res.get_json()
    return res.get_json()


@pytest.fixture
def give(client, make_feedback, qa_items) -> Callable[..., dict]:
    """Factory: a wallet posts one feedback item built from real qa-feedback; the stored row."""

    def post(user: dict, index: int, kind: str = "pairwise", **overrides) -> dict:
        item = qa_items[index]
        fields: dict = {"kind": kind, "rating": None}
        if kind == "pairwise":
            fields.update(other_answer={"text": item["prediction 2"]}, choice="b")
        if kind == "correction":
            fields["corrected_text"] = item["gold"]
        payload = make_feedback(index, **{**fields, **overrides})
        res = client.post("/api/v1/feedback", json=payload, headers=user["headers"])
        assert res.status_code == 201, res.get_json()
        return res.get_json()

    return post
