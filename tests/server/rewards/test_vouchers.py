"""EIP-712 vouchers and the signer keystore, checked against hand-built hashes."""

import json
import stat

import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak

from server.rewards.vouchers import (
    Voucher,
    build_domain,
    create_keystore,
    domain_separator,
    load_signer,
    recover_voucher_signer,
    sign_voucher,
    voucher_digest,
)

CONTRACT = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
CLAIMANT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
SIGNER = Account.from_key(keccak(text="vouchers test signer"))
VOUCHER = Voucher(CLAIMANT, 12 * 10**18, 3, 41, 1_900_000_000)
HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0


def hand_domain_separator(chain_id: int, contract: str) -> bytes:
    """The separator exactly as LiftClaims._buildDomainSeparator computes it."""
    typehash = keccak(
        text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    )
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [typehash, keccak(text="LiftClaims"), keccak(text="1"), chain_id, contract],
        )
    )


def hand_digest(chain_id: int, contract: str, v: Voucher) -> bytes:
    """The digest exactly as LiftClaims.voucherDigest computes it."""
    typehash = keccak(
        text="Voucher(address claimant,uint256 cumulativeAmount,uint256 round,"
        "uint256 nonce,uint256 deadline)"
    )
    struct = keccak(
        encode(
            ["bytes32", "address", "uint256", "uint256", "uint256", "uint256"],
            [typehash, v.claimant, v.cumulative_amount, v.round, v.nonce, v.deadline],
        )
    )
    return keccak(b"\x19\x01" + hand_domain_separator(chain_id, contract) + struct)


def test_domain_and_digest_match_the_contracts_formulas():
    domain = build_domain(31337, CONTRACT.lower())
    assert domain == {
        "name": "LiftClaims",
        "version": "1",
        "chainId": 31337,
        "verifyingContract": CONTRACT,
    }
    assert domain_separator(domain) == hand_domain_separator(31337, CONTRACT)
    assert voucher_digest(domain, VOUCHER) == hand_digest(31337, CONTRACT, VOUCHER)


def test_sign_then_recover_round_trips():
    domain = build_domain(1, CONTRACT)
    signed = sign_voucher(SIGNER, domain, VOUCHER)
    assert signed["signer"] == SIGNER.address
    assert signed["digest"] == "0x" + hand_digest(1, CONTRACT, VOUCHER).hex()
    assert signed["message"]["cumulativeAmount"] == 12 * 10**18
    assert recover_voucher_signer(domain, VOUCHER, signed["signature"]) == SIGNER.address
    raw = bytes.fromhex(signed["signature"][2:])
    assert raw == bytes.fromhex(signed["r"][2:] + signed["s"][2:]) + bytes([signed["v"]])
    assert signed["v"] in (27, 28) and int(signed["s"], 16) <= HALF_ORDER
    json.dumps(signed)  # the server can return it as is


@pytest.mark.parametrize(
    "change",
    [
        {"chain_id": 2},
        {"contract": "0x" + "ab" * 20},
        {"voucher": Voucher(CLAIMANT, 12 * 10**18 + 1, 3, 41, 1_900_000_000)},
        {"voucher": Voucher(CLAIMANT, 12 * 10**18, 3, 42, 1_900_000_000)},
    ],
)
def test_signature_does_not_carry_over(change):
    signed = sign_voucher(SIGNER, build_domain(1, CONTRACT), VOUCHER)
    domain = build_domain(change.get("chain_id", 1), change.get("contract", CONTRACT))
    voucher = change.get("voucher", VOUCHER)
    assert recover_voucher_signer(domain, voucher, signed["signature"]) != SIGNER.address


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ((CLAIMANT.lower().replace("c", "C", 1), 1, 1, 1, 1), "checksum"),
        (("0x1234", 1, 1, 1, 1), "not an address"),
        ((CLAIMANT, -1, 1, 1, 1), "cumulative_amount must fit"),
        ((CLAIMANT, 1, 2**256, 1, 1), "round must fit"),
        ((CLAIMANT, 1, 1, "7", 1), "nonce must be an int"),
        ((CLAIMANT, 1, 1, 1, 1.0), "deadline must be an int"),
    ],
)
def test_voucher_rejects_values_the_contract_cannot_take(fields, message):
    with pytest.raises(ValueError, match=message):
        Voucher(*fields)


def test_voucher_normalises_claimant_to_eip55():
    assert Voucher(CLAIMANT.lower(), 1, 1, 1, 1).claimant == CLAIMANT


def test_keystore_round_trip(tmp_path):
    path = tmp_path / "signer.json"
    created = create_keystore(path, "s3cret", kdf="pbkdf2", iterations=1024)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    keystore = json.loads(path.read_text())
    assert keystore["version"] == 3
    assert created.key.hex() not in path.read_text()
    assert load_signer(path, "s3cret").address == created.address


def test_keystore_keeps_a_given_key_and_never_overwrites(tmp_path):
    path = tmp_path / "signer.json"
    create_keystore(path, "pw", SIGNER.key, kdf="pbkdf2", iterations=1024)
    with pytest.raises(FileExistsError):
        create_keystore(path, "pw", kdf="pbkdf2", iterations=1024)
    assert load_signer(path, "pw").address == SIGNER.address


def test_wrong_password_says_so(tmp_path):
    path = tmp_path / "signer.json"
    create_keystore(path, "right", kdf="pbkdf2", iterations=1024)
    with pytest.raises(ValueError, match="check the password"):
        load_signer(path, "wrong")


@pytest.mark.slow
def test_default_scrypt_keystore(tmp_path):
    path = tmp_path / "signer.json"
    created = create_keystore(path, "pw")
    assert json.loads(path.read_text())["crypto"]["kdf"] == "scrypt"
    assert load_signer(path, "pw").address == created.address
