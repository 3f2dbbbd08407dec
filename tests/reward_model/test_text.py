"""The text a backbone reads: left truncation keeps the judged answer."""

import pytest

from reward_model.backbones import load_tokenizer
from reward_model.text import encode, encode_many, uses_chat_template


@pytest.fixture(scope="module")
def tokenizer():
    """The MiniLM tokenizer (a BERT WordPiece tokenizer, no chat template)."""
    return load_tokenizer("minilm")


@pytest.mark.parametrize("max_length", [32, 64, 256])
def test_long_dialogue_loses_its_oldest_turns(tokenizer, hh_records, max_length):
    """The longest real HH dialogue: the answer survives whole, the prompt's start goes."""
    rec = max(hh_records, key=lambda r: len(r["prompt"]))
    answer = "Sure, that sounds fine."
    ids = encode(tokenizer, rec["prompt"], answer, max_length)
    assert len(ids) == max_length
    text = tokenizer.decode(ids, skip_special_tokens=True)
    assert text.endswith(tokenizer.decode(tokenizer(answer)["input_ids"], skip_special_tokens=True))
    assert ids[0] == tokenizer.cls_token_id and ids[-1] == tokenizer.sep_token_id
    prompt_start = tokenizer.decode(tokenizer(rec["prompt"][:40])["input_ids"][1:6])
    assert prompt_start not in text


def test_short_pairs_are_untouched(tokenizer):
    """Short texts come out as [CLS] prompt, the assistant's turn, answer [SEP], nothing cut."""
    ids = encode(tokenizer, "capital of france?", "paris.", 64)
    assert tokenizer.decode(ids) == "[CLS] capital of france? assistant : paris. [SEP]"


def test_an_overlong_answer_keeps_its_end(tokenizer):
    """An answer longer than the budget is cut from the left too: its last words survive."""
    ids = encode(tokenizer, "what is one plus one", "two " * 500 + "final", 64)
    text = tokenizer.decode(ids)
    assert len(ids) == 64 and text.endswith("two two final [SEP]") and "plus" not in text


def test_encoding_matches_a_left_truncating_tokenizer(tokenizer, hh_records):
    """The same ids a bare trl script gets from `truncation_side="left"` on the dialogue."""
    from reward_model.text import dialogue

    rec = max(hh_records, key=lambda r: len(r["prompt"]))
    bare = load_tokenizer("minilm")
    bare.truncation_side = "left"
    text = dialogue(rec["prompt"], rec["answer"])
    expected = bare(text, truncation=True, max_length=96)["input_ids"]
    assert encode(tokenizer, rec["prompt"], rec["answer"], 96) == expected


def test_batch_and_single_encoding_agree(tokenizer, hh_records):
    """encode_many is encode applied to each pair."""
    prompts = [r["prompt"] for r in hh_records[:5]]
    answers = [r["answer"] for r in hh_records[:5]]
    assert encode_many(tokenizer, prompts, answers, 128) == [
        encode(tokenizer, p, a, 128) for p, a in zip(prompts, answers, strict=True)
    ]


def test_decoders_read_the_chat_template_cut_from_the_left(tokenizer, hh_records):
    """With a chat template the rendered conversation is cut from the left."""
    chat = load_tokenizer("minilm")
    chat.chat_template = "{% for m in messages %}<{{ m['role'] }}> {{ m['content'] }} {% endfor %}"
    assert uses_chat_template(chat) and not uses_chat_template(tokenizer)
    rec = max(hh_records, key=lambda r: len(r["prompt"]))
    ids = encode(chat, rec["prompt"], "the final answer", 48)
    assert len(ids) == 48
    assert chat.decode(ids).endswith("< assistant > the final answer")


def test_too_small_max_length_is_refused(tokenizer):
    """There must be room for the special tokens and some text."""
    with pytest.raises(ValueError, match="max_length"):
        encode(tokenizer, "q", "a", 4)
