"""Sign-In with Ethereum (EIP-4361): build, parse and verify the signed message.

A pure library (no Flask): `SiweMessage` is always valid once constructed, `parse_message`
reads the ABNF text strictly, and `verify` applies the relying-party checks. The nonce is
the caller's business (single use, in Redis).

Decisions beyond the ABNF, all in the direction of strictness:
- The address must be EIP-55 checksummed (the ABNF says "should").
- Lines are separated by LF only; any CR is rejected, as is a trailing newline.
- Chain IDs are canonical decimals ("01" is rejected) so that text and value round-trip.
- Messages longer than `MAX_MESSAGE_LENGTH` characters are rejected (the EIP asks
  implementers to bound lengths).
- Signatures must have a low `s` (EIP-2), so each message has one valid signature per key.
- `verify` compares the message URI with ours by origin (scheme, host, port): the domain
  is compared exactly, the path inside our origin is left to the page that asked.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from eth_account import Account
from eth_account.messages import SignableMessage, encode_defunct
from eth_keys.exceptions import BadSignature
from eth_utils import ValidationError, to_checksum_address

HEADER_SUFFIX = " wants you to sign in with your Ethereum account:"
MAX_MESSAGE_LENGTH = 16_384

_UNRESERVED = r"A-Za-z0-9\-._~"
_SUB_DELIMS = r"!$&'()*+,;="
_PCT = r"%[0-9A-Fa-f]{2}"
_SCHEME = r"[A-Za-z][A-Za-z0-9+.\-]*"
_PATTERNS: dict[str, tuple[re.Pattern[str], str]] = {
    "scheme": (re.compile(_SCHEME), "an RFC 3986 scheme such as https"),
    "domain": (
        re.compile(
            rf"(?:(?:[{_UNRESERVED}{_SUB_DELIMS}:]|{_PCT})*@)?"
            rf"(?:\[[0-9A-Fa-f:.]+\]|(?:[{_UNRESERVED}{_SUB_DELIMS}]|{_PCT})+)(?::[0-9]*)?"
        ),
        "an RFC 3986 authority such as example.com or example.com:8443",
    ),
    "address": (re.compile(r"0x[0-9a-fA-F]{40}"), "0x followed by 40 hex digits"),
    "statement": (
        re.compile(rf"[{_UNRESERVED}{_SUB_DELIMS}:/?#\[\]@ ]*"),
        "one line of RFC 3986 reserved/unreserved ASCII characters and spaces",
    ),
    "uri": (
        re.compile(rf"{_SCHEME}:(?:[{_UNRESERVED}{_SUB_DELIMS}:/?#\[\]@]|{_PCT})*"),
        "an RFC 3986 URI such as https://example.com/login",
    ),
    "version": (re.compile(r"1"), 'the version "1"'),
    "nonce": (re.compile(r"[A-Za-z0-9]{8,}"), "at least 8 ASCII letters or digits"),
    "request_id": (
        re.compile(rf"(?:[{_UNRESERVED}{_SUB_DELIMS}:@]|{_PCT})*"),
        "RFC 3986 pchar characters only",
    ),
}
_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
_CHAIN_ID_RE = re.compile(r"0|[1-9][0-9]*")
_HEX_PAYLOAD_RE = re.compile(r"0x(?:[0-9a-fA-F]{2})+")
_SIGNATURE_RE = re.compile(r"(?:0x)?[0-9a-fA-F]{130}")
_SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_REQUIRED = ("URI", "Version", "Chain ID", "Nonce", "Issued At")
_OPTIONAL = ("Expiration Time", "Not Before", "Request ID", "Resources")
_TIME_FIELDS = ("issued_at", "expiration_time", "not_before")


class SiweError(ValueError):
    """A message or signature that breaks EIP-4361; `field` names the part that failed."""

    def __init__(self, field: str, message: str) -> None:
        """Record which part failed (`field`) and a message saying what was expected."""
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, kw_only=True)
class SiweMessage:
    """One EIP-4361 message; construction validates every field against the ABNF."""

    domain: str
    address: str
    uri: str
    chain_id: int
    nonce: str
    issued_at: datetime
    statement: str | None = None
    version: str = "1"
    expiration_time: datetime | None = None
    not_before: datetime | None = None
    request_id: str | None = None
    resources: tuple[str, ...] = ()
    scheme: str | None = None

    def __post_init__(self) -> None:
        """Reject any field the ABNF would not produce."""
        for field, (pattern, expected) in _PATTERNS.items():
            value = getattr(self, field)
            if value is None and field in ("scheme", "statement", "request_id"):
                continue
            if not isinstance(value, str) or not pattern.fullmatch(value):
                raise SiweError(field, f"{field} must be {expected}, got {value!r}")
        if self.address != to_checksum_address(self.address):
            raise SiweError(
                "address",
                f"address must be EIP-55 checksummed: expected "
                f"{to_checksum_address(self.address)}, got {self.address}",
            )
        if type(self.chain_id) is not int or self.chain_id < 0:
            raise SiweError(
                "chain_id", f"chain_id must be a non-negative int, got {self.chain_id!r}"
            )
        uri_pattern, expected = _PATTERNS["uri"]
        if not isinstance(self.resources, tuple) or not all(
            isinstance(r, str) and uri_pattern.fullmatch(r) for r in self.resources
        ):
            raise SiweError("resources", f"resources must be a tuple of {expected}")
        for field in _TIME_FIELDS:
            _check_time(field, getattr(self, field), required=field == "issued_at")

    def to_text(self) -> str:
        """Render the exact EIP-4361 text a wallet signs."""
        origin = f"{self.scheme}://{self.domain}" if self.scheme is not None else self.domain
        lines = [origin + HEADER_SUFFIX, self.address, ""]
        if self.statement is not None:
            lines.append(self.statement)
        lines += [
            "",
            f"URI: {self.uri}",
            f"Version: {self.version}",
            f"Chain ID: {self.chain_id}",
            f"Nonce: {self.nonce}",
            f"Issued At: {format_time(self.issued_at)}",
        ]
        if self.expiration_time is not None:
            lines.append(f"Expiration Time: {format_time(self.expiration_time)}")
        if self.not_before is not None:
            lines.append(f"Not Before: {format_time(self.not_before)}")
        if self.request_id is not None:
            lines.append(f"Request ID: {self.request_id}")
        if self.resources:
            lines += ["Resources:", *(f"- {resource}" for resource in self.resources)]
        return "\n".join(lines)


def _check_time(field: str, value: datetime | None, *, required: bool) -> None:
    """Require an aware datetime whose UTC offset is whole minutes (RFC 3339 can say it)."""
    if value is None and not required:
        return
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise SiweError(field, f"{field} must be a timezone-aware datetime, got {value!r}")
    if value.utcoffset() % timedelta(minutes=1):
        raise SiweError(field, f"{field} must have a UTC offset in whole minutes")


def format_time(value: datetime) -> str:
    """Format an aware datetime as RFC 3339, with "Z" for UTC as wallets write it."""
    if value.utcoffset() is None:
        raise ValueError("format_time needs a timezone-aware datetime")
    micro = value.microsecond
    timespec = "microseconds" if micro % 1000 else "milliseconds" if micro else "seconds"
    text = value.isoformat(timespec=timespec)
    return text[:-6] + "Z" if value.utcoffset() == timedelta(0) else text


def parse_time(field: str, text: str) -> datetime:
    """Parse an RFC 3339 date-time into an aware datetime, or raise SiweError(field)."""
    if not _TIME_RE.fullmatch(text):
        expected = "an RFC 3339 date-time such as 2021-09-30T16:25:24Z"
        raise SiweError(field, f"{field} must be {expected}, got {text!r}")
    try:
        # The regex admits only RFC 3339; fromisoformat checks the calendar and clock.
        return datetime.fromisoformat(text.upper())
    except ValueError as exc:
        raise SiweError(field, f"{field} is not a valid date-time ({exc}): {text!r}") from exc


def build_message(
    *,
    domain: str,
    address: str,
    uri: str,
    chain_id: int,
    nonce: str,
    issued_at: datetime,
    statement: str | None = None,
    expiration_time: datetime | None = None,
    not_before: datetime | None = None,
    request_id: str | None = None,
    resources: tuple[str, ...] | list[str] = (),
) -> SiweMessage:
    """Build a validated message for the wallet to sign (render it with `to_text()`)."""
    # At this point locals() holds exactly the keyword arguments.
    return SiweMessage(**{**locals(), "resources": tuple(resources)})


def _field(label: str) -> str:
    """The SiweMessage attribute a field label names ("Chain ID" -> "chain_id")."""
    return label.lower().replace(" ", "_")


def _value(lines: list[str], index: int, prefix: str, field: str) -> str:
    """Return what follows `prefix` on line `index`, or say which line was expected."""
    line = lines[index] if index < len(lines) else None
    if line is None or not line.startswith(prefix):
        raise SiweError(field, f"line {index + 1} must start with {prefix!r}, got {line!r}")
    return line[len(prefix) :]


def _parse_head(lines: list[str]) -> tuple[dict, int]:
    """Parse header, address and statement; return the values and the URI line's index."""
    header = lines[0]
    if not header.endswith(HEADER_SUFFIX):
        raise SiweError("message", f"line 1 must end with {HEADER_SUFFIX!r}, got {header!r}")
    origin = header[: -len(HEADER_SUFFIX)]
    scheme, _, domain = origin.partition("://") if "://" in origin else (None, "", origin)
    values = {"scheme": scheme, "domain": domain, "address": lines[1] if len(lines) > 1 else ""}
    if lines[2:3] != [""] or len(lines) < 5:
        raise SiweError("message", "the address must be followed by a blank line and fields")
    if lines[3] == "":
        if lines[4] != "":
            return values, 4
        values["statement"] = ""
    elif lines[3].startswith("URI: ") and lines[4].startswith("Version: "):
        raise SiweError("message", "with no statement, two blank lines follow the address")
    elif lines[4] != "":
        raise SiweError("statement", "the statement must be one line followed by a blank line")
    else:
        values["statement"] = lines[3]
    return values, 5


