/**
 * Message handlers of the service worker: records from content scripts,
 * status and settings for the popup and options page, and the device link
 * from the dashboard (externally_connectable).
 */
import { MSG } from '../shared/messages.js';
import { redactRecord } from '../shared/redact.js';
import { getSettings, getToken, setSettings } from './sw-settings.js';

const KINDS = new Set(['rating', 'pairwise', 'correction']);
// Popup and options pages (in a tab or not) have extension URLs; content scripts have the page's.
const fromExtensionPage = (sender) =>
  sender.id === chrome.runtime.id && !!sender.url?.startsWith(chrome.runtime.getURL(''));

/** Fetches GET /api/v1/me, or null when unlinked or unreachable. */
async function fetchMe(settings, token) {
  if (!settings.serverUrl || !token) return null;
  try {
    const res = await fetch(`${settings.serverUrl}/api/v1/me`, {
      headers: { Authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(4000),
    });
    return res.ok ? await res.json() : { error: `HTTP ${res.status}` };
  } catch (err) {
    return { error: err.message };
  }
}

/** Builds the handler table around one queue and one delivery. */
export function handlers({ queue, delivery }) {
  return {
    async [MSG.SUBMIT](data, sender) {
      if (sender.id !== chrome.runtime.id) throw new Error('Unknown sender.');
      if (!KINDS.has(data?.kind) || !data.prompt?.trim() || !data.answer?.trim())
        throw new Error('A record needs a kind, a prompt and an answer.');
      const settings = await getSettings();
      // Redact before the record is even stored, so it never rests unredacted.
      const record = settings.redact ? redactRecord(data) : data;
      const item = await queue.add(record);
      delivery.flush();
      return { ok: true, client_id: item.client_id };
    },
    async [MSG.STATUS](_data, sender) {
      if (!fromExtensionPage(sender)) throw new Error('Not allowed.');
      const [settings, token, counts] = await Promise.all([getSettings(), getToken(), queue.counts()]);
      return { settings, linked: !!token, counts, me: await fetchMe(settings, token) };
    },
    async [MSG.FLUSH](_data, sender) {
      if (!fromExtensionPage(sender)) throw new Error('Not allowed.');
      await queue.wake();
      await delivery.flush();
      return queue.counts();
    },
    async [MSG.SETTINGS_GET]() {
      const [settings, token] = await Promise.all([getSettings(), getToken()]);
      return { settings, linked: !!token };
    },
    async [MSG.SETTINGS_SET](data, sender) {
      if (!fromExtensionPage(sender)) throw new Error('Not allowed.');
      const settings = await setSettings(data);
      delivery.flush();
      return { settings, linked: !!(await getToken()) };
    },
  };
}

/**
 * The dashboard hands over a device token. Only origins listed in
 * externally_connectable can call this; the caller's origin becomes the
 * server URL unless the message names one on the same origin.
 */
export async function handleLink(message, sender, delivery) {
  if (message?.type !== MSG.LINK) throw new Error('Unknown message.');
  const token = message.data?.token;
  if (typeof token !== 'string' || !token.trim()) throw new Error('No token.');
  const origin = sender.origin ?? new URL(sender.url).origin;
  const wanted = message.data.server_url ?? origin;
  if (new URL(wanted).origin !== origin) throw new Error('server_url must be on the linking origin.');
  await setSettings({ serverUrl: wanted, token });
  delivery.flush();
  return { ok: true };
}
