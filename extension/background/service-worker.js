/**
 * The service worker: the only code that talks to the server. Like the
 * GoogleChrome/chrome-extensions-samples workers, it imports feature modules
 * and registers every listener at top level, so a restarted worker handles
 * the event that woke it. On every start it resumes delivering the queue.
 */
import { Delivery } from './sw-delivery.js';
import { handleLink, handlers } from './sw-messages.js';
import { Queue } from './sw-queue.js';
import { getSettings, getToken } from './sw-settings.js';

const ALARM = 'liftledger-flush';
const ALARM_MIN_MS = 30000;

const queue = new Queue(chrome.storage.local);
let timer = null;

async function showBadge({ pending }) {
  await chrome.action.setBadgeBackgroundColor({ color: '#1a73e8' });
  await chrome.action.setBadgeText({ text: pending ? String(pending) : '' });
}

function schedule(ms) {
  // A timer while the worker lives; an alarm in case it is stopped first.
  clearTimeout(timer);
  timer = setTimeout(() => delivery.flush(), ms);
  chrome.alarms.create(ALARM, { when: Date.now() + Math.max(ms, ALARM_MIN_MS) });
}

const delivery = new Delivery({
  queue,
  getConfig: async () => ({ serverUrl: (await getSettings()).serverUrl, token: await getToken() }),
  onIdle: showBadge,
  schedule,
});
const table = handlers({ queue, delivery });

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
  reply(handleLink(message, sender, delivery), sendResponse),
);

chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === ALARM) delivery.flush();
});

chrome.runtime.onStartup.addListener(() => delivery.flush());
chrome.runtime.onInstalled.addListener(() => delivery.flush());
delivery.flush();
