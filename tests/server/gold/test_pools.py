"""Gold pools through `flask gold import` and the admin API: validated, versioned, never
returned, and disjoint from every yardstick in both directions."""

import pytest

from server.extensions import db
from server.gold.models import GoldItem
from tests.factories import GOLD_ROWS, import_gold_file, sign_in

YARDSTICK = [
    {"prompt": "2+2?", "chosen": "4", "rejected": "5"},
    {"prompt": "capital of France?", "chosen": "Paris", "rejected": "Lyon"},
]


def test_cli_imports_versions_and_retires_the_old_version(app, runner, tmp_path):
    assert "default v1 imported (6 items" in import_gold_file(runner, tmp_path, GOLD_ROWS)
    assert "unchanged, already" in import_gold_file(runner, tmp_path, GOLD_ROWS[::-1])
    assert "default v2 imported (5 items" in import_gold_file(runner, tmp_path, GOLD_ROWS[1:])
    listed = runner.invoke(args=["gold", "list"]).output
    assert "default v2 (active) 5 items" in listed and "default v1 (retired) 6 items" in listed
    with app.app_context():
        active = db.session.scalars(db.select(GoldItem.version).where(GoldItem.active)).all()
        assert sorted(set(active)) == [2] and len(active) == 5


def test_bad_files_get_clear_errors(runner, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "p", "chosen": "x", "rejected": "x"}\n')
    result = runner.invoke(args=["gold", "import", str(bad)])
    assert result.exit_code != 0 and "Bad gold pool" in result.output
    assert "the same text" in result.output


def test_admin_api_imports_and_lists_without_texts(client, admin):
    url = "/api/v1/admin/gold"
    res = client.post(url, json={"pool": "core", "items": GOLD_ROWS}, headers=admin["headers"])
    assert res.status_code == 201, res.get_json()
    assert res.get_json()["version"] == 1 and res.get_json()["n_items"] == 6
    listed = client.get(url, headers=admin["headers"])
    assert listed.status_code == 200 and listed.get_json()[0]["pool"] == "core"
    assert "Gold question" not in listed.get_data(as_text=True)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"pool": "core", "items": GOLD_ROWS[:1]}, 422),
        ({"pool": "Bad Name", "items": GOLD_ROWS}, 422),
        ({"pool": "core", "items": [GOLD_ROWS[0], {"prompt": "p", "chosen": "x"}]}, 422),
        ({"pool": "core\u0000", "items": GOLD_ROWS}, 422),
    ],
)
def test_bad_imports_are_refused(client, admin, body, status):
    res = client.post("/api/v1/admin/gold", json=body, headers=admin["headers"])
    assert res.status_code == status and res.get_json()["message"]


def test_only_admins_import(client):
    user = sign_in(client)
    res = client.post("/api/v1/admin/gold", json={"pool": "x", "items": GOLD_ROWS},
                      headers=user["headers"])  # fmt: skip
    assert res.status_code == 403
    assert client.get("/api/v1/admin/gold").status_code == 401


def test_gold_overlapping_a_yardstick_is_refused(client, admin, runner, tmp_path):
    res = client.post("/api/v1/admin/yardsticks", json={"name": "core", "pairs": YARDSTICK},
                      headers=admin["headers"])  # fmt: skip
    assert res.status_code == 201
    # The same comparison reversed, in another case and Unicode form, with a zero-width space.
    clash = {"prompt": "CAPITAL OF FRANCE?", "chosen": "Ly\u200bon", "rejected": "ＰＡＲＩＳ"}
    res = client.post("/api/v1/admin/gold", json={"pool": "core", "items": [*GOLD_ROWS, clash]},
                      headers=admin["headers"])  # fmt: skip
    assert res.status_code == 422 and "disjoint from every yardstick" in res.get_json()["message"]
    path = tmp_path / "clash.jsonl"
    path.write_text('{"prompt": "2+2?", "chosen": "5", "rejected": "4"}\n'
                    '{"prompt": "3+3?", "chosen": "6", "rejected": "7"}\n')  # fmt: skip
    result = runner.invoke(args=["gold", "import", str(path)])
    assert result.exit_code != 0 and "yardstick judgements" in result.output


def test_yardstick_overlapping_the_gold_pool_is_refused(client, admin, pool):
    pairs = [*YARDSTICK, {**pool[2], "prompt": pool[2]["prompt"].upper() + "  "}]
    res = client.post("/api/v1/admin/yardsticks", json={"name": "core", "pairs": pairs},
                      headers=admin["headers"])  # fmt: skip
    assert res.status_code == 422 and "disjoint from the gold pool" in res.get_json()["message"]
    ok = client.post("/api/v1/admin/yardsticks", json={"name": "core", "pairs": YARDSTICK},
                     headers=admin["headers"])  # fmt: skip
    assert ok.status_code == 201


def test_the_default_pool_is_disjoint_from_the_default_yardstick(app):
    from server.gold.pools import ensure_default as default_gold
    from server.yardsticks.services import ensure_default as default_yardstick

    with app.app_context():
        gold, created = default_gold()  # each import checks the other: both succeed
        yardstick, _ = default_yardstick()
        assert created and gold["n_items"] >= 50 and yardstick.n_pairs > 1000
        assert default_gold() == (gold, False)
