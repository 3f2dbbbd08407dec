"""Dashboard pages render, carry only public config, and serve the claim ABI fragment."""

import json
import re

import pytest
from eth_utils import function_signature_to_4byte_selector

from server.dashboard.routes import CLAIMS_ARTIFACT, claim_function


def page_config(html: str) -> dict:
    """The JSON the server rendered into <script id="config">."""
    match = re.search(r'<script type="application/json" id="config">(.*?)</script>', html, re.S)
    assert match, "no config script in page"
    return json.loads(match.group(1))


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        ("/", "Sign in with wallet"),
        ("/dashboard", "Earnings per round"),
        ("/dashboard/rounds/7", "Round 7"),
    ],
)
def test_pages_render(client, path, needle):
    res = client.get(path)
    assert res.status_code == 200
    assert res.mimetype == "text/html"
    html = res.get_data(as_text=True)
    assert needle in html
    # Every script and stylesheet is ours: nothing loads from another origin.
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith("/"), url
        if url.startswith("/dashboard/static/"):
            assert client.get(url).status_code == 200, url
    assert (
        client.get(re.search(r'<script type="module" src="([^"]+)"', html).group(1)).status_code
        == 200
    )


def test_config_is_public_only(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "EXTENSION_ID", "abcdefghijklmnopabcdefghijklmnop")
    config = page_config(client.get("/dashboard").get_data(as_text=True))
    assert config == {
        "extension_id": "abcdefghijklmnopabcdefghijklmnop",
        "token": {"symbol": "LIFT", "decimals": 18},
    }
    html = client.get("/").get_data(as_text=True)
    assert app.config["SECRET_KEY"] not in html
    assert app.config["JWT_SECRET"] not in html


@pytest.mark.parametrize(
    "path", ["/dashboard/rounds/abc", "/dashboard/rounds/-1", "/dashboard/nope"]
)
def test_unknown_pages_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "name", ["api.js", "wallet.js", "abi.js", "charts.js", "claim.js", "link.js", "round.js"]
)
def test_static_modules_served(client, name):
    res = client.get(f"/dashboard/static/js/{name}")
    assert res.status_code == 200
    assert "javascript" in res.mimetype


def test_contract_fragment_matches_artifact(client):
    res = client.get("/dashboard/contract.json")
    assert res.status_code == 200
    body = res.get_json()
    assert body["signature"] == ("claimWithVoucher(address,uint256,uint256,uint256,uint256,bytes)")
    expected = function_signature_to_4byte_selector(body["signature"])
    assert body["selector"] == "0x" + expected.hex()
    artifact = json.loads(CLAIMS_ARTIFACT.read_text())
    assert body["abi"][0] in artifact["abi"]


def test_contract_fragment_missing_artifact(tmp_path):
    claim_function.cache_clear()
    try:
        assert claim_function(tmp_path / "missing.json") is None
    finally:
        claim_function.cache_clear()
