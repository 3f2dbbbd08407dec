"""Scrubbing: real-looking e-mails, phone numbers and wallets go; numbers that are not go not."""

import pytest

from server.datasets.scrub import scrub


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail jane.doe+rlhf@example.co.uk today", "Mail [email] today"),
        ("Contact: support@openai.com.", "Contact: [email]."),
        ("o'brien_t@mail.uni-heidelberg.de wrote", "[email] wrote"),
        ("Call +1 (415) 555-0132 now", "Call [phone] now"),
        ("or 415-555-0132, or 415.555.0132", "or [phone], or [phone]"),
        ("desk: (212) 555 0199", "desk: [phone]"),
        ("London +44 20 7946 0958", "London [phone]"),
        ("mobile 07700 900123 or 020 7946 0958", "mobile [phone] or [phone]"),
        ("Berlin +49 30 901820", "Berlin [phone]"),
        ("Paris +33 1 42 68 53 00", "Paris [phone]"),
        ("send to 0x52908400098527886E0F7030069857D2E4169EE7 pls", "send to [wallet] pls"),
        ("btc: bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "btc: [wallet]"),
        ("legacy 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 and 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
         "legacy [wallet] and [wallet]"),
    ],
)  # fmt: skip
def test_personal_data_is_replaced(text, expected):
    assert scrub(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Between 1990 2000 2010 the rate fell.",
        "On 2023-11-21 it cost $1,299.99.",
        "Population: 8,000,000,000 people.",
        "pi = 3.14159265358979",
        "Use version 3.14.159 of the library.",
        "ISBN 978-3-16-148410-0",
        "Order #123456789 shipped.",
        "The hash 0x1234 is short; block 18,000,000.",
        "Call me at extension 4321.",
        "Visit example.com/@user or @handle on the site.",
        "",
    ],
)
def test_ordinary_text_is_left_alone(text):
    assert scrub(text) == text


def test_none_passes_through():
    assert scrub(None) is None
