/**
 * Settings and the device token, in chrome.storage.local. The token lives
 * under its own key and is only ever read here, in the service worker.
 */
import { SITES } from '../common/messages.js';

export const DEFAULTS = Object.freeze({
  serverUrl: '',
  redact: false,
  licence: null,
  sites: Object.fromEntries(SITES.map((s) => [s, true])),
});

/** The current settings merged over the defaults. */
export async function getSettings(area = chrome.storage.local) {
  const { settings } = await area.get('settings');
  return { ...DEFAULTS, ...settings, sites: { ...DEFAULTS.sites, ...settings?.sites } };
}

/** Normalises a server URL to its origin plus path, without a trailing slash. */
export function cleanServerUrl(url) {
  if (!url) return '';
  const u = new URL(url);
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('The server URL must be http(s).');
  return `${u.origin}${u.pathname}`.replace(/\/+$/, '');
}

/** Merges `patch` into the stored settings; `token` in the patch goes to the auth key. */
export async function setSettings(patch, area = chrome.storage.local) {
  const { token, ...rest } = patch ?? {};
  const current = await getSettings(area);
  const next = { ...current, ...rest, sites: { ...current.sites, ...rest.sites } };
  if ('serverUrl' in rest) next.serverUrl = cleanServerUrl(rest.serverUrl);
  const write = { settings: next };
  // A token just linked counts as just rotated (sw-rotation.js keeps it fresh).
  if (token !== undefined) write.auth = { token: token ? String(token).trim() : '', rotatedAt: Date.now() };
  await area.set(write);
  return next;
}

/** The device token, or '' when the extension is not linked. */
export async function getToken(area = chrome.storage.local) {
  const { auth } = await area.get('auth');
  return auth?.token ?? '';
}
