"""Test factories, the one place tests import them from.

Two kinds:
- HTTP factories take a test client (or CLI runner) and go through the real endpoints:
  ``sign_in``/``make_user`` (a real wallet and SIWE signature), ``make_device``,
  ``make_lab_key``, ``make_feedback_payload``, ``post_feedback``, ``make_snapshot``,
  ``import_yardstick_file`` (through ``flask yardstick import``), ``import_gold_file``
  (through ``flask gold import``); ``app_config`` builds a test app's configuration.
- Row factories ``make_<model>(**fields)`` insert one row of each model with valid defaults
  in the current app context and return it (committed); pass any column to override.
  ``tests/test_factories.py`` checks that every model has one.
"""

import hashlib
import json
import uuid
from functools import cache

from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak

from reward_model.sources import QA_PATH, load_qa_feedback
from server.adapter_health.models import AdapterHealthEvent
from server.auth.credentials import Credential
from server.auth.models import RefreshToken, User
from server.config import TestingConfig
from server.datasets.models import Dataset, DatasetItem, Download, Royalty
from server.extensions import db
from server.feedback.models import Answer, Feedback
from server.gold.models import GoldAnswer, GoldItem
from server.labs.models import Lab, LabTransaction
from server.models_base import utcnow
from server.rewards.models import Claim, LedgerEntry, RoundBalance, RoundPool, RoundRoot
from server.rounds.models import AuthorValue, Preference, PreferenceValue, TrainingRound
from server.yardsticks.models import Yardstick, YardstickLift, YardstickPair

SIWE_DOMAIN, SIWE_URI = "localhost", "http://localhost"
# The voucher signer tests configure (the `signer` fixture puts it in a real keystore).
SIGNER = Account.from_key(keccak(text="liftledger rewards test signer"))
SIGNER_PASSWORD = "rewards-test-password"
ALL_LAB_SCOPES = "datasets:read,datasets:write"


# Six gold comparisons with plainly right and wrong answers (the gold tests' pool).
GOLD_ROWS = [
    {"prompt": f"Gold question {n}: what is {n} + {n}?", "chosen": f"It is {2 * n}.",
     "rejected": f"It is {2 * n + 1}."}
    for n in range(1, 7)
]  # fmt: skip


def app_config(database_url: str, redis_url: str, **overrides) -> dict:
    """The test configuration as a dict of overrides on TestingConfig."""
    config = {k: getattr(TestingConfig, k) for k in dir(TestingConfig) if k.isupper()}
    config.update(
        SQLALCHEMY_DATABASE_URI=database_url,
        REDIS_URL=redis_url,
        SIWE_DOMAIN=SIWE_DOMAIN,
        SIWE_URI=SIWE_URI,
        CHAIN_ID=1,
    )
    config.update(overrides)
    return config


# --- HTTP factories ---------------------------------------------------------------------


def sign(account, message: str) -> str:
    """personal_sign of a text with a real key."""
    return account.sign_message(encode_defunct(text=message)).signature.to_0x_hex()


def request_nonce(client, address: str) -> tuple[str, str]:
    """Ask for a nonce; return it and the EIP-4361 message to sign."""
    body = client.post("/api/v1/auth/nonce", json={"address": address}).get_json()
    return body["nonce"], body["message"]


def verify(client, message: str, signature: str):
    """POST a signed message to the verify endpoint; the response."""
    return client.post("/api/v1/auth/verify", json={"message": message, "signature": signature})


def sign_in(client, account=None) -> dict:
    """Sign in through the real nonce/verify flow; returns the token response plus account."""
    account = account or Account.create()
    _, message = request_nonce(client, account.address)
    res = verify(client, message, sign(account, message))
    assert res.status_code == 200, res.get_json()
    body = res.get_json()
    body["account"] = account
    body["headers"] = {"Authorization": f"Bearer {body['access_token']}"}
    return body


make_user = sign_in


