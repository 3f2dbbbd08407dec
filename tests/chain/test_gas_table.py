"""The gas table in README.md is what bench/gas.py measures on the committed artifacts."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_readme_gas_table_is_current():
    measured = subprocess.run(
        [sys.executable, "bench/gas.py"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert measured.returncode == 0, measured.stderr
    table = measured.stdout.strip()
    assert table.count("\n") > 10
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table in readme, "README.md's gas table is stale: paste `python bench/gas.py`"
