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
import { startGeneric } from './generic-ui.js';

/** Reads the settings content scripts may see (sites on/off, licence). */
async function settings() {
  const { settings: s } = await chrome.storage.local.get('settings');
  return s ?? {};
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
  return watchAnswers(adapter, ({ conv, turn, prompt }) => {
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
  });
}

/** Starts the extension on this page unless the user switched the site off. */
export async function start() {
  const adapter = adapterFor(location.hostname);
  let current = await settings();
  let running = null;
  const enabled = () => current.sites?.[adapter.site] !== false;
  const getLicence = () => current.licence ?? null;
  const apply = () => {
    if (enabled() && !running) {
      running =
        adapter.site === 'generic' ? startGeneric(adapter, getLicence) : startSite(adapter, getLicence);
    } else if (!enabled() && running) {
      running.stop();
      running = null;
      removeBars(document);
      closePanel();
    }
  };
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== 'local' || !changes.settings) return;
    current = changes.settings.newValue ?? {};
    apply();
  });
  apply();
}
