"""Dataset fixtures: a lab key (through the CLI) and seeded real feedback."""

import pytest

from tests.factories import make_lab_key


@pytest.fixture
def lab(runner) -> dict:
    """Headers of a read+write key of lab Acme."""
    return make_lab_key(runner)


@pytest.fixture
def seeded(runner) -> None:
    """Real HH and qa-feedback records posted by three wallets through the real endpoints."""
    result = runner.invoke(args=["demo", "seed", "--contributors", "3", "--hh", "30", "--qa", "10"])
    assert result.exit_code == 0, result.output
