/**
 * Message handlers of the service worker: records and health reports from
 * content scripts, status and settings for the popup and options page, and
 * the device link from the dashboard (externally_connectable).
 */
import { MSG } from '../common/messages.js';
import { redactRecord } from '../common/redact.js';
import { answerOf } from './sw-gold.js';
import { cleanServerUrl, getSettings, getToken, setSettings } from './sw-settings.js';

const KINDS = new Set(['rating', 'pairwise', 'correction']);
// Popup and options pages (in a tab or not) have extension URLs; content scripts have the page's.
const fromExtensionPage = (sender) =>
  sender.id === chrome.runtime.id && !!sender.url?.startsWith(chrome.runtime.getURL(''));
const fromOptionsPage = (sender) =>
  fromExtensionPage(sender) && new URL(sender.url).pathname === '/options/options.html';

/** What a content script may know of the settings: never the server or the token. */
export const publicSettings = (settings) => ({ sites: settings.sites, licence: settings.licence });

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

/**
 * Builds the handler table around the feedback queue and its delivery, and
 * `gold`: `{queue, delivery, offer()}` for gold comparisons.
 */
export function handlers({ queue, delivery, health, gold, onSettings = async () => {} }) {
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
    async [MSG.STATUS](data, sender) {
      if (!fromExtensionPage(sender)) throw new Error('Not allowed.');
      const [settings, token, counts] = await Promise.all([getSettings(), getToken(), queue.counts()]);
      const page = data?.tabId != null ? health.status(data.tabId) : null;
      return { settings, linked: !!token, counts, health: page, me: await fetchMe(settings, token) };
    },
    async [MSG.FLUSH](_data, sender) {
      if (!fromExtensionPage(sender)) throw new Error('Not allowed.');
      await Promise.all([queue.wake(), gold.queue.wake()]);
      await Promise.all([delivery.flush(), gold.delivery.flush()]);
      return queue.counts();
    },
    async [MSG.GOLD_OFFER](_data, sender) {
      if (sender.id !== chrome.runtime.id) throw new Error('Unknown sender.');
      return { offer: await gold.offer() };
    },
    async [MSG.GOLD_ANSWER](data, sender) {
      if (sender.id !== chrome.runtime.id) throw new Error('Unknown sender.');
      const answer = answerOf(data);
      if (!answer) throw new Error('An answer needs an item id and a choice of a or b.');
      await gold.queue.add(answer);
      gold.delivery.flush();
      return { ok: true };
    },
    async [MSG.SETTINGS_GET](_data, sender) {
      const [settings, token] = await Promise.all([getSettings(), getToken()]);
      if (!fromExtensionPage(sender)) return { settings: publicSettings(settings) };
      return { settings, linked: !!token };
    },
    async [MSG.SETTINGS_SET](data, sender) {
      if (!fromExtensionPage(sender)) throw new Error('Not allowed.');
      const patch = { ...data };
      delete patch.confirmServer;
      if ('serverUrl' in patch || 'token' in patch) {
        if (!fromOptionsPage(sender))
          throw new Error('The server and token are set in the options page only.');
        const current = await getSettings();
        const next = cleanServerUrl(patch.serverUrl ?? current.serverUrl);
        if (current.serverUrl && next !== current.serverUrl) {
          if (data.confirmServer !== next) throw new Error('Confirm the change of server first.');
          // A token belongs to the server that issued it: never send it elsewhere.
          if (!('token' in patch)) patch.token = '';
        }
      }
      const settings = await setSettings(patch);
      await onSettings(settings);
      delivery.flush();
      gold.delivery.flush();
      return { settings, linked: !!(await getToken()) };
    },
    async [MSG.HEALTH](data, sender) {
      if (sender.id !== chrome.runtime.id || !sender.tab) throw new Error('Unknown sender.');
      return health.report(sender.tab.id, data);
    },
  };
}

/**
 * The dashboard hands over a device token. The manifest lets loopback and
 * liftledger.org pages call; only a page on the configured server's exact
 * origin (scheme, host and port) is heard, and it can set the token only:
 * the server URL is changed in the options page, by the user.
 */
export async function handleLink(message, sender, delivery) {
  if (message?.type !== MSG.LINK) throw new Error('Unknown message.');
  const token = message.data?.token;
  if (typeof token !== 'string' || !token.trim()) throw new Error('No token.');
  const { serverUrl } = await getSettings();
  if (!serverUrl) throw new Error('Set the server URL in the extension options first.');
  const origin = sender.origin ?? new URL(sender.url).origin;
  if (origin !== new URL(serverUrl).origin) throw new Error('Only the configured server can link.');
  await setSettings({ token });
  delivery.flush();
  return { ok: true };
}