def _parse_tail(lines: list[str], index: int, values: dict) -> None:
    """Parse the optional fields after Issued At, in the spec's order, each at most once."""
    allowed = 0
    while index < len(lines):
        line = lines[index]
        kinds = [n for n, label in enumerate(_OPTIONAL) if line.startswith(label + ":")]
        if not kinds:
            raise SiweError("message", f"unexpected line {index + 1}: {line!r}")
        label, field = _OPTIONAL[kinds[0]], _field(_OPTIONAL[kinds[0]])
        if kinds[0] < allowed:
            order = ", ".join(_OPTIONAL)
            message = f"{label!r} on line {index + 1} is duplicated or out of order"
            raise SiweError(field, f"{message}; optional fields come once each: {order}")
        allowed = kinds[0] + 1
        if field == "resources":
            if line != "Resources:":
                raise SiweError("resources", f"line {index + 1} must be exactly 'Resources:'")
            values["resources"] = tuple(
                _value(lines, i, "- ", "resources") for i in range(index + 1, len(lines))
            )
            return
        values[field] = _value(lines, index, label + ": ", field)
        index += 1


def parse_message(text: str) -> SiweMessage:
    """Parse EIP-4361 text strictly; raise SiweError naming the first part that fails."""
    if not isinstance(text, str) or not text:
        raise SiweError("message", "expected the EIP-4361 message text")
    if len(text) > MAX_MESSAGE_LENGTH:
        raise SiweError("message", f"message is longer than {MAX_MESSAGE_LENGTH} characters")
    if "\r" in text:
        raise SiweError("message", "lines must be separated by LF only; found a CR")
    if text.endswith("\n"):
        raise SiweError("message", "the message must not end with a line break")
    lines = text.split("\n")
    values, index = _parse_head(lines)
    for offset, label in enumerate(_REQUIRED):
        values[_field(label)] = _value(lines, index + offset, label + ": ", _field(label))
    _parse_tail(lines, index + len(_REQUIRED), values)
    if not _CHAIN_ID_RE.fullmatch(values["chain_id"]):
        raise SiweError(
            "chain_id", f"Chain ID must be a decimal number, got {values['chain_id']!r}"
        )
    values["chain_id"] = int(values["chain_id"])
    for field in _TIME_FIELDS:
        if field in values:
            values[field] = parse_time(field, values[field])
    return SiweMessage(**values)


