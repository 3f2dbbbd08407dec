"""Tests for server.auth.siwe: the EIP-4361 examples, round trips, rejections, signatures."""

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from server.auth.siwe import (
    SiweError,
    SiweMessage,
    build_message,
    decode_payload,
    parse_message,
    recover_signer,
    verify,
)

# The example from EIP-4361 ("an example SIWE Message with an implicit scheme").
SPEC_EXAMPLE = """\
example.com wants you to sign in with your Ethereum account:
0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2

I accept the ExampleOrg Terms of Service: https://example.com/tos

URI: https://example.com/login
Version: 1
Chain ID: 1
Nonce: 32891756
Issued At: 2021-09-30T16:25:24Z
Resources:
- ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/
- https://example.com/my-web2-claim.json"""
SPEC_WITH_PORT = SPEC_EXAMPLE.replace("example.com wants", "example.com:3388 wants")
SPEC_WITH_SCHEME = SPEC_EXAMPLE.replace("example.com wants", "https://example.com wants")
# The spec's example with every optional field the ABNF allows, in its order.
ALL_FIELDS = SPEC_EXAMPLE.replace(
    "Issued At: 2021-09-30T16:25:24Z",
    "Issued At: 2021-09-30T16:25:24Z\nExpiration Time: 2021-10-01T16:25:24Z\n"
    "Not Before: 2021-09-30T16:30:00.250+02:00\nRequest ID: req-1",
)
SPEC_ADDRESS = "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2"

KEY = Account.from_key("0x" + "11" * 32)
OTHER_KEY = Account.create()
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
DOMAIN = "liftledger.example"
URI = "https://liftledger.example/login"


def make_message(**overrides: object) -> SiweMessage:
    """A valid message for KEY on our domain, issued a few seconds before NOW."""
    fields = {
        "domain": DOMAIN,
        "address": KEY.address,
        "uri": URI,
        "chain_id": 1,
        "nonce": "abcd1234EFGH",
        "issued_at": NOW - timedelta(seconds=5),
        "statement": "Sign in to Liftledger.",
    }
    return build_message(**{**fields, **overrides})


def sign(text: str, account: object = KEY) -> str:
    """personal_sign as a wallet does it: EIP-191 over the UTF-8 text."""
    return account.sign_message(encode_defunct(text=text)).signature.to_0x_hex()


def check(text: str, signature: str, **kwargs: object) -> SiweMessage:
    """verify() with our domain, URI, chain and clock unless overridden."""
    settings = {"domain": DOMAIN, "uri": URI, "chain_id": 1, "now": NOW, **kwargs}
    return verify(text, signature, **settings)


@pytest.mark.parametrize(
    ("text", "scheme", "domain"),
    [
        (SPEC_EXAMPLE, None, "example.com"),
        (SPEC_WITH_PORT, None, "example.com:3388"),
        (SPEC_WITH_SCHEME, "https", "example.com"),
    ],
)
def test_spec_examples_parse_and_render_back(text: str, scheme: str | None, domain: str) -> None:
    message = parse_message(text)
    assert (message.scheme, message.domain, message.address) == (scheme, domain, SPEC_ADDRESS)
    assert message.statement == "I accept the ExampleOrg Terms of Service: https://example.com/tos"
    assert (message.uri, message.version, message.chain_id) == ("https://example.com/login", "1", 1)
    assert message.nonce == "32891756"
    assert message.issued_at == datetime(2021, 9, 30, 16, 25, 24, tzinfo=UTC)
    assert message.resources == (
        "ipfs://bafybeiemxf5abjwjbikoz4mc3a3dla6ual3jsgpdr4cjr3oz3evfyavhwq/",
        "https://example.com/my-web2-claim.json",
    )
    assert (message.expiration_time, message.not_before, message.request_id) == (None,) * 3
    assert message.to_text() == text


