"""Gold fixtures: an admin, and a small gold pool imported through `flask gold import`."""

import pytest

from tests.factories import GOLD_ROWS, import_gold_file, sign_in


@pytest.fixture
def admin(client, runner) -> dict:
    """A signed-in admin."""
    user = sign_in(client)
    assert runner.invoke(args=["users", "set-role", user["address"], "admin"]).exit_code == 0
    return sign_in(client, user["account"])


@pytest.fixture
def pool(runner, tmp_path) -> list[dict]:
    """Six gold comparisons, imported as the default pool; their rows."""
    assert "imported" in import_gold_file(runner, tmp_path, GOLD_ROWS)
    return GOLD_ROWS
