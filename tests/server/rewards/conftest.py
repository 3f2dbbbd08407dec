"""Rewards fixtures: a known pool per round."""

import pytest


@pytest.fixture(autouse=True)
def _pool(request, monkeypatch):
    """A known pool per round (1e9 base units) whatever the configured default is."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "REWARD_POOL_PER_ROUND", 1_000_000_000)
