"""The scoring process: web workers hand POST /reward/score to it and never load torch."""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from server.scoring.scorer_service import MAX_REQUEST, Scorer
from tests.factories import make_training_round, sign_in

ROOT = Path(__file__).resolve().parents[3]
# A web app in a fresh interpreter: it serves one score request, then says which modules of
# the model stack (the ``train`` extra, which the web image does not install) it imported.
WEB = """
import json, sys
from server import create_app
from tests.factories import app_config, sign_in
app = create_app(app_config(sys.argv[1], sys.argv[2], SCORER_SOCKET=sys.argv[3]))
client = app.test_client()
user = sign_in(client)
res = client.post(
    "/api/v1/reward/score", json={"prompt": "Hi", "answer": "Hello!"}, headers=user["headers"]
)
stack = ("torch", "transformers", "trl", "datasets", "accelerate", "peft", "scipy",
         "reward_model.score")
loaded = sorted(name for name in stack if name in sys.modules)
print(json.dumps({"status": res.status_code, "body": res.get_json(), "loaded": loaded}))
"""


def _tiny_model(folder: Path) -> Path:
    """A real (untrained) tiny reward model saved as a round's artifact."""
    from reward_model.backbones import load_backbone

    model, tokenizer = load_backbone("tiny")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.mark.slow
def test_web_scores_through_the_scorer_without_loading_torch(
    app, database_url, redis_url, tmp_path
):
    with app.app_context():
        round_id = make_training_round(artifact_path=str(_tiny_model(tmp_path / "model"))).id
    folder = Path(tempfile.mkdtemp(prefix="scorer-", dir="/tmp"))
    path = folder / "scorer.sock"
    env = {
        **os.environ,
        "LIFTLEDGER_ENV": "development",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SCORER_SOCKET": str(path),
        "PYTHONPATH": str(ROOT),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "server.scoring.scorer_service"], cwd=ROOT, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while not path.exists():
            assert process.poll() is None and time.monotonic() < deadline, "no scorer socket"
            time.sleep(0.05)
        web = subprocess.run(
            [sys.executable, "-c", WEB, database_url, redis_url, str(path)],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)
    seen = json.loads(web.stdout.strip().splitlines()[-1])
    assert seen["status"] == 200 and seen["body"]["round_id"] == round_id, seen
    assert isinstance(seen["body"]["score"], float)
    assert seen["loaded"] == []


def test_an_unreachable_scorer_is_503(client, monkeypatch, app):
    monkeypatch.setitem(app.config, "SCORER_SOCKET", "/tmp/no-such-scorer.sock")
    user = sign_in(client)
    res = client.post(
        "/api/v1/reward/score", json={"prompt": "a", "answer": "b"}, headers=user["headers"]
    )
    assert res.status_code == 503 and res.headers["Retry-After"] == "5"
    assert "scorer" in res.get_json()["message"]


@pytest.mark.parametrize(
    "line", [b"not json", b'{"prompt": 1, "answer": "b"}', b'{"prompt": "a"}', b"[1, 2]"]
)
def test_the_scorer_refuses_what_is_not_a_score_request(app, line):
    reply = Scorer(app).answer(line)
    assert reply["ok"] is False and reply["reason"] == "invalid"


def test_the_scorer_refuses_an_oversized_request_unread(scorer):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(10)
        conn.connect(str(scorer))
        conn.sendall(b"x" * (MAX_REQUEST + 10) + b"\n")
        reply = json.loads(conn.makefile("rb").readline())
    assert reply == {"ok": False, "reason": "invalid", "message": "Request too large."}