def decode_payload(message: str) -> str:
    """Return the message text, decoding MetaMask's "0x" + UTF-8 hex form when given it."""
    if not isinstance(message, str):
        raise SiweError("message", "expected the message as a string")
    if not _HEX_PAYLOAD_RE.fullmatch(message):
        return message
    try:
        return bytes.fromhex(message[2:]).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SiweError("message", "hex-encoded message is not valid UTF-8") from exc


def _signable(message: str) -> SignableMessage:
    """EIP-191 personal_sign encoding of text, or of the bytes a hex payload stands for."""
    if _HEX_PAYLOAD_RE.fullmatch(message):
        return encode_defunct(hexstr=message)
    return encode_defunct(text=message)


def recover_signer(message: str, signature: str) -> str:
    """Return the EIP-55 address that signed `message` (text or "0x" hex payload)."""
    if not isinstance(signature, str) or not _SIGNATURE_RE.fullmatch(signature):
        raise SiweError("signature", "signature must be 65 bytes as 130 hex digits (0x optional)")
    raw = bytes.fromhex(signature.removeprefix("0x"))
    r, s, v = int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:64], "big"), raw[64]
    if v not in (0, 1, 27, 28):
        raise SiweError("signature", f"signature v must be 27 or 28 (or 0 or 1), got {v}")
    if not (0 < r < _SECP256K1_N and 0 < s <= _SECP256K1_N // 2):
        raise SiweError("signature", "signature r or s is out of range (s must be low, EIP-2)")
    if not isinstance(message, str):
        raise SiweError("message", "expected the message as a string")
    try:
        return Account.recover_message(_signable(message), signature=raw)
    except (BadSignature, ValidationError, ValueError) as exc:
        raise SiweError("signature", f"no signer can be recovered: {exc}") from exc


def _origin(uri: str) -> tuple[str, str | None, int | None]:
    """(scheme, host, port) of a URI, with the scheme's default port filled in."""
    parts = urlsplit(uri)
    try:
        port = parts.port
    except ValueError:
        port = -1
    defaults = {"https": 443, "http": 80}
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, port if port is not None else defaults.get(scheme)


def _check_origin(message: SiweMessage, domain: str, uri: str) -> None:
    """The message must name our domain, our scheme if it names one, and our origin."""
    if message.domain != domain:
        raise SiweError("domain", f"domain must be {domain!r}, got {message.domain!r}")
    ours = urlsplit(uri).scheme.lower()
    if message.scheme is not None and message.scheme.lower() != ours:
        raise SiweError("domain", f"scheme must be {ours!r}, got {message.scheme!r}")
    if _origin(message.uri) != _origin(uri):
        raise SiweError("uri", f"URI must be on the origin of {uri!r}, got {message.uri!r}")


def _check_times(
    message: SiweMessage, now: datetime, max_age: timedelta | None, skew: timedelta
) -> None:
    """Issued-at, max age, expiration and not-before, each with `skew` of tolerance."""
    if message.issued_at > now + skew:
        raise SiweError("issued_at", f"issued at {format_time(message.issued_at)}, in the future")
    if max_age is not None and now - message.issued_at > max_age + skew:
        raise SiweError(
            "issued_at", f"issued at {format_time(message.issued_at)}, more than {max_age} ago"
        )
    if message.expiration_time is not None and now >= message.expiration_time + skew:
        raise SiweError(
            "expiration_time", f"message expired at {format_time(message.expiration_time)}"
        )
    if message.not_before is not None and now + skew < message.not_before:
        raise SiweError(
            "not_before", f"message is not valid before {format_time(message.not_before)}"
        )


def verify(
    message: str,
    signature: str,
    *,
    domain: str,
    uri: str,
    chain_id: int,
    now: datetime,
    max_age: timedelta | None = None,
    clock_skew: timedelta = timedelta(seconds=60),
) -> SiweMessage:
    """Check a signed sign-in message against our domain, origin, chain and clock.

    Returns the parsed message; the caller still has to consume its nonce.
    """
    if now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    text = decode_payload(message)
    parsed = parse_message(text)
    _check_origin(parsed, domain, uri)
    if parsed.chain_id != chain_id:
        raise SiweError("chain_id", f"chain ID must be {chain_id}, got {parsed.chain_id}")
    _check_times(parsed, now, max_age, clock_skew)
    signer = recover_signer(text, signature)
    if signer != parsed.address:
        raise SiweError("signature", f"signed by {signer}, not by {parsed.address}")
    return parsed