def test_all_optional_fields_parse() -> None:
    message = parse_message(ALL_FIELDS)
    assert message.expiration_time == datetime(2021, 10, 1, 16, 25, 24, tzinfo=UTC)
    assert message.not_before == datetime(2021, 9, 30, 14, 30, 0, 250000, tzinfo=UTC)
    assert message.not_before.utcoffset() == timedelta(hours=2)
    assert message.request_id == "req-1"
    assert len(message.resources) == 2
    assert message.to_text() == ALL_FIELDS


def test_without_statement_two_blank_lines_follow_the_address() -> None:
    message = make_message(statement=None)
    assert f"{KEY.address}\n\n\nURI: {URI}\n" in message.to_text()
    assert parse_message(message.to_text()) == message


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"statement": None},
        {"statement": ""},
        {"statement": "URI: https://looks.like/a-field"},
        {"issued_at": datetime(2026, 1, 2, 3, 4, 5, 6789, tzinfo=timezone(timedelta(hours=-3)))},
        {"expiration_time": NOW + timedelta(hours=1), "not_before": NOW},
        {"request_id": ""},
        {"request_id": "a:b@c%20d"},
        {"resources": ["https://liftledger.example/tos", "ipfs://bafy/x"]},
        {"domain": "user@[::1]:8080", "chain_id": 0},
    ],
)
def test_round_trip(overrides: dict) -> None:
    message = make_message(**overrides)
    assert parse_message(message.to_text()) == message
    with_scheme = dataclasses.replace(message, scheme="https")
    assert parse_message(with_scheme.to_text()) == with_scheme


def test_utc_renders_with_z() -> None:
    text = make_message(issued_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)).to_text()
    assert "\nIssued At: 2026-01-02T03:04:05Z" in text