def make_device(client, user: dict, name: str = "browser extension") -> dict:
    """A device token created by a signed-in user; its auth headers."""
    res = client.post("/api/v1/auth/devices", json={"name": name}, headers=user["headers"])
    assert res.status_code == 201, res.get_json()
    return {"Authorization": f"Bearer {res.get_json()['token']}"}


def make_lab_key(runner, lab: str = "Acme", scopes: str = ALL_LAB_SCOPES) -> dict:
    """Create (if needed) a lab and a key through the CLI; the key's auth headers."""
    runner.invoke(args=["labs", "create", lab])
    result = runner.invoke(args=["labs", "create-key", lab, "--scopes", scopes])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("lld_lab_")
    return {"Authorization": f"Bearer {key}"}


@cache
def qa_items() -> tuple[dict, ...]:
    """The real fine-grained QA feedback items shipped in data/."""
    import gzip

    with gzip.open(QA_PATH, "rt") as fh:
        return tuple(json.load(fh))


def make_feedback_payload(index: int = 0, **overrides) -> dict:
    """A valid single-feedback body (a 👎 rating) built from real qa-feedback item `index`."""
    item = qa_items()[index]
    payload = {
        "client_id": str(uuid.uuid4()),
        "site": "chatgpt",
        "conversation_id": f"conv-{index}",
        "message_id": f"msg-{index}",
        "model_name": "gpt-4o",
        "prompt": item["question"],
        "answer": item["prediction 1"],
        "kind": "rating",
        "rating": -1,
        "tags": [],
        "spans": [],
    }
    payload.update(overrides)
    return payload


def post_feedback(client, user: dict, index: int, kind: str = "pairwise", **overrides) -> dict:
    """A wallet posts one feedback item of `kind` built from real qa-feedback; the stored row."""
    item = qa_items()[index]
    fields: dict = {"kind": kind, "rating": None}
    if kind == "pairwise":
        fields.update(other_answer={"text": item["prediction 2"]}, choice="b")
    if kind == "correction":
        fields["corrected_text"] = item["gold"]
    payload = make_feedback_payload(index, **{**fields, **overrides})
    res = client.post("/api/v1/feedback", json=payload, headers=user["headers"])
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def make_snapshot(client, headers: dict, name: str = "hh", **body) -> dict:
    """POST a snapshot with a lab key and return its JSON (asserting 201)."""
    res = client.post("/api/v1/datasets", json={"name": name, **body}, headers=headers)
    assert res.status_code == 201, res.get_json()
    return res.get_json()


def demo_records(limit: int = 10) -> list[dict]:
    """Real qa-feedback records in the API's POST shape."""
    return load_qa_feedback(QA_PATH, limit=limit)


def user_id(app, address: str) -> int:
    """The id of the user signed in with ``address``."""
    with app.app_context():
        return db.session.scalar(db.select(User.id).where(User.address == address))


def make_credits(app, round_id: int, weights: dict[int, float]) -> list[tuple[int, int]]:
    """Credit a round's pool by weights through the real service, in its own app context;
    (user id, amount) of the new ledger entries."""
    from server.rewards.services import credit_round

    with app.app_context():
        return [(e.user_id, e.amount) for e in credit_round(round_id, weights)]


# --- Row factories ------------------------------------------------------------------------


def _add(row):
    """Insert and commit one row; return it."""
    db.session.add(row)
    db.session.commit()
    return row


