"""Lab accounts over HTTP: admins credit balances and price snapshots (amounts in ASCII
digits only); a lab key reads its own account; nobody else does either."""

import pytest

from tests.factories import make_lab_key, make_snapshot, post_feedback, sign_in

ARABIC_INDIC_100 = "١٠٠"


def _admin(client, runner) -> dict:
    """A signed-in admin (role set through the CLI, then a fresh sign-in)."""
    user = sign_in(client)
    result = runner.invoke(args=["users", "set-role", user["address"], "admin"])
    assert result.exit_code == 0, result.output
    return sign_in(client, user["account"])


def test_admin_deposit_credits_the_balance_the_lab_sees(client, runner):
    key = make_lab_key(runner, "Acme")
    admin = _admin(client, runner)
    res = client.post(
        "/api/v1/admin/labs/Acme/deposits",
        json={"amount": "2500", "note": "invoice 7"},
        headers=admin["headers"],
    )
    assert res.status_code == 201, res.get_json()
    assert (res.get_json()["lab"], res.get_json()["balance"]) == ("Acme", "2500")
    mine = client.get("/api/v1/labs/me", headers=key).get_json()
    assert (mine["deposited"], mine["available"], mine["charged"]) == ("2500", "2500", "0")


@pytest.mark.parametrize(
    "amount", [ARABIC_INDIC_100, "-5", "0", "1.5", "", 100, "1" + "0" * 80, " 5", "５"]
)
def test_deposits_take_positive_ascii_digit_amounts(client, runner, amount):
    make_lab_key(runner, "Acme")
    admin = _admin(client, runner)
    res = client.post(
        "/api/v1/admin/labs/Acme/deposits", json={"amount": amount}, headers=admin["headers"]
    )
    assert res.status_code == 422, res.get_json()
    assert res.get_json()["code"] == 422


def test_only_admins_credit_labs(client, runner):
    key = make_lab_key(runner, "Acme")
    user = sign_in(client)
    for headers, code in ((user["headers"], 403), (key, 403), ({}, 401)):
        res = client.post("/api/v1/admin/labs/Acme/deposits", json={"amount": "5"}, headers=headers)
        assert res.status_code == code
    assert client.get("/api/v1/labs/me", headers=key).get_json()["balance"] == "0"
    admin = _admin(client, runner)
    missing = client.post(
        "/api/v1/admin/labs/Nobody/deposits", json={"amount": "5"}, headers=admin["headers"]
    )
    assert missing.status_code == 404


def test_admin_prices_a_snapshot_within_the_cap(app, client, runner, monkeypatch):
    key = make_lab_key(runner, "Acme")
    post_feedback(client, sign_in(client), 0)
    dataset = make_snapshot(client, key)
    admin = _admin(client, runner)
    url = f"/api/v1/admin/datasets/{dataset['id']}/price"
    res = client.put(url, json={"price": "1000"}, headers=admin["headers"])
    assert res.status_code == 200 and res.get_json()["price"] == "1000"
    assert client.get(f"/api/v1/datasets/{dataset['id']}", headers=key).json["price"] == "1000"
    monkeypatch.setitem(app.config, "DATASET_PRICE_CAP", 999)
    over = client.put(url, json={"price": "1000"}, headers=admin["headers"])
    assert over.status_code == 422 and "cap" in over.get_json()["message"]
    arabic = client.put(url, json={"price": ARABIC_INDIC_100}, headers=admin["headers"])
    assert arabic.status_code == 422
    assert client.put(url, json={"price": "5"}, headers=key).status_code == 403
    missing = client.put(
        "/api/v1/admin/datasets/99999/price", json={"price": "5"}, headers=admin["headers"]
    )
    assert missing.status_code == 404


def test_lab_account_needs_a_lab_key(client):
    user = sign_in(client)
    assert client.get("/api/v1/labs/me", headers=user["headers"]).status_code == 403
    assert client.get("/api/v1/labs/me/charges").status_code == 401


def test_openapi_documents_amounts_as_ascii_digit_strings(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    for name, field in (("DepositIn", "amount"), ("PriceIn", "price"), ("AccountOut", "balance")):
        prop = schemas[name]["properties"][field]
        assert (prop["type"], prop["pattern"]) == ("string", "^[0-9]{1,78}$"), (name, prop)
    assert schemas["PriceIn"]["properties"]["price"]["description"] == "base units, ASCII digits"
