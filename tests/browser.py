"""The Chromium every browser test drives: Debian's build through Playwright (no download)."""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]


def require_chromium() -> str:
    """The browser's path; a missing browser fails the test (`make test` installs it)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: run `make test`, which installs it")
    return CHROMIUM