def _hash(*parts: object) -> str:
    """A SHA-256 hex digest of the parts (unique per call when a uuid is among them)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def make_account(**fields) -> User:
    """A user row with a fresh wallet address (no sign-in)."""
    return _add(User(**{"address": Account.create().address, **fields}))


def make_refresh_token(**fields) -> RefreshToken:
    """A live refresh token row of a (new) user."""
    user_id = fields.pop("user_id", None) or make_account().id
    now = utcnow()
    defaults = {
        "token_hash": _hash(uuid.uuid4()),
        "family": uuid.uuid4().hex,
        "expires_at": now.replace(year=now.year + 1),
    }
    return _add(RefreshToken(user_id=user_id, **{**defaults, **fields}))


def make_lab(**fields) -> Lab:
    """A lab with a unique name."""
    return _add(Lab(**{"name": f"lab-{uuid.uuid4().hex[:8]}", **fields}))


def make_credential(kind: str = "device", **fields) -> Credential:
    """A device token (of a new user) or a lab key (of a new lab), stored hashed."""
    if kind == "device":
        owner = {"user_id": fields.pop("user_id", None) or make_account().id}
    else:
        owner = {"lab_id": fields.pop("lab_id", None) or make_lab().id}
    defaults = {
        "kind": kind,
        "token_hash": _hash(uuid.uuid4()),
        "prefix": f"lld_{kind[:3]}_test",
        "scopes": "feedback:write" if kind == "device" else "datasets:read",
        **owner,
    }
    return _add(Credential(**{**defaults, **fields}))


def make_answer(**fields) -> Answer:
    """An answer stored once, from real qa-feedback text."""
    item = qa_items()[fields.pop("index", 0)]
    prompt, text = item["question"], item["prediction 1"]
    defaults = {
        "site": "generic",
        "prompt_text": prompt,
        "answer_text": text,
        "prompt_hash": _hash(prompt),
        "answer_hash": _hash(text, uuid.uuid4()),
    }
    return _add(Answer(**{**defaults, **fields}))


def make_feedback(**fields) -> Feedback:
    """A live 👍 rating row by a (new) user on a (new) answer."""
    defaults = {
        "client_id": str(uuid.uuid4()),
        "kind": "rating",
        "rating": 1,
        "licence": "cc-by-4.0",
        "content_hash": _hash(uuid.uuid4()),
    }
    user_id = fields.pop("user_id", None) or make_account().id
    answer_id = fields.pop("answer_id", None) or make_answer().id
    return _add(Feedback(user_id=user_id, answer_id=answer_id, **{**defaults, **fields}))


def make_preference(**fields) -> Preference:
    """A preference pair from real qa-feedback texts."""
    item = qa_items()[fields.pop("index", 0)]
    defaults = {
        "key": _hash(uuid.uuid4()),
        "prompt": item["question"],
        "chosen": item["gold"],
        "rejected": item["prediction 1"],
        "source": "pairwise",
        "site": "generic",
        "licence": "cc-by-4.0",
    }
    return _add(Preference(**{**defaults, **fields}))


def make_training_round(**fields) -> TrainingRound:
    """A finished training round on the tiny backbone."""
    defaults = {"backbone": "tiny", "status": "finished", "finished_at": utcnow()}
    return _add(TrainingRound(**{**defaults, **fields}))


def make_preference_value(**fields) -> PreferenceValue:
    """A preference's lift in a (new) round."""
    round_id = fields.pop("round_id", None) or make_training_round().id
    preference_id = fields.pop("preference_id", None) or make_preference().id
    defaults = {"lift": 1e-4, "weight": 1e-4}
    return _add(
        PreferenceValue(round_id=round_id, preference_id=preference_id, **{**defaults, **fields})
    )


def make_author_value(**fields) -> AuthorValue:
    """An author's lift total in a (new) round."""
    round_id = fields.pop("round_id", None) or make_training_round().id
    user_id = fields.pop("user_id", None) or make_account().id
    defaults = {"lift": 1e-4, "reliability": 1.0, "weight": 1e-4, "preferences": 1}
    return _add(AuthorValue(round_id=round_id, user_id=user_id, **{**defaults, **fields}))


def make_ledger_entry(**fields) -> LedgerEntry:
    """A credit appended to the hash-chained ledger through its one writer."""
    from server.rewards import ledger

    user_id = fields.pop("user_id", None) or make_account().id
    kind, amount = fields.pop("kind", "credit"), fields.pop("amount", 10**18)
    entry = ledger.append(kind, user_id, amount, fields.pop("round_id", None))
    assert not fields, f"ledger entries are append-only; cannot set {sorted(fields)}"
    db.session.commit()
    return entry


def make_round_root(**fields) -> RoundRoot:
    """A published Merkle root of a (new) round."""
    round_id = fields.pop("round_id", None) or make_training_round().id
    defaults = {"root": "0x" + _hash(uuid.uuid4()), "leaves": 1, "total": 10**18}
    return _add(RoundRoot(round_id=round_id, **{**defaults, **fields}))


