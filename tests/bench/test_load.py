"""bench/load.py runs each scenario end to end at a small size: the fault really happens (the
killed worker, Redis or server is gone and a new one serves) and every acknowledged feedback
is in the database exactly once. No timing assertions: this is a smoke test of the bench."""

import pytest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("scenario", ["baseline", "worker-kill", "redis-restart", "server-restart"])
def test_bench_load_small(scenario, tmp_path):
    from bench.load import alive, main

    # Its own redis-server and a fresh SQLite file: the bench kills and restarts them.
    argv = ["--scenario", scenario, "--clients", "6", "--seconds", "5", "--outage", "1.5"]
    argv += ["--progress", "2", "--timeout", "10", "--drain", "20"]
    report = main([*argv, "--workdir", str(tmp_path), "--out", str(tmp_path / "load.json")])

    result = report["scenarios"][scenario]
    assert report["ok"] and result["ok"], result
    assert result["lost"] == 0 and result["duplicated"] == 0 and result["mismatched"] == 0
    assert result["acked_ids"] > 0 and result["unacked_ids"] == 0, result
    assert not {"201", "409"} & result["by_kind"].get("retry", {}).keys(), result["by_kind"]
    assert result["fault_happened"], result["fault"]
    fault = result["fault"]
    if scenario == "worker-kill":
        assert not alive(fault["killed_pid"])
        assert fault["killed_pid"] not in fault["workers_after"]
        assert set(fault["workers_after"]) - set(fault["workers_before"])
    elif scenario == "redis-restart":
        assert not alive(fault["old_pid"]) and fault["new_pid"] != fault["old_pid"]
    elif scenario == "server-restart":
        assert fault["new_master"] != fault["old_master"] and fault["new_workers"]
        assert not any(alive(pid) for pid in [fault["old_master"], *fault["old_workers"]])
        # Acknowledged after the kill: only the restarted server can have answered.
        assert fault["acked_during"] + fault["acked_after"] > 0, fault
