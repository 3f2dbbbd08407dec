"""The text a reward model reads for (prompt, answer), as token ids, truncated from the left.

Encoders (no chat template, e.g. BERT/MiniLM) read the dialogue as one text,
`[CLS] prompt⏎⏎Assistant: answer [SEP]`, cut from the left: the judged answer and the turns
just before it survive, the oldest turns go first. This is what a bare trl script does with
`truncation_side="left"`; on HH it beat reading (prompt, answer) as a BERT text pair with a
reserved prompt share (held-out accuracy 0.593 vs 0.565, bench/train.py). Decoders with a
chat template read the conversation rendered by that template, also cut from the left.
"""

from __future__ import annotations

from typing import Any

TURN = "\n\nAssistant: "
FORMAT = "dialogue-left"  # names this encoding in feature caches


def uses_chat_template(tokenizer: Any) -> bool:
    """True when the backbone reads chat-formatted text (its tokenizer has a template)."""
    return bool(getattr(tokenizer, "chat_template", None))


def _encode_chat(tokenizer: Any, prompt: str, answer: str, max_length: int) -> list[int]:
    """Chat-template rendering of one user turn and one assistant turn, left-truncated."""
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    return ids[-max_length:]


def _special(tokenizer: Any) -> tuple[list[int], list[int]]:
    """Special tokens before and after a single text (e.g. [CLS] and [SEP])."""
    a = tokenizer("a", add_special_tokens=False)["input_ids"]
    full = tokenizer("a")["input_ids"]
    i = next(k for k in range(len(full)) if full[k : k + len(a)] == a)
    return full[:i], full[i + len(a) :]


def dialogue(prompt: str, answer: str) -> str:
    """The dialogue an encoder reads: the prompt, then the answer as the assistant's turn."""
    return f"{prompt}{TURN}{answer}" if prompt else answer


def _encode_dialogues(
    tokenizer: Any, prompts: list[str], answers: list[str], max_length: int
) -> list[list[int]]:
    """`[CLS] dialogue [SEP]` for each pair, the dialogue cut from the left to fit."""
    head, tail = _special(tokenizer)
    budget = max_length - len(head) - len(tail)
    if max_length < 8 or budget < 2:
        raise ValueError(f"max_length={max_length} is too small; use at least 8")
    texts = [dialogue(p, a) for p, a in zip(prompts, answers, strict=True)]
    ids = tokenizer(texts, add_special_tokens=False, verbose=False)["input_ids"]
    return [head + x[max(0, len(x) - budget) :] + tail for x in ids]


def encode_many(
    tokenizer: Any, prompts: list[str], answers: list[str], max_length: int
) -> list[list[int]]:
    """Token ids of each (prompt, answer) for the backbone, each at most `max_length` long."""
    if uses_chat_template(tokenizer):
        return [
            _encode_chat(tokenizer, p, a, max_length) for p, a in zip(prompts, answers, strict=True)
        ]
    return _encode_dialogues(tokenizer, list(prompts), list(answers), max_length)


def encode(tokenizer: Any, prompt: str, answer: str, max_length: int) -> list[int]:
    """Token ids of (prompt, answer) for the backbone, at most `max_length` long."""
    return encode_many(tokenizer, [prompt], [answer], max_length)[0]