def make_round_pool(**fields) -> RoundPool:
    """The pool a (new) round is credited from."""
    round_id = fields.pop("round_id", None) or make_training_round().id
    return _add(RoundPool(round_id=round_id, **{"pool": 10**21, **fields}))


def make_round_balance(**fields) -> RoundBalance:
    """A user's cumulative balance leaf in a (new) round."""
    user = db.session.get(User, fields.pop("user_id", None) or make_account().id)
    round_id = fields.pop("round_id", None) or make_training_round().id
    defaults = {"address": user.address, "cumulative_amount": 10**18}
    return _add(RoundBalance(round_id=round_id, user_id=user.id, **{**defaults, **fields}))


def make_claim(**fields) -> Claim:
    """An issued claim row (no voucher signed) of a (new) user."""
    user_id = fields.pop("user_id", None) or make_account().id
    defaults = {
        "amount": 10**18,
        "cumulative_amount": 10**18,
        "nonce": 1,
        "deadline": 2**32,
        "chain_id": 1,
    }
    return _add(Claim(user_id=user_id, **{**defaults, **fields}))


def make_dataset(**fields) -> Dataset:
    """An empty snapshot version of a (new) lab."""
    lab_id = fields.pop("lab_id", None) or make_lab().id
    defaults = {
        "name": f"set-{uuid.uuid4().hex[:8]}",
        "version": 1,
        "row_count": 0,
        "merkle_root": hashlib.sha256(b"").hexdigest(),
        "pseudonym_salt": uuid.uuid4().hex,
    }
    return _add(Dataset(lab_id=lab_id, **{**defaults, **fields}))


def make_dataset_item(**fields) -> DatasetItem:
    """One frozen row of a (new) snapshot."""
    dataset_id = fields.pop("dataset_id", None) or make_dataset().id
    defaults = {"position": 0, "preference_id": 1, "item_hash": _hash(uuid.uuid4()), "record": "{}"}
    return _add(DatasetItem(dataset_id=dataset_id, **{**defaults, **fields}))


def make_download(**fields) -> Download:
    """A download of a (new) snapshot with a (new) lab key."""
    dataset = db.session.get(Dataset, fields.pop("dataset_id", None) or make_dataset().id)
    key_id = fields.pop("key_id", None) or make_credential("lab", lab_id=dataset.lab_id).id
    defaults = {"lab_id": dataset.lab_id, "format": "jsonl"}
    return _add(Download(dataset_id=dataset.id, key_id=key_id, **{**defaults, **fields}))


def make_royalty(**fields) -> Royalty:
    """A contributor's share of a (new) download, with its ledger credit."""
    download_id = fields.pop("download_id", None) or make_download().id
    entry = make_ledger_entry(user_id=fields.pop("user_id", None) or make_account().id)
    defaults = {"amount": entry.amount, "ledger_seq": entry.seq}
    return _add(Royalty(download_id=download_id, user_id=entry.user_id, **{**defaults, **fields}))


def make_adapter_health_event(**fields) -> AdapterHealthEvent:
    """An anonymous report that a ChatGPT page no longer fits its adapter."""
    defaults = {
        "site": "chatgpt",
        "adapter_version": "2026.07",
        "selector": "turn",
        "problem": "no-answer",
    }
    return _add(AdapterHealthEvent(**{**defaults, **fields}))


def make_lab_transaction(**fields) -> LabTransaction:
    """A deposit an admin credited to a (new) lab; ``kind="charge"`` charges a (new) download."""
    kind = fields.pop("kind", "deposit")
    if kind == "charge":
        download = db.session.get(Download, fields.pop("download_id", None) or make_download().id)
        fields = {"lab_id": download.lab_id, "download_id": download.id, **fields}
    lab_id = fields.pop("lab_id", None) or make_lab().id
    return _add(LabTransaction(lab_id=lab_id, kind=kind, **{"amount": 10**18, **fields}))


