/**
 * Content entry point: picks the site adapter, watches for finished answers,
 * puts 👍 / 👎 beside each and opens the panel on a click. Never talks to
 * the server: records go to the service worker, which queues and delivers.
 */
import { adapterFor } from './adapters/index.js';
import { ensureBar, removeBars } from './bar.js';
import { closePanel, openPanel } from './panel.js';
import { Siblings } from './siblings.js';
import { watchAnswers } from './watch.js';
import { MSG, send } from '../common/messages.js';

/** Reads the settings content scripts may see (sites on/off, licence), from the service worker. */
async function settings() {
  try {
    return (await send(MSG.SETTINGS_GET)).settings ?? {};
  } catch {
    return {};
  }
}

/** Tells the service worker whether this page still fits its adapter. */
function reportHealth(adapter, { problem, selector }) {
  const data = { site: adapter.site, adapter_version: adapter.version, selector, problem };
  send(MSG.HEALTH, data).catch(() => {});
}

function contextFor(adapter, conv, turn, prompt, licence) {
  return {
    site: adapter.site,
    conversationId: conv.conversationId,
    messageId: turn.messageId,
    modelName: adapter.modelName(turn.node),
    prompt: prompt?.text ?? '',
    answer: turn.text,
    node: turn.node,
    rules: turn.rules,
    licence,
  };
}

function startSite(adapter, getLicence) {
  const siblings = new Siblings();
  const onFinished = ({ conv, turn, prompt }) => {
    const answer = {
      messageId: turn.messageId,
      blockIds: turn.blockIds ?? [],
      text: turn.text,
      modelName: adapter.modelName(turn.node),
    };
    siblings.add(conv.conversationId, prompt?.text, answer);
    ensureBar(turn.node, (rating, button) => {
      // Re-read at click time: the page may have re-rendered since.
      const ctx = contextFor(adapter, conv, turn, prompt, getLicence());
      const others = siblings.others(conv.conversationId, prompt?.text, answer);
      openPanel(ctx, { rating, others, returnFocus: button });
    });
  };
  return watchAnswers(adapter, onFinished, { onHealth: (h) => reportHealth(adapter, h) });
}

/** Starts the extension on a chat site's page unless the user switched the site off. */
export async function start() {
  const adapter = adapterFor(location.hostname);
  if (adapter.site === 'generic') return; // other pages: rated from the popup, on request
  let current = await settings();
  let running = null;
  const enabled = () => current.sites?.[adapter.site] !== false;
  const getLicence = () => current.licence ?? null;
  const apply = () => {
    if (enabled() && !running) {
      running = startSite(adapter, getLicence);
    } else if (!enabled() && running) {
      running.stop();
      running = null;
      removeBars(document);
      closePanel();
    }
  };
  chrome.runtime.onMessage.addListener((message) => {
    if (message?.type !== MSG.SETTINGS_CHANGED) return;
    current = message.data ?? {};
    apply();
  });
  apply();
}
