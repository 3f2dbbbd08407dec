"""The development signer keystore and where the service looks for its key."""

from pathlib import Path

import pytest
from eth_account import Account

from server.rewards.signer import DEV_KEYSTORE, DEV_PASSWORD, ensure_dev_signer, keystore_settings
from server.rewards.vouchers import load_signer


@pytest.fixture
def dev_instance(app, tmp_path, monkeypatch) -> Path:
    """The app with no signer configured and a fresh instance folder."""
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SIGNER_KEY_FILE", None)
    monkeypatch.setitem(app.config, "SIGNER_KEY_PASSWORD", None)
    return tmp_path


def test_ensure_dev_signer_creates_once(app, dev_instance):
    path = ensure_dev_signer(app)
    assert path == dev_instance / DEV_KEYSTORE
    account = load_signer(path, DEV_PASSWORD)
    assert Account.from_key(account.key).address == account.address
    before = path.read_bytes()
    assert ensure_dev_signer(app) == path and path.read_bytes() == before  # never replaced
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_no_dev_signer_in_production(app, dev_instance, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    assert ensure_dev_signer(app) is None
    assert keystore_settings(app) is None
    assert not (dev_instance / DEV_KEYSTORE).exists()


def test_configured_keystore_wins(app, dev_instance, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNER_KEY_FILE", "/secrets/signer.json")
    monkeypatch.setitem(app.config, "SIGNER_KEY_PASSWORD", "pw")
    assert keystore_settings(app) == (Path("/secrets/signer.json"), "pw")


def test_cli_dev_signer(app, runner, dev_instance):
    result = runner.invoke(args=["ledger", "dev-signer"])
    assert result.exit_code == 0, result.output
    assert (dev_instance / DEV_KEYSTORE).exists()
    assert str(dev_instance / DEV_KEYSTORE) in result.output


def test_cli_dev_signer_refused_in_production(app, runner, dev_instance, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    result = runner.invoke(args=["ledger", "dev-signer"])
    assert result.exit_code != 0 and "SIGNER_KEY_FILE" in result.output


def test_new_signer_writes_a_keystore_the_service_loads(runner, tmp_path):
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
