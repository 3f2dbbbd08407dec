/**
 * The browser wallet (EIP-1193 `window.ethereum`): Sign-In with Ethereum
 * (EIP-4361 text signed with personal_sign) and sending a transaction.
 */

import { api, saveSession } from './api.js';

/** The injected EIP-1193 provider, or null when there is no wallet. */
export function provider() {
  return window.ethereum ?? null;
}

function toHex(text) {
  const bytes = new TextEncoder().encode(text);
  return '0x' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Asks the wallet for its account; returns the first address. */
export async function connect() {
  const eth = provider();
  if (!eth) throw new Error('No browser wallet found. Install one (e.g. MetaMask) and reload.');
  const accounts = await eth.request({ method: 'eth_requestAccounts' });
  if (!accounts?.length) throw new Error('The wallet shared no account.');
  return accounts[0];
}

/** Full sign-in: nonce, personal_sign of the EIP-4361 message, verify. */
export async function signIn() {
  const address = await connect();
  const { message } = await api('POST', '/api/v1/auth/nonce', { address });
  // personal_sign takes the message as hex-encoded UTF-8 (what MetaMask sends).
  const signature = await provider().request({
    method: 'personal_sign',
    params: [toHex(message), address],
  });
  const tokens = await api('POST', '/api/v1/auth/verify', { message, signature });
  saveSession(tokens);
  return tokens;
}

/** Switches the wallet to `chainId` (a number) when it is on another chain. */
export async function ensureChain(chainId) {
  const eth = provider();
  const current = parseInt(await eth.request({ method: 'eth_chainId' }), 16);
  if (current === Number(chainId)) return;
  await eth.request({
    method: 'wallet_switchEthereumChain',
    params: [{ chainId: '0x' + Number(chainId).toString(16) }],
  });
}

/** Sends a transaction from `from`; resolves to its hash. */
export async function sendTransaction({ from, to, data }) {
  return provider().request({ method: 'eth_sendTransaction', params: [{ from, to, data }] });
}
