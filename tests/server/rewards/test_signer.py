"""The voucher signer: its keystore, its caps and daily limit, its socket, and a web app that
never holds key material."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from eth_account import Account

from server.config import signer_settings
from server.errors import Conflict, ServiceUnavailable
from server.rewards import signer_client
from server.rewards.signer import DEV_KEYSTORE, DEV_PASSWORD, ensure_dev_signer, keystore_location
from server.rewards.signer_service import Refused, Signer, build
from server.rewards.vouchers import Voucher, build_domain, load_signer, recover_voucher_signer
from tests.factories import SIGNER
from tests.live import ROOT

DOMAIN = build_domain(1, "0x" + "11" * 20)
ALICE = Account.create().address


def _request(cumulative: int, nonce: int = 1, claimant: str = ALICE, **domain) -> dict:
    """A signing request as the web sends it."""
    voucher = {"claimant": claimant, "cumulativeAmount": str(cumulative), "round": "1",
               "nonce": str(nonce), "deadline": "4000000000"}  # fmt: skip
    return {"domain": {**DOMAIN, **domain}, "voucher": voucher}


@pytest.fixture
def service(tmp_path) -> Signer:
    """A signer allowing 100 per voucher and 250 a day, for chain 1 and one contract."""
    return Signer(SIGNER, tmp_path / "signed.sqlite3", 100, 250, 1, DOMAIN["verifyingContract"])


def test_signed_vouchers_recover_to_the_signer(service):
    signed = service.sign(_request(100))
    voucher = Voucher(ALICE, 100, 1, 1, 4_000_000_000)
    assert recover_voucher_signer(DOMAIN, voucher, signed["signature"]) == SIGNER.address
    assert signed["message"]["cumulativeAmount"] == "100"


def test_caps_count_increments_over_what_was_signed(service):
    service.sign(_request(100))  # +100
    service.sign(_request(100, nonce=1))  # the same amount again (a new deadline): +0
    with pytest.raises(Refused) as above_cap:
        service.sign(_request(201, nonce=2))  # +101
    assert above_cap.value.reason == "cap"
    service.sign(_request(200, nonce=2))  # +100, 200 today
    with pytest.raises(Refused) as daily:
        service.sign(_request(100, nonce=1, claimant=Account.create().address))  # 300 > 250
    assert daily.value.reason == "daily"
    service.sign(_request(50, nonce=1, claimant=Account.create().address))  # 250: allowed


@pytest.mark.parametrize(
    "request_",
    [
        _request(1, chainId=5),
        _request(1, verifyingContract="0x" + "22" * 20),
        _request(1, name="Other"),
        {"voucher": {}},
        {"domain": DOMAIN, "voucher": {"claimant": "0x12"}},
        _request(-1),
    ],
)
def test_refuses_other_domains_and_malformed_requests(service, request_):
    reply = service.answer(json.dumps(request_).encode())
    assert reply["ok"] is False and reply["reason"] == "invalid" and reply["message"]


def test_answers_non_json_with_an_error(service):
    assert service.answer(b"{not json")["reason"] == "invalid"


def test_web_client_maps_refusals_to_errors(app, signer, monkeypatch):
    voucher = Voucher(ALICE, 10**31, 1, 1, 4_000_000_000)  # above the fixture's cap
    with app.test_request_context(), pytest.raises(Conflict):
        signer_client.sign(build_domain(1, "0x" + "00" * 20), voucher)
    monkeypatch.setitem(app.config, "SIGNER_SOCKET", "/tmp/nobody-listens.sock")
    with app.test_request_context(), pytest.raises(ServiceUnavailable):
        signer_client.sign(build_domain(1, "0x" + "00" * 20), voucher)


def test_dev_keystore_is_created_once_and_never_in_production(tmp_path):
    settings = signer_settings(tmp_path, "development")
    path = ensure_dev_signer(settings)
    assert path == tmp_path / DEV_KEYSTORE and oct(path.stat().st_mode & 0o777) == "0o600"
    before = path.read_bytes()
    assert ensure_dev_signer(settings) == path and path.read_bytes() == before
    assert load_signer(path, DEV_PASSWORD).address == build(settings).account.address
    production = signer_settings(tmp_path / "prod", "production")
    assert ensure_dev_signer(production) is None and keystore_location(production) is None
    with pytest.raises(SystemExit, match="SIGNER_KEY_FILE"):
        build(production)


def test_configured_keystore_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNER_KEY_FILE", "/secrets/signer.json")
    monkeypatch.setenv("SIGNER_KEY_PASSWORD", "pw")
    location = keystore_location(signer_settings(tmp_path, "production"))
    assert location == (Path("/secrets/signer.json"), "pw")


def test_cli_dev_signer(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    result = runner.invoke(args=["ledger", "dev-signer"])
    assert result.exit_code == 0 and str(tmp_path / DEV_KEYSTORE) in result.output
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    refused = runner.invoke(args=["ledger", "dev-signer"])
    assert refused.exit_code != 0 and "SIGNER_KEY_FILE" in refused.output


def test_new_signer_writes_a_keystore_the_signer_loads(runner, tmp_path):
    def new_signer(path, password):
        args = ["ledger", "new-signer", str(path)]
        return runner.invoke(args=args, env={"SIGNER_KEY_PASSWORD": password})

    path, password = tmp_path / "signer.json", "a long enough password"
    made = new_signer(path, password)
    assert made.exit_code == 0, made.output
    assert load_signer(path, password).address == made.output.split()[2]
    before = path.read_bytes()
    again = new_signer(path, password)
    assert again.exit_code != 0 and "never overwritten" in again.output
    assert path.read_bytes() == before
    short = new_signer(tmp_path / "short.json", "short")
    assert short.exit_code != 0 and not (tmp_path / "short.json").exists()


WEB = """
import json, sys
from wsgi import app
client = app.test_client()
status = client.post("/api/v1/claims").status_code  # a request through the claims code
print(json.dumps({
    "config": {k: str(v) for k, v in app.config.items()},
    "modules": sorted(m for m in sys.modules if m.startswith("server.")),
    "status": status,
}))
"""


def test_the_web_app_holds_no_key_material(tmp_path):
    password = "the-signer-password-only-the-signer-gets"
    env = {
        "PATH": "/usr/bin:/bin",
        "LIFTLEDGER_ENV": "development",
        "INSTANCE_PATH": str(tmp_path),
        "SIGNER_KEY_FILE": str(tmp_path / "signer.json"),
        "SIGNER_KEY_PASSWORD": password,  # even when a deployment leaks it to the web
    }
    out = subprocess.run(
        [sys.executable, "-c", WEB], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert not [k for k in seen["config"] if k.startswith("SIGNER_KEY")]
    assert not [k for k, v in seen["config"].items() if password in v]
    assert "server.rewards.signer_service" not in seen["modules"]
    assert "server.rewards.signer_client" in seen["modules"] and seen["status"] == 401
