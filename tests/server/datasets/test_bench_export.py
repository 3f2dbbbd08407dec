"""bench/export.py runs end to end at a small size: the export holds every row in order and
its peak RSS stays under the 300 MB budget (the budget does not grow with the row count)."""

import pytest

pytestmark = pytest.mark.slow


def test_bench_export_small(tmp_path, redis_url, monkeypatch):
    from bench.export import main

    monkeypatch.setenv("REDIS_URL", redis_url)  # the test's Redis, not an embedded one

    report = main(["--rows", "3000", "--workdir", str(tmp_path)])
    assert report["rows"] == 3000 and report["export_mb"] > 1
    assert report["rss_ok"], report
    assert report["export_rows_per_s"] > 0 and report["baseline_rows_per_s"] > 0
