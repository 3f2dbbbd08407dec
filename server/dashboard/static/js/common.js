/**
 * Shared page helpers: config from the server, the header's wallet status,
 * sign-in and sign-out buttons, and formatting of amounts.
 */

import { api, clearSession, session } from './api.js';
import { signIn } from './wallet.js';

/** The page config the server rendered into #config. */
export const config = JSON.parse(document.getElementById('config')?.textContent || '{}');

/** document.querySelector shorthand. */
export const $ = (selector) => document.querySelector(selector);

/**
 * Integer base units (a decimal string, possibly beyond 2^53) as tokens: exact,
 * trailing zeros trimmed, at most 6 decimals once the amount reaches one token.
 */
export function formatAmount(value) {
  if (value === null || value === undefined || value === '') return '—';
  let units;
  try {
    units = BigInt(String(value));
  } catch {
    return String(value);
  }
  const decimals = BigInt(config.token?.decimals ?? 18);
  const scale = 10n ** decimals;
  const sign = units < 0n ? '-' : '';
  const abs = units < 0n ? -units : units;
  const whole = abs / scale;
  let frac = (abs % scale).toString().padStart(Number(decimals), '0');
  if (whole > 0n) frac = frac.slice(0, 6);
  frac = frac.replace(/0+$/, '');
  return `${sign}${whole.toLocaleString('en-US')}${frac ? '.' + frac : ''}`;
}

/** Puts an amount into `node`: tokens as text, exact base units in data-units and title. */
export function showAmount(node, value) {
  node.textContent = formatAmount(value);
  node.dataset.units = value ?? '';
  node.title = value === null || value === undefined ? '' : `${value} base units`;
  return node;
}

/** A short form of an address: 0x1234…abcd. */
export const shortAddress = (a) => (a ? `${a.slice(0, 6)}…${a.slice(-4)}` : '');

/** A date-time string as the reader's local date and time; '—' when absent. */
export function formatDate(value) {
  if (!value) return '—';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : date.toLocaleString();
}

/** Shows a message in a status element (`kind`: info, ok, error). */
export function say(node, text, kind = 'info') {
  node.textContent = text;
  node.dataset.kind = kind;
  node.hidden = !text;
}

/** Keeps ?ext=<extension id> across pages of this tab. */
export function extensionId() {
  const fromQuery = new URLSearchParams(location.search).get('ext');
  if (fromQuery) sessionStorage.setItem('liftledger.ext', fromQuery);
  return fromQuery || sessionStorage.getItem('liftledger.ext') || config.extension_id || null;
}

/** Fills the header: the signed-in address and Sign out, or nothing. */
export function renderHeader() {
  const who = $('#who');
  const current = session();
  who.hidden = !current;
  if (!current) return;
  $('#who-address').textContent = shortAddress(current.address);
  $('#who-address').title = current.address;
  $('#sign-out').onclick = async () => {
    try {
      await api('POST', '/api/v1/auth/logout', { refresh_token: current.refresh_token });
    } catch {
      // Signing out locally is what matters; the refresh token expires anyway.
    }
    clearSession();
    location.href = '/';
  };
}

/** Wires a sign-in button; `onDone` runs after a successful sign-in. */
export function wireSignIn(button, status, onDone) {
  button.onclick = async () => {
    button.disabled = true;
    say(status, 'Waiting for your wallet…');
    try {
      await signIn();
      say(status, 'Signed in.', 'ok');
      renderHeader();
      await onDone();
    } catch (err) {
      say(status, `Sign-in failed: ${err.message}`, 'error');
    } finally {
      button.disabled = false;
    }
  };
}

/** Shows the page's signed-in or signed-out section; true when a wallet is signed in. */
export function showSignedIn() {
  const signedIn = Boolean(session());
  document.querySelector('#signed-out').hidden = signedIn;
  document.querySelector('#signed-in').hidden = !signedIn;
  return signedIn;
}
