/**
 * Claim: ask the server for an EIP-712 voucher, then submit it to the
 * LiftClaims contract through the wallet when a chain is configured, else
 * show the voucher to copy. An issued voucher can be redeemed again later.
 */

import { ApiError, api, session } from './api.js';
import { say } from './common.js';
import { encodeClaimWithVoucher } from './abi.js';
import { ensureChain, provider, sendTransaction } from './wallet.js';

async function claimFunction() {
  const res = await fetch('/dashboard/contract.json');
  if (!res.ok) throw new Error('The claim contract ABI is not available on this server.');
  return res.json();
}

/** Submits a voucher on chain through the wallet; resolves to the transaction hash. */
async function submit(claim) {
  const { selector } = await claimFunction();
  const data = encodeClaimWithVoucher(selector, claim.voucher);
  await ensureChain(claim.chain_id);
  return sendTransaction({ from: session().address, to: claim.contract, data });
}

function showVoucher(box, claim) {
  const text = JSON.stringify(claim.voucher, null, 2);
  box.querySelector('textarea').value = text;
  box.querySelector('button').onclick = () => navigator.clipboard?.writeText(text);
  box.hidden = false;
}

/**
 * Redeems an issued claim: through the wallet when the server names a
 * contract and a wallet is present, else by showing the voucher to copy.
 */
export async function redeem(claim, status, voucherBox, done) {
  if (!claim.contract || !provider()) {
    showVoucher(voucherBox, claim);
    say(status, 'Voucher issued. No chain is configured here: copy the voucher to redeem it.', 'ok');
    return done();
  }
  say(status, 'Confirm the claim transaction in your wallet…');
  let txHash;
  try {
    txHash = await submit(claim);
  } catch (err) {
    showVoucher(voucherBox, claim);
    say(
      status,
      `The wallet did not send the claim (${err.message}). The voucher stays valid until its deadline:`,
      'error',
    );
    return done();
  }
  try {
    await api('POST', `/api/v1/claims/${claim.id}/paid`, { tx_hash: txHash });
    say(status, `Claim submitted: ${txHash}`, 'ok');
  } catch (err) {
    say(status, `Claim submitted: ${txHash} (not yet recorded here: ${err.message})`, 'ok');
  }
  return done();
}

/** Runs the whole claim flow; `done` reloads the page's numbers. */
export async function claim(status, voucherBox, done) {
  say(status, 'Asking the server for a voucher…');
  let issued;
  try {
    issued = await api('POST', '/api/v1/claims', {});
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      say(status, 'Nothing to claim right now.', 'info');
      return null;
    }
    if (err instanceof ApiError && err.status === 404) {
      say(status, 'Claims are not open on this server yet.', 'error');
      return null;
    }
    throw err;
  }
  await redeem(issued, status, voucherBox, done);
  return issued;
}