def make_yardstick(**fields) -> Yardstick:
    """A two-pair admins' yardstick (metadata and its pairs)."""
    pairs = [("2+2?", "4", "5"), ("capital of France?", "Paris", "Lyon")]
    keys = [_hash(*p) for p in pairs]
    defaults = {"name": f"y-{uuid.uuid4().hex[:8]}", "version": 1, "n_pairs": 2,
                "content_hash": _hash(*sorted(keys))}  # fmt: skip
    yardstick = _add(Yardstick(**{**defaults, **fields}))
    for key, (prompt, chosen, rejected) in zip(keys, pairs, strict=True):
        db.session.add(YardstickPair(yardstick_id=yardstick.id, key=key, prompt=prompt,
                                     chosen=chosen, rejected=rejected))  # fmt: skip
    db.session.commit()
    return yardstick


def make_yardstick_pair(**fields) -> YardstickPair:
    """One reference judgement of a (new) yardstick."""
    yardstick_id = fields.pop("yardstick_id", None) or make_yardstick().id
    defaults = {"key": _hash(uuid.uuid4()), "prompt": "p", "chosen": "good", "rejected": "bad"}
    return _add(YardstickPair(yardstick_id=yardstick_id, **{**defaults, **fields}))


def make_yardstick_lift(**fields) -> YardstickLift:
    """An author's lift on a (new) lab yardstick in a (new) round."""
    round_id = fields.pop("round_id", None) or make_training_round().id
    yardstick_id = fields.pop("yardstick_id", None) or make_yardstick(lab_id=make_lab().id).id
    user_id = fields.pop("user_id", None) or make_account().id
    return _add(YardstickLift(round_id=round_id, yardstick_id=yardstick_id, user_id=user_id,
                              **{"lift": 1e-4, **fields}))  # fmt: skip


def make_gold_item(**fields) -> GoldItem:
    """An active item of a (new) gold pool: the better and the worse answer to a prompt."""
    from reward_model.yardstick import overlap_key

    tag = uuid.uuid4().hex[:8]
    texts = {"prompt": f"Which planet is largest? ({tag})", "better": "Jupiter.",
             "worse": "Mars."}  # fmt: skip
    texts.update({k: fields.pop(k) for k in list(texts) if k in fields})
    defaults = {"pool": f"g-{tag}", "version": 1, "active": True,
                "key": overlap_key(texts["prompt"], texts["better"], texts["worse"])}  # fmt: skip
    return _add(GoldItem(**{**defaults, **texts, **fields}))


def make_gold_answer(**fields) -> GoldAnswer:
    """A (new) user's correct answer to a (new) gold item shown better-first."""
    user_id = fields.pop("user_id", None) or make_account().id
    item_id = fields.pop("item_id", None) or make_gold_item().id
    defaults = {"first": "better", "choice": "a", "correct": True, "answered_at": utcnow()}
    return _add(GoldAnswer(user_id=user_id, item_id=item_id, **{**defaults, **fields}))


def import_gold_file(runner, tmp_path, rows: list[dict], pool: str = "default") -> str:
    """Import prompt/chosen/rejected rows as a gold pool through `flask gold import`; the
    command's output."""
    path = tmp_path / f"gold-{pool}.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    result = runner.invoke(args=["gold", "import", str(path), "--pool", pool])
    assert result.exit_code == 0, result.output
    return result.output


def import_yardstick_file(runner, tmp_path, n: int = 40) -> None:
    """Import the last `n` HH dialogues (never posted by the demo) as the default yardstick,
    through `flask yardstick import`, so that tiny rounds value on few pairs."""
    from reward_model.data import build_pairs
    from reward_model.sources import HH_PATH, load_hh, records_to_rows

    pairs = build_pairs(records_to_rows(load_hh(HH_PATH)[-n:]))
    path = tmp_path / "yardstick.jsonl"
    rows = [{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected} for p in pairs]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    imported = runner.invoke(args=["yardstick", "import", str(path)])
    assert imported.exit_code == 0 and "imported" in imported.output, imported.output
