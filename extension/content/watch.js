/**
 * Watches a chat page for finished answers. A MutationObserver (the pattern
 * of GoogleChrome/chrome-extensions-samples for single-page apps) schedules a
 * debounced re-read through the site adapter, so single-page navigation and
 * re-renders are handled the same way as new answers. An answer counts as
 * finished when the adapter says it is not streaming and its text has not
 * changed for `stableMs`.
 *
 * The same scan checks the adapter still fits the page: on a conversation
 * URL, no turns at all, or a prompt with no answer after it, for `graceMs`,
 * is reported through `onHealth({problem, selector})` (and `{problem: null}`
 * once the page reads again).
 */
import { OWN_ATTR } from './text.js';

const ATTRS = ['data-is-streaming', 'aria-busy', 'data-message-id', 'id', 'data-testid'];

function own(node) {
  const el = node.nodeType === 1 ? node : node.parentElement;
  return !!el?.closest?.(`[${OWN_ATTR}]`);
}

/** What is wrong with a reading of a conversation page, or null. */
export function problemOf(adapter, conv) {
  if (!conv.conversationId) return null;
  if (!conv.turns.length) return { problem: 'no-answer', selector: adapter.selectors.turn };
  const orphan = conv.turns.some((t, i) => t.role === 'user' && conv.turns[i + 1]?.role !== 'assistant');
  return orphan ? { problem: 'prompt-without-answer', selector: adapter.selectors.message } : null;
}

/** Calls `onFinished({conv, turn, prompt})` for each finished answer, again after re-renders. */
export function watchAnswers(adapter, onFinished, opts = {}) {
  const doc = opts.doc ?? document;
  const loc = opts.loc ?? location;
  const stableMs = opts.stableMs ?? 600;
  const graceMs = opts.graceMs ?? 15000;
  const onHealth = opts.onHealth ?? (() => {});
  const seen = new WeakMap();
  let timer = null;
  let health = { key: null, since: 0, reported: null };

  /** Reports a problem that has lasted `graceMs`, and its end; returns the ms to the next check. */
  const checkHealth = (conv, now) => {
    const found = problemOf(adapter, conv);
    const key = found ? `${loc.pathname}|${found.problem}` : null;
    if (key !== health.key) health = { ...health, key, since: now };
    if (!found) {
      if (health.reported) onHealth({ problem: null, selector: null });
      health.reported = null;
      return null;
    }
    if (now - health.since < graceMs) return graceMs - (now - health.since);
    if (health.reported !== key) onHealth(found);
    health.reported = key;
    return null;
  };

  const schedule = (ms = 120) => {
    if (!timer) timer = setTimeout(scan, ms);
  };

  function scan() {
    timer = null;
    const conv = adapter.read(doc, loc);
    const now = Date.now();
    let pending = false;
    let prompt = null;
    for (const turn of conv.turns) {
      if (turn.role === 'user') {
        prompt = turn;
        continue;
      }
      if (turn.unreadable || turn.pending) continue; // a cross-origin report, or still thinking
      const key = `${turn.messageId}\u0000${turn.text}`;
      const state = seen.get(turn.node);
      if (!state || state.key !== key || adapter.isStreaming(turn.node, doc) || !turn.text) {
        if (!state || state.key !== key) seen.set(turn.node, { key, since: now });
        else state.since = now;
        pending = true;
      } else if (now - state.since < stableMs) {
        pending = true;
      } else {
        onFinished({ conv, turn, prompt });
      }
    }
    const recheck = checkHealth(conv, now);
    if (pending) schedule(stableMs);
    else if (recheck !== null) schedule(recheck);
  }

  const observer = new MutationObserver((mutations) => {
    if (mutations.every((m) => own(m.target))) return;
    schedule();
  });
  observer.observe(doc.body, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ATTRS,
  });
  schedule(0);
  return { stop: () => observer.disconnect(), rescan: () => schedule(0) };
}
