"""docker-compose.yml (no Docker engine needed): the six services, the app environment it
gives web and worker is one the production config accepts, naming only settings that exist,
only the signer service gets the signer key, and only the worker and the scorer run the image
with torch."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SECRETS = {
    "SECRET_KEY": "s" * 40,
    "JWT_SECRET": "j" * 40,
    "POSTGRES_PASSWORD": "pg-password",
    "SIGNER_KEY_PASSWORD": "signer-password",
}


def interpolate(value: str, env: dict) -> str:
    """Compose's `${NAME}`, `${NAME:-default}` and `${NAME:?error}`."""

    def one(match: re.Match) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3)
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name}: {arg}")
        return arg if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:[-?])([^}]*))?\}", one, str(value))


def app_env(service: str, env: dict) -> dict:
    return {k: interpolate(v, env) for k, v in COMPOSE["services"][service]["environment"].items()}


def settings_read() -> set[str]:
    """Every environment variable the service or its image reads."""
    names = set(re.findall(r'_(?:env|int)\("(\w+)"', (ROOT / "server/config.py").read_text()))
    names |= set(re.findall(r"\$\{(\w+):-", (ROOT / "Dockerfile").read_text()))  # gunicorn
    return names | {"LIFTLEDGER_ENV", "INSTANCE_PATH"}


def test_services_match_what_ci_runs():
    services = COMPOSE["services"]
    assert set(services) == {"web", "worker", "signer", "scorer", "postgres", "redis"}
    assert services["postgres"]["image"] == "postgres:15"  # CI's PostgreSQL major version
    assert services["worker"]["command"] == ["flask", "--app", "wsgi", "worker"]
    assert services["worker"]["depends_on"]["web"]["condition"] == "service_healthy"
    for name in ("web", "worker"):  # one database, one Redis, one model volume
        volumes = ["instance:/data", "signer-socket:/run/liftledger", "scorer-socket:/run/scorer"]
        assert services[name]["volumes"] == volumes
        assert app_env(name, SECRETS)["DATABASE_URL"] == app_env("web", SECRETS)["DATABASE_URL"]


def test_only_the_worker_and_the_scorer_run_torch():
    services = COMPOSE["services"]
    targets = {name: services[name]["build"]["target"] for name in ("web", "worker", "signer")}
    targets["scorer"] = services["scorer"]["build"]["target"]
    assert targets == {"web": "web", "signer": "web", "worker": "ml", "scorer": "ml"}
    stages = re.split(r"^FROM ", (ROOT / "Dockerfile").read_text(), flags=re.M)[1:]
    installs = {stage.split()[2]: ".[train]" in stage for stage in stages}
    assert installs == {"base": False, "ml": True, "web": False}
    scorer = services["scorer"]
    assert scorer["command"] == ["python", "-m", "server.scoring.scorer_service"]
    assert scorer["volumes"] == ["instance:/data", "scorer-socket:/run/scorer"]
    assert app_env("scorer", SECRETS)["SCORER_SOCKET"] == app_env("web", SECRETS)["SCORER_SOCKET"]


def test_only_the_signer_gets_the_key():
    signer = COMPOSE["services"]["signer"]
    assert signer["command"] == ["python", "-m", "server.rewards.signer_service"]
    assert signer["volumes"] == ["signer-keys:/keys", "signer-socket:/run/liftledger"]
    env = app_env("signer", SECRETS)
    assert env["SIGNER_KEY_FILE"] == "/keys/signer-keystore.json"
    assert env["SIGNER_KEY_PASSWORD"] == SECRETS["SIGNER_KEY_PASSWORD"]
    assert env["SIGNER_SOCKET"] == app_env("web", SECRETS)["SIGNER_SOCKET"]
    for name in ("web", "worker"):
        assert not [k for k in app_env(name, SECRETS) if k.startswith("SIGNER_KEY")]
        assert "signer-keys:/keys" not in COMPOSE["services"][name]["volumes"]


@pytest.mark.parametrize("service", ["web", "worker", "signer", "scorer"])
def test_every_setting_named_exists(service):
    assert set(app_env(service, SECRETS)) <= settings_read()


def test_secrets_must_be_given():
    for name in SECRETS:
        service = "signer" if name == "SIGNER_KEY_PASSWORD" else "web"
        with pytest.raises(KeyError, match=name):
            app_env(service, {k: v for k, v in SECRETS.items() if k != name})


def test_production_config_accepts_the_compose_environment(tmp_path):
    env = {**os.environ, **app_env("web", SECRETS), "INSTANCE_PATH": str(tmp_path)}
    script = (
        "import json; from server import create_app; app = create_app(); c = app.config;"
        "print(json.dumps([c['ENV_NAME'], c['SQLALCHEMY_DATABASE_URI'], c['REDIS_URL'],"
        " c['SIGNER_SOCKET']]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    name, database, redis, signer = json.loads(out.stdout.strip().splitlines()[-1])
    assert name == "production" and "@postgres:5432/liftledger" in database
    assert redis == "redis://redis:6379/0" and signer == "/run/liftledger/signer.sock"
