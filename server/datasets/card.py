"""Dataset cards: ``README.md`` in Hugging Face's dataset-card format (YAML header + Markdown).

The header carries what the Hub reads (licence, languages, task, size, configs with the data
files); the body states sources, counts, licences, filters, how the data was collected, how to
verify membership, and the known limits. YAML scalars are written as JSON strings, which YAML
reads back unchanged, so no YAML library is needed to write it.
"""

import json

from server.datasets.models import Dataset

HF_LICENCES = {"cc-by-4.0": "cc-by-4.0", "research-only": "other"}
SIZES = [(1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")]
COLUMNS = (
    ("prompt", "the user's prompt (scrubbed)"),
    ("chosen", "the preferred answer (scrubbed)"),
    ("rejected", "the dispreferred answer (scrubbed)"),
    ("margin", "rater agreement behind the pair (0 = a single rater)"),
    ("source", "rating, pairwise or correction: the kind of feedback the pair came from"),
    ("site", "the chatbot site the feedback was given on"),
    ("licence", "the licence the contributors gave the item"),
    ("pair_id", "the preference's id in Liftledger"),
    ("item_hash", "sha256 of the JSON list [prompt, chosen, rejected]; a Merkle leaf"),
    ("contributor", "pseudonym of the first contributor: HMAC of the address, per dataset"),
    ("contributors", "pseudonyms of every contributor behind the pair"),
    ("tags", "error and quality tags the contributors attached"),
    ("spans", "tagged character spans {start, end, tag} in the judged answer"),
    ("correction", "the contributor's rewritten answer, for corrections"),
)
LIMITS = (
    "Contributors are volunteers using a browser extension; they are not a representative "
    "sample of users, and their judgements reflect their own expertise and preferences.",
    "Rating pairs combine thumbs-up and thumbs-down answers to the same prompt; a margin of 0 "
    "means a single rater, so treat low-margin pairs as noisy.",
    "E-mail addresses, phone numbers and wallet addresses are replaced by `[email]`, `[phone]` "
    "and `[wallet]`; other personal data (names, street addresses) may remain.",
    "Span offsets index the answer as it was judged, before scrubbing.",
    "Some prompts come from red-team conversations and contain offensive content.",
)


def _q(value) -> str:
    """A YAML scalar (JSON-quoted)."""
    return json.dumps(value, ensure_ascii=False)


def _size(n: int) -> str:
    """Hugging Face's size category."""
    return next((label for limit, label in SIZES if n < limit), "1M<n<10M")


def header(dataset: Dataset) -> str:
    """The YAML block between the ``---`` lines."""
    licences = sorted({HF_LICENCES.get(lic, "other") for lic in dataset.licences})
    lines = ["---", f"pretty_name: {_q(f'{dataset.name} v{dataset.version}')}", "license:"]
    lines += [f"- {_q(lic)}" for lic in licences]
    if "other" in licences:
        lines += [f"license_name: {_q('liftledger-research-only')}"]
        lines += [f"license_link: {_q('LICENSE.md')}"]
    lines += ["language:", "- en", "task_categories:", "- text-classification", "tags:"]
    lines += [f"- {_q(t)}" for t in ("rlhf", "preference", "reward-modeling", "human-feedback")]
    lines += ["size_categories:", f"- {_q(_size(dataset.row_count))}", "configs:"]
    lines += [f"- config_name: {_q('default')}", "  data_files:"]
    lines += [f"  - split: {_q('train')}", f"    path: {_q('data/train-*.parquet')}", "---"]
    return "\n".join(lines)


def _table(counts: dict, name: str) -> str:
    """A two-column Markdown table of counts."""
    rows = [f"| {name} | rows |", "|---|---|"]
    rows += [f"| {key} | {value} |" for key, value in sorted(counts.items())]
    return "\n".join(rows)


def render_card(dataset: Dataset) -> str:
    """The whole README.md of a snapshot."""
    counts = dataset.counts or {}
    filters = json.dumps(dataset.filters or {}, indent=2, sort_keys=True)
    body = [
        header(dataset),
        f"# {dataset.name} (version {dataset.version})",
        f"{dataset.row_count} human preference pairs (prompt, chosen, rejected) for training "
        "reward models, collected by Liftledger.",
        "## Sources\n" + _table(counts.get("site", {}), "site"),
        "## Counts\n"
        + _table(counts.get("source", {}), "source")
        + f"\n\n{counts.get('contributors', 0)} distinct contributors.",
        "## Licences\n" + _table(dataset.licences or {}, "licence"),
        f"## Filters\nThe snapshot was selected with:\n\n```json\n{filters}\n```",
        "## Collection method\nContributors rate chatbot answers, choose between two answers, "
        "tag error spans or rewrite answers in a browser extension while they use chatbots. "
        "Pairwise choices give (chosen, rejected) directly; corrections give (rewrite > "
        "original); ratings on answers to the same prompt give thumbs-up > thumbs-down. "
        "Withdrawn feedback and feedback licensed `no-training` are never included.",
        "## Columns\n" + "\n".join(f"- `{name}`: {text}" for name, text in COLUMNS),
        f"## Verification\nMerkle root: `{dataset.merkle_root}` over the `item_hash` column "
        "in file order (leaf = sha256(0x00 || item_hash), node = sha256(0x01 || left || "
        "right), an odd last node moves up). Any contributor can ask for the proof of an item.",
        "## Known limitations\n" + "\n".join(f"- {text}" for text in LIMITS),
        "## Usage\n```python\nfrom datasets import load_dataset\n"
        'ds = load_dataset("parquet", data_files="train.parquet", split="train")\n```',
    ]
    return "\n\n".join(body) + "\n"
