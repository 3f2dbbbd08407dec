"""The text a reward model reads for (prompt, answer), as token ids, truncated from the left.

Encoders (no chat template, e.g. BERT/MiniLM) read the prompt and answer as a text pair:
`[CLS] prompt [SEP] answer [SEP]`. Decoders with a chat template read the conversation
rendered by that template. Long dialogues lose their oldest turns first, so the judged
answer survives; an answer longer than the whole budget keeps its beginning (encoders) or
its end (decoders read the reward at the last token).
"""

from __future__ import annotations

from typing import Any

PROMPT_SHARE = 8  # an encoder's prompt keeps at least max_length // PROMPT_SHARE tokens


def uses_chat_template(tokenizer: Any) -> bool:
    """True when the backbone reads chat-formatted text (its tokenizer has a template)."""
    return bool(getattr(tokenizer, "chat_template", None))


def _encode_chat(tokenizer: Any, prompt: str, answer: str, max_length: int) -> list[int]:
    """Chat-template rendering of one user turn and one assistant turn, left-truncated."""
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    ids = tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"]
    return ids[-max_length:]


def _pair_template(tokenizer: Any) -> tuple[list[int], list[int], list[int]]:
    """Special tokens before, between and after a text pair (e.g. [CLS], [SEP], [SEP])."""
    a, b = (tokenizer(t, add_special_tokens=False)["input_ids"] for t in ("a", "b"))
    full = tokenizer("a", "b")["input_ids"]
    i = next(k for k in range(len(full)) if full[k : k + len(a)] == a)
    j = next(k for k in range(i + len(a), len(full)) if full[k : k + len(b)] == b)
    return full[:i], full[i + len(a) : j], full[j + len(b) :]


def _fit_pair(prompt_ids: list[int], answer_ids: list[int], budget: int, keep: int) -> tuple:
    """Cut the answer to leave `keep` prompt tokens, then the prompt from the left."""
    answer_ids = answer_ids[: budget - min(len(prompt_ids), keep)]
    room = budget - len(answer_ids)
    return (prompt_ids[len(prompt_ids) - room :] if room > 0 else []), answer_ids


def _encode_text_pairs(
    tokenizer: Any, prompts: list[str], answers: list[str], max_length: int
) -> list[list[int]]:
    """`[CLS] prompt [SEP] answer [SEP]` for each pair, the prompt cut from the left to fit."""
    head, mid, tail = _pair_template(tokenizer)
    budget = max_length - len(head) - len(mid) - len(tail)
    if budget < 2:
        raise ValueError(f"max_length={max_length} is too small; use at least 8")
    keep = max(1, max_length // PROMPT_SHARE)
    prompt_ids = tokenizer(prompts, add_special_tokens=False, verbose=False)["input_ids"]
    answer_ids = tokenizer(answers, add_special_tokens=False, verbose=False)["input_ids"]
    out = []
    for p, a in zip(prompt_ids, answer_ids, strict=True):
        p, a = _fit_pair(p, a, budget, keep)
        out.append(head + p + mid + a + tail)
    return out


def encode_many(
    tokenizer: Any, prompts: list[str], answers: list[str], max_length: int
) -> list[list[int]]:
    """Token ids of each (prompt, answer) for the backbone, each at most `max_length` long."""
    if uses_chat_template(tokenizer):
        return [
            _encode_chat(tokenizer, p, a, max_length) for p, a in zip(prompts, answers, strict=True)
        ]
    return _encode_text_pairs(tokenizer, list(prompts), list(answers), max_length)


def encode(tokenizer: Any, prompt: str, answer: str, max_length: int) -> list[int]:
    """Token ids of (prompt, answer) for the backbone, at most `max_length` long."""
    return encode_many(tokenizer, [prompt], [answer], max_length)[0]