def _swap(old: str, new: str, text: str = ALL_FIELDS) -> str:
    """ALL_FIELDS with one exact substring replaced (the substring must be there)."""
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("", "message"),
        (ALL_FIELDS + "\n", "message"),
        (ALL_FIELDS.replace("\n", "\r\n"), "message"),
        (_swap("Terms of Service", "Terms\rof Service"), "message"),
        (ALL_FIELDS + "\n- " + "x" * 20_000, "message"),
        (_swap("wants you to sign in", "wants you to log in"), "message"),
        (_swap("example.com wants", "exa mple.com wants"), "domain"),
        (_swap("example.com wants", "http://https://example.com wants"), "domain"),
        (_swap("example.com wants", "1http://example.com wants"), "scheme"),
        (_swap(SPEC_ADDRESS, SPEC_ADDRESS.lower()), "address"),
        (_swap(SPEC_ADDRESS, SPEC_ADDRESS.replace("aaA", "aaa")), "address"),
        (_swap(SPEC_ADDRESS, SPEC_ADDRESS[:-1]), "address"),
        (_swap("Terms of Service", "Términos"), "statement"),
        (_swap("Terms of Service", '"Terms"'), "statement"),
        (_swap("https://example.com/tos\n", "https://example.com/tos\nsecond line\n"), "statement"),
        (
            _swap("I accept the ExampleOrg Terms of Service: https://example.com/tos\n\n", ""),
            "message",
        ),
        (_swap("URI: https://example.com/login", "URI: not a uri"), "uri"),
        (_swap("URI: https://example.com/login\n", ""), "uri"),
        (_swap("Version: 1", "Version: 2"), "version"),
        (_swap("Chain ID: 1", "Chain ID: 01"), "chain_id"),
        (_swap("Chain ID: 1", "Chain ID: one"), "chain_id"),
        (_swap("Chain ID: 1\n", "Chain Id: 1\n"), "chain_id"),
        (_swap("Nonce: 32891756", "Nonce: 3289175"), "nonce"),
        (_swap("Nonce: 32891756", "Nonce: 3289-1756"), "nonce"),
        (_swap("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30 16:25:24Z"), "issued_at"),
        (_swap("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:24"), "issued_at"),
        (_swap("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-02-30T16:25:24Z"), "issued_at"),
        (_swap("Issued At: 2021-09-30T16:25:24Z", "Issued At: 2021-09-30T16:25:60Z"), "issued_at"),
        (
            _swap("Expiration Time: 2021-10-01T16:25:24Z", "Expiration Time: tomorrow"),
            "expiration_time",
        ),
        (_swap("+02:00", "+24:00"), "not_before"),
        (_swap("Request ID: req-1", "Request ID: req 1"), "request_id"),
        (_swap("Request ID: req-1", "Request ID: req-1\nRequest ID: req-2"), "request_id"),
        (
            _swap("Not Before: 2021-09-30T16:30:00.250+02:00\n", "").replace(
                "Issued At: 2021-09-30T16:25:24Z\n",
                "Issued At: 2021-09-30T16:25:24Z\nNot Before: 2021-09-30T16:30:00Z\n",
            ),
            "expiration_time",
        ),
        (_swap("Request ID: req-1", "Request ID: req-1\nNonce: 12345678"), "message"),
        (_swap("Request ID: req-1", "Request ID: req-1\nFoo: bar"), "message"),
        (_swap("- https://example.com/my-web2-claim.json", "- not a uri"), "resources"),
        (_swap("- https://example.com/my-web2-claim.json", "* https://example.com/x"), "resources"),
        (_swap("Resources:", "Resources: https://example.com/x"), "resources"),
    ],
)
def test_parse_rejects(text: str, field: str) -> None:
    with pytest.raises(SiweError) as caught:
        parse_message(text)
    assert caught.value.field == field
    assert str(caught.value)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"address": KEY.address.lower()}, "address"),
        ({"issued_at": datetime(2026, 1, 1)}, "issued_at"),
        ({"issued_at": "2026-01-01T00:00:00Z"}, "issued_at"),
        ({"expiration_time": datetime(2026, 1, 1)}, "expiration_time"),
        ({"not_before": NOW.replace(tzinfo=timezone(timedelta(seconds=30)))}, "not_before"),
        ({"chain_id": True}, "chain_id"),
        ({"chain_id": "1"}, "chain_id"),
        ({"chain_id": -1}, "chain_id"),
        ({"statement": "two\nlines"}, "statement"),
        ({"nonce": "short"}, "nonce"),
        ({"uri": "/relative/only"}, "uri"),
        ({"resources": ["https://ok.example", "not a uri"]}, "resources"),
    ],
)
def test_build_rejects(overrides: dict, field: str) -> None:
    with pytest.raises(SiweError) as caught:
        make_message(**overrides)
    assert caught.value.field == field


def test_verify_accepts_a_fresh_signed_message() -> None:
    message = make_message(expiration_time=NOW + timedelta(minutes=5), not_before=NOW)
    text = message.to_text()
    assert recover_signer(text, sign(text)) == KEY.address
    assert check(text, sign(text), max_age=timedelta(minutes=1)) == message


def test_verify_accepts_same_origin_uri_and_skew() -> None:
    message = make_message(uri="https://liftledger.example:443/dashboard?next=/claims")
    assert check(message.to_text(), sign(message.to_text())) == message
    early = make_message(issued_at=NOW + timedelta(seconds=30))
    assert check(early.to_text(), sign(early.to_text())) == early


def test_hex_payload_is_decoded_and_recovers_the_signer() -> None:
    text = make_message().to_text()
    signature = sign(text)
    payload = "0x" + text.encode().hex()
    assert decode_payload(payload) == text
    assert decode_payload(text) == text
    assert recover_signer(payload, signature) == KEY.address
    assert check(payload, signature) == parse_message(text)
    # The trap the module avoids: the hex string signed as text is another message.
    wrong = Account.recover_message(encode_defunct(text=payload), signature=signature)
    assert wrong != KEY.address


def test_hex_payload_that_is_not_utf8_is_rejected() -> None:
    with pytest.raises(SiweError) as caught:
        decode_payload("0xff00")
    assert caught.value.field == "message"


