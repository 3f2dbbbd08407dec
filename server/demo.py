"""`flask demo seed`: real feedback from data/ posted by simulated wallets.

Every contributor signs in through the real SIWE flow and posts through the real endpoints,
in-process (Flask's test client) or against a running server (``--url``). Wallets and
client ids are derived from a seed, so running it again stores nothing twice.
"""

import json
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import click
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak
from flask import current_app
from flask.cli import AppGroup

from reward_model.sources import DATA_DIR, demo_limits, load_hh, load_qa_feedback
from server import demo_adversaries

demo_cli = AppGroup("demo", help="Demo data.")
BATCH = 200


class _UrlTransport:
    """POST JSON to a running server."""

    def __init__(self, base: str) -> None:
        """Remember the server's base URL."""
        self.base = base.rstrip("/")

    def post(self, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
        """POST and decode the JSON answer, errors included."""
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(
            self.base + path, json.dumps(body).encode(), headers, method="POST"
        )
        try:
            with urllib.request.urlopen(req, timeout=60) as res:
                return res.status, json.loads(res.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")


class _AppTransport:
    """POST JSON through the app's WSGI stack, in-process."""

    def __init__(self) -> None:
        """Use the current app's test client."""
        self.client = current_app.test_client()

    def post(self, path: str, body: dict, token: str | None = None) -> tuple[int, dict]:
        """POST and decode the JSON answer."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        res = self.client.post(path, json=body, headers=headers)
        return res.status_code, res.get_json() or {}


def wallet(seed: str, index: int):
    """A deterministic demo wallet (never use such keys for real funds)."""
    return Account.from_key(keccak(text=f"liftledger-demo:{seed}:{index}"))


def sign_in(transport, account) -> str:
    """Real SIWE sign-in; returns the access token."""
    status, body = transport.post("/api/v1/auth/nonce", {"address": account.address})
    if status != 200:
        raise click.ClickException(f"nonce failed ({status}): {body.get('message')}")
    signature = account.sign_message(encode_defunct(text=body["message"])).signature.to_0x_hex()
    status, tokens = transport.post(
        "/api/v1/auth/verify", {"message": body["message"], "signature": signature}
    )
    if status != 200:
        raise click.ClickException(f"sign-in failed ({status}): {tokens.get('message')}")
    return tokens["access_token"]


def post_records(transport, account, records: list[dict], counts: Counter) -> None:
    """Sign one wallet in and post its records in batches, counting the outcomes."""
    token = sign_in(transport, account)
    for start in range(0, len(records), BATCH):
        status, body = transport.post(
            "/api/v1/feedback/batch", {"items": records[start : start + BATCH]}, token
        )
        if status != 200:
            raise click.ClickException(f"batch failed ({status}): {body.get('message')}")
        counts.update(r["status"] for r in body["results"])


def seed_feedback(transport, records: list[dict], contributors: int, seed: str) -> Counter:
    """Deal the records round-robin to the contributors and post them in batches."""
    counts: Counter = Counter()
    with click.progressbar(range(contributors), label="contributors") as bar:
        for index in bar:
            post_records(transport, wallet(seed, index), records[index::contributors], counts)
    return counts


def adversary_wallets(seed: str) -> dict[str, object]:
    """The copier's, the random clicker's and the flipper's wallets."""
    return {name: wallet(f"{seed}:{name}", 0) for name in ("copier", "clicker", "flipper")}


def seed_adversaries(transport, honest: list[dict], own: list[dict], seed: str) -> Counter:
    """Post the copier's reposts of `honest` (the first contributor's records), and the random
    clicker's and the flipper's judgements of `own` (half each)."""
    counts: Counter = Counter()
    accounts = adversary_wallets(seed)
    half = len(own) // 2
    post_records(transport, accounts["copier"], demo_adversaries.copies(honest), counts)
    post_records(
        transport, accounts["clicker"], demo_adversaries.random_clicks(own[:half], seed), counts
    )
    post_records(transport, accounts["flipper"], demo_adversaries.flipped(own[half:]), counts)
    return counts


def seed_gold(contributors: int, seed: str, with_adversaries: bool) -> int:
    """Everyone's gold answers (in-process only), following each one's behaviour."""
    from server.auth.models import User
    from server.extensions import db

    behaviours = {wallet(seed, i).address: "honest" for i in range(contributors)}
    if with_adversaries:
        behaviours |= {a.address: name for name, a in adversary_wallets(seed).items()}
    users = db.session.execute(
        db.select(User.id, User.address).where(User.address.in_(list(behaviours)))
    ).all()
    per_day = current_app.config["GOLD_DAILY_CAP"]
    return demo_adversaries.seed_gold_answers(
        {uid: behaviours[address] for uid, address in users}, seed, per_day
    )


@demo_cli.command("seed")
@click.option("--contributors", default=8, show_default=True, help="Simulated wallets.")
@click.option("--hh", "hh_limit", default=400, show_default=True, help="HH-RLHF pairs to post.")
@click.option("--qa", "qa_limit", default=200, show_default=True, help="qa-feedback questions.")
@click.option("--data", type=click.Path(path_type=Path), default=DATA_DIR, show_default=True)
@click.option("--url", default=None, help="Post to a running server instead of in-process.")
@click.option("--seed", default="0", show_default=True, help="Derives wallets and client ids.")
@click.option(
    "--adversaries",
    is_flag=True,
    help="Add a copier, a random clicker and a flipper, and gold answers for everyone "
    "(in-process only).",
)
def seed_command(contributors, hh_limit, qa_limit, data, url, seed, adversaries) -> None:
    """Turn real feedback into posts by simulated contributors, through the real endpoints."""
    if contributors < 1:
        raise click.BadParameter("need at least one contributor", param_hint="--contributors")
    max_hh, max_qa = demo_limits(data)
    # The clicker and the flipper judge as many HH pairs as one honest contributor, each.
    extra = 2 * (hh_limit // contributors) if adversaries else 0
    for flag, asked, most in (("--hh", hh_limit + extra, max_hh), ("--qa", qa_limit, max_qa)):
        if asked > most:
            raise click.BadParameter(
                f"{asked} would post pairs of the default yardstick or gold pool (the "
                f"tail of each file, data/README.md); post at most {most}",
                param_hint=flag,
            )
    hh = load_hh(data / "hh-rlhf-harmless.jsonl.gz", limit=hh_limit + extra)
    records = hh[:hh_limit] + load_qa_feedback(data / "qa-feedback-dev.json.gz", limit=qa_limit)
    transport = _UrlTransport(url) if url else _AppTransport()
    if not url:  # a running server's own `flask setup` imports them there
        _import_defaults()
    counts = seed_feedback(transport, records, contributors, seed)
    click.echo(
        f"{len(records)} records from {contributors} contributors: "
        + ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    )
    if adversaries:
        extra_counts = seed_adversaries(transport, records[::contributors], hh[hh_limit:], seed)
        click.echo(
            "adversaries (a copier, a random clicker, a flipper): "
            + ", ".join(f"{k} {v}" for k, v in sorted(extra_counts.items()))
        )
        if url:
            click.echo("gold answers are seeded in-process only: run without --url for them")
        else:
            answers = seed_gold(contributors, seed, with_adversaries=True)
            click.echo(f"{answers} gold answers, each rater as right as its behaviour")


def _import_defaults() -> None:
    """The default yardstick and gold pool from data/, once each."""
    from server.gold.pools import ensure_default as ensure_default_gold
    from server.yardsticks.services import ensure_default

    yardstick, created = ensure_default()
    if created:
        click.echo(f"default yardstick imported: {yardstick.n_pairs} pairs never posted")
    gold, created = ensure_default_gold()
    if created:
        click.echo(f"default gold pool imported: {gold['n_items']} comparisons never posted")
