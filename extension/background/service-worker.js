/**
 * The service worker: the only code that talks to the server. Like the
 * GoogleChrome/chrome-extensions-samples workers, it imports feature modules
 * and registers every listener at top level, so a restarted worker handles
 * the event that woke it. On every start it resumes delivering the queue.
 */
import { MSG } from '../common/messages.js';
import { Delivery } from './sw-delivery.js';
import { fetchOffer, sendAnswers } from './sw-gold.js';
import { Health } from './sw-health.js';
import { handleLink, handlers, publicSettings } from './sw-messages.js';
import { Queue } from './sw-queue.js';
import { ROTATE_EVERY_MS, rotateIfDue } from './sw-rotation.js';
import { getSettings, getToken } from './sw-settings.js';

const ALARM = 'liftledger-flush';
const GOLD_ALARM = 'liftledger-gold-flush';
const ALARM_MIN_MS = 30000;
const ROTATE_ALARM = 'liftledger-rotate-token';

// The token, the server URL and the queue live in storage.local: content
// scripts (which run inside the chat pages) must not be able to read it.
chrome.storage.local.setAccessLevel({ accessLevel: 'TRUSTED_CONTEXTS' });

const queue = new Queue(chrome.storage.local);
const goldQueue = new Queue(chrome.storage.local, { prefix: 'gold.' });
const timers = {};

async function showBadge({ pending }) {
  await chrome.action.setBadgeBackgroundColor({ color: '#1a73e8' });
  await chrome.action.setBadgeText({ text: pending ? String(pending) : '' });
}

/** Wakes `flush` in `ms`: a timer while the worker lives; an alarm in case it is stopped first. */
function scheduler(alarm, flush) {
  return (ms) => {
    clearTimeout(timers[alarm]);
    timers[alarm] = setTimeout(flush, ms);
    chrome.alarms.create(alarm, { when: Date.now() + Math.max(ms, ALARM_MIN_MS) });
  };
}

/** Tells every tab's content script the settings it may see. */
async function broadcast(settings) {
  const data = publicSettings(settings);
  for (const tab of await chrome.tabs.query({})) {
    chrome.tabs.sendMessage(tab.id, { type: MSG.SETTINGS_CHANGED, data }).catch(() => {});
  }
}

const getConfig = async () => ({ serverUrl: (await getSettings()).serverUrl, token: await getToken() });
const delivery = new Delivery({
  queue,
  getConfig,
  onIdle: showBadge,
  schedule: scheduler(ALARM, () => delivery.flush()),
});
const goldDelivery = new Delivery({
  queue: goldQueue,
  getConfig,
  send: sendAnswers,
  schedule: scheduler(GOLD_ALARM, () => goldDelivery.flush()),
});
const gold = {
  queue: goldQueue,
  delivery: goldDelivery,
  offer: async () => fetchOffer(fetch, await getConfig()),
};
const health = new Health({
  area: chrome.storage.local,
  getServerUrl: async () => (await getSettings()).serverUrl,
  action: chrome.action,
});
const table = handlers({ queue, delivery, health, gold, onSettings: broadcast });
const flushAll = () => Promise.all([delivery.flush(), goldDelivery.flush()]);

function reply(promise, sendResponse) {
  promise.then(
    (data) => sendResponse({ ok: true, data }),
    (err) => sendResponse({ ok: false, error: err.message }),
  );
  return true;
}

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  const handler = table[message?.type];
  if (!handler) return false;
  return reply(handler(message.data, sender), sendResponse);
});

chrome.runtime.onMessageExternal.addListener((message, sender, sendResponse) =>
  reply(handleLink(message, sender, { flush: flushAll }), sendResponse),
);

chrome.tabs.onRemoved.addListener((tabId) => health.tabs.delete(tabId));

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) rotateIfDue().finally(() => delivery.flush());
  if (alarm.name === GOLD_ALARM) rotateIfDue().finally(() => goldDelivery.flush());
  if (alarm.name === ROTATE_ALARM) rotateIfDue();
});
chrome.alarms.create(ROTATE_ALARM, { periodInMinutes: ROTATE_EVERY_MS / 60000 });

chrome.runtime.onStartup.addListener(flushAll);
chrome.runtime.onInstalled.addListener(flushAll);
rotateIfDue().finally(flushAll);