@pytest.mark.parametrize(
    ("overrides", "settings", "field"),
    [
        ({"domain": "evil.example"}, {}, "domain"),
        ({"domain": "liftledger.example:8443"}, {}, "domain"),
        ({"uri": "https://evil.example/login"}, {}, "uri"),
        ({"uri": "http://liftledger.example/login"}, {}, "uri"),
        ({"uri": "https://liftledger.example:8443/login"}, {}, "uri"),
        ({"chain_id": 5}, {}, "chain_id"),
        ({"issued_at": NOW + timedelta(minutes=2)}, {}, "issued_at"),
        (
            {"issued_at": NOW - timedelta(minutes=10)},
            {"max_age": timedelta(minutes=5)},
            "issued_at",
        ),
        ({"expiration_time": NOW - timedelta(minutes=2)}, {}, "expiration_time"),
        ({"not_before": NOW + timedelta(minutes=2)}, {}, "not_before"),
        ({}, {"clock_skew": timedelta(0), "now": NOW - timedelta(seconds=6)}, "issued_at"),
    ],
)
def test_verify_rejects(overrides: dict, settings: dict, field: str) -> None:
    text = make_message(**overrides).to_text()
    with pytest.raises(SiweError) as caught:
        check(text, sign(text), **settings)
    assert caught.value.field == field


def test_verify_rejects_a_scheme_other_than_ours() -> None:
    text = dataclasses.replace(make_message(), scheme="http").to_text()
    with pytest.raises(SiweError) as caught:
        check(text, sign(text))
    assert caught.value.field == "domain"


def test_signature_by_another_key_is_rejected() -> None:
    text = make_message().to_text()
    with pytest.raises(SiweError) as caught:
        check(text, sign(text, OTHER_KEY))
    assert caught.value.field == "signature"
    assert OTHER_KEY.address in str(caught.value)


def test_tampered_message_is_rejected() -> None:
    text = make_message().to_text()
    signature = sign(text)
    tampered = text.replace("Nonce: abcd1234EFGH", "Nonce: abcd1234EFGI")
    assert tampered != text
    with pytest.raises(SiweError) as caught:
        check(tampered, signature)
    assert caught.value.field == "signature"


def test_lowercase_address_is_rejected_even_when_signed() -> None:
    text = make_message().to_text().replace(KEY.address, KEY.address.lower())
    with pytest.raises(SiweError) as caught:
        check(text, sign(text))
    assert caught.value.field == "address"


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _high_s(signature: str) -> str:
    """The malleated twin of a signature: s -> n - s with v 27<->28 (EIP-2 forbids it)."""
    raw = bytes.fromhex(signature[2:])
    s = SECP256K1_N - int.from_bytes(raw[32:64], "big")
    return "0x" + (raw[:32] + s.to_bytes(32, "big") + bytes([55 - raw[64]])).hex()


GOOD = sign(make_message().to_text())


@pytest.mark.parametrize(
    "signature",
    [
        "",
        "0x",
        "0x1234",
        GOOD[:-2],
        GOOD + "00",
        GOOD[:-2] + "05",
        "0x" + "00" * 64 + "1b",
        GOOD[:10] + "zz" + GOOD[12:],
        _high_s(GOOD),
        "0x" + "ff" * 32 + GOOD[66:],
    ],
)
def test_malformed_signature_is_rejected(signature: str) -> None:
    text = make_message().to_text()
    with pytest.raises(SiweError) as caught:
        check(text, signature)
    assert caught.value.field == "signature"


def test_signature_without_0x_and_with_v_0_or_1_is_accepted() -> None:
    text = make_message().to_text()
    bare = GOOD[2:-2] + f"{int(GOOD[-2:], 16) - 27:02x}"
    assert recover_signer(text, bare) == KEY.address


def test_naive_now_is_a_programming_error() -> None:
    text = make_message().to_text()
    with pytest.raises(ValueError, match="timezone-aware"):
        check(text, sign(text), now=NOW.replace(tzinfo=None))
