"""Scrub personal data from text before it leaves in a dataset: e-mail addresses, phone
numbers and crypto wallet addresses become ``[email]``, ``[phone]`` and ``[wallet]``.

Phone numbers are only recognised in shapes people write them in (an international ``+``
prefix, an area code in parentheses, North-American 3-3-4 groups, or a trunk ``0`` followed
by grouped digits), so years, dates, prices and version numbers are left alone.
"""

import re

EMAIL = re.compile(
    r"(?<![\w.+'-])[A-Za-z0-9][A-Za-z0-9._%+'-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b"
)
ETH = re.compile(r"\b0x[0-9a-fA-F]{40}\b")
BTC_BECH32 = re.compile(r"\b(?:bc|tb)1[ac-hj-np-z02-9]{11,71}\b", re.IGNORECASE)
BASE58 = re.compile(r"\b[13][a-km-zA-HJ-NP-Z1-9]{25,34}\b")
_SEP = r"[ .\-\u00a0]?"
PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"\+\d{1,3}" + _SEP + r"(?:\(\d{1,4}\)" + _SEP + r")?\d{1,4}(?:" + _SEP + r"\d{2,4}){1,4}"
    r"|\(\d{2,4}\)" + _SEP + r"\d{3,4}[ .\-]\d{3,4}"
    r"|\d{3}[.\-]\d{3}[.\-]\d{4}"
    r"|\d{3} \d{3} \d{4}"
    r"|0\d{1,4}[ \-]\d{3,4}[ \-]?\d{3,4}"
    r")(?![\w])"
)


def _phone(match: re.Match) -> str:
    """Replace a phone-shaped match that has a phone's number of digits (8 to 15)."""
    digits = sum(ch.isdigit() for ch in match.group(0))
    return "[phone]" if 8 <= digits <= 15 else match.group(0)


def _base58(match: re.Match) -> str:
    """Replace a legacy Bitcoin address (base58, mixes digits and letters)."""
    text = match.group(0)
    mixed = any(c.isdigit() for c in text[1:]) and any(c.isalpha() for c in text)
    return "[wallet]" if mixed else text


def scrub(text: str | None) -> str | None:
    """The text with e-mails, phone numbers and wallet addresses replaced by placeholders."""
    if not text:
        return text
    text = EMAIL.sub("[email]", text)
    text = ETH.sub("[wallet]", text)
    text = BTC_BECH32.sub("[wallet]", text)
    text = BASE58.sub(_base58, text)
    return PHONE.sub(_phone, text)
