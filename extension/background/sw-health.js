/**
 * Adapter health: a content script says when a supported page stopped
 * matching its adapter (no answer for a while, or a prompt without one).
 * The tab's badge and the popup then say "this page changed; ratings
 * paused", and one anonymous event (site, adapter version, the selector
 * that failed, the problem) goes to the server per day and kind, so that
 * site changes are noticed within hours. No URL, text or token is sent.
 */

export const HEALTH_PATH = '/api/v1/adapter-health';
export const PAUSED = 'This page changed; ratings paused.';
const DAY_MS = 24 * 60 * 60 * 1000;
const PROBLEMS = new Set(['no-answer', 'prompt-without-answer']);

/** The anonymous event for a report, or null when the report is malformed. */
export function eventOf(data) {
  const ok = (v, n) => typeof v === 'string' && v.length > 0 && v.length <= n;
  if (!ok(data?.site, 20) || !ok(data.adapter_version, 20) || !ok(data.selector, 200)) return null;
  if (!PROBLEMS.has(data.problem)) return null;
  return {
    site: data.site,
    adapter_version: data.adapter_version,
    selector: data.selector,
    problem: data.problem,
  };
}

export class Health {
  /** `area`: chrome.storage.local; `getServerUrl()`; `action`: chrome.action (badge). */
  constructor({ area, getServerUrl, action, fetchImpl = (...a) => fetch(...a), now = Date.now }) {
    Object.assign(this, { area, getServerUrl, action, fetchImpl, now });
    this.tabs = new Map();
  }

  /** Records a tab's report (`problem: null` clears it); returns `{paused}`. */
  async report(tabId, data) {
    if (!data?.problem) {
      this.tabs.delete(tabId);
      await this.action.setBadgeText({ tabId, text: '' });
      return { paused: false };
    }
    const event = eventOf(data);
    if (!event)
      throw new Error('A health report needs a site, an adapter version, a selector and a problem.');
    this.tabs.set(tabId, event);
    await this.action.setBadgeBackgroundColor({ tabId, color: '#b3261e' });
    await this.action.setBadgeText({ tabId, text: '!' });
    await this.action.setTitle({ tabId, title: `Liftledger: ${PAUSED}` });
    await this.send(event);
    return { paused: true };
  }

  /** The paused notice for a tab, or null. */
  status(tabId) {
    const event = this.tabs.get(tabId);
    return event ? { message: PAUSED, ...event } : null;
  }

  /** Posts the event unless the same one was sent in the last day. */
  async send(event) {
    const serverUrl = await this.getServerUrl();
    if (!serverUrl) return false;
    const key = Object.values(event).join('|');
    const { healthSent = {} } = await this.area.get('healthSent');
    if (healthSent[key] && this.now() - healthSent[key] < DAY_MS) return false;
    try {
      const res = await this.fetchImpl(`${serverUrl}${HEALTH_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(event),
        signal: AbortSignal.timeout(8000),
      });
      if (!res.ok) return false;
    } catch {
      return false; // unreachable: the next report tries again
    }
    await this.area.set({ healthSent: { ...healthSent, [key]: this.now() } });
    return true;
  }
}
