/**
 * Just enough Solidity ABI encoding for LiftClaims.claimWithVoucher(address
 * claimant, uint256 cumulativeAmount, uint256 round, uint256 nonce, uint256
 * deadline, bytes signature). The selector comes from the server, which
 * hashes the signature from the compiled artifact.
 */

const word = (hex) => hex.padStart(64, '0');

function uint(value) {
  const n = BigInt(String(value));
  if (n < 0n || n >= 1n << 256n) throw new Error(`not a uint256: ${value}`);
  return word(n.toString(16));
}

function address(value) {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new Error(`not an address: ${value}`);
  return word(value.slice(2).toLowerCase());
}

function bytes(hex) {
  const body = hex.replace(/^0x/, '').toLowerCase();
  if (!/^([0-9a-f]{2})*$/.test(body)) throw new Error('not hex bytes');
  const padded = body.padEnd(Math.ceil(body.length / 64) * 64, '0');
  return uint(body.length / 2) + padded;
}

/** Calldata for claimWithVoucher from a voucher as the claims API returns it. */
export function encodeClaimWithVoucher(selector, voucher) {
  const m = voucher.message;
  const head = [
    address(m.claimant),
    uint(m.cumulativeAmount),
    uint(m.round),
    uint(m.nonce),
    uint(m.deadline),
    uint(6 * 32), // offset of the dynamic `bytes signature`, after six head words
  ];
  return selector + head.join('') + bytes(voucher.signature);
}
