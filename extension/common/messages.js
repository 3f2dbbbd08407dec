/**
 * Message types and vocabularies shared by the service worker, content
 * scripts, popup and options page, defined once here.
 * Messages are `{type, data}` objects, as in GoogleChrome/chrome-extensions-samples.
 */

export const MSG = Object.freeze({
  SUBMIT: 'feedback/submit', // content -> worker: {record}
  STATUS: 'status/get', // popup -> worker: counts, account, settings
  FLUSH: 'queue/flush', // popup -> worker: try delivery now
  SETTINGS_GET: 'settings/get', // any page -> worker (content scripts see sites and licence only)
  SETTINGS_SET: 'settings/set', // options/popup -> worker: partial settings; serverUrl from options only
  SETTINGS_CHANGED: 'settings/changed', // worker -> content scripts: {sites, licence}
  HEALTH: 'adapter/health', // content -> worker: {site, adapter_version, selector, problem}
  LINK: 'device/link', // dashboard on the configured server's origin -> worker: {token}
  GOLD_OFFER: 'gold/offer', // content -> worker, after a rating: -> {offer: {item_id, prompt, a, b} | null}
  GOLD_ANSWER: 'gold/answer', // content -> worker: {item_id, choice: 'a' | 'b'} (queued)
});

export const SITES = Object.freeze(['chatgpt', 'claude', 'gemini', 'generic']);

export const TAGS = Object.freeze([
  'factually_wrong',
  'harmful',
  'biased',
  'unhelpful',
  'off_topic',
  'verbose',
  'incoherent',
  'unsafe',
  'irrelevant',
  'unverifiable',
  'redundant',
  'missing_info',
  'wrong_grounding',
  'great_answer',
  'well_written',
]);

export const LICENCES = Object.freeze(['cc-by-4.0', 'research-only', 'no-training']);
export const LICENCE_LABELS = Object.freeze({
  'cc-by-4.0': 'CC BY 4.0',
  'research-only': 'Research only',
  'no-training': 'No training',
});

/** Sends `{type, data}` to the service worker; resolves with its data or throws its error. */
export async function send(type, data = null) {
  const reply = await chrome.runtime.sendMessage({ type, data });
  if (!reply?.ok) throw new Error(reply?.error ?? 'The extension did not answer.');
  return reply.data;
}
