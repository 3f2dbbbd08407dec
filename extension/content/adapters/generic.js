/**
 * Fallback for any other page: the user selects an answer's text and asks
 * to rate it (Alt+Shift+L or the floating button). There is no markup to
 * rely on, so the "conversation" is the single selected answer; the panel
 * asks the user for the prompt. The page URL is not sent: only the answer
 * and its prompt leave the browser.
 */
import { extractText } from '../text.js';

export const site = 'generic';
export const version = '2026.07';
export const rules = Object.freeze({});
export const selectors = Object.freeze({});

/** The generic adapter accepts every host; it is chosen last. */
export function matches() {
  return true;
}

/** The element that holds all of a selection, or null for an empty one. */
function selectionRoot(range) {
  let node = range.commonAncestorContainer;
  if (node.nodeType !== 1) node = node.parentElement;
  return node;
}

/**
 * Reads the user's selection as one assistant turn. `read(doc, loc, range)`
 * returns no turns when nothing is selected.
 */
export function read(doc, loc, range = null) {
  if (!range || range.collapsed) return { conversationId: null, turns: [] };
  const node = selectionRoot(range);
  // Whitespace is collapsed: a selection's raw text follows the page's
  // source layout, and span offsets are found again in this same form.
  const text = range.toString().replace(/\s+/g, ' ').trim() || extractText(node).text;
  return { conversationId: null, turns: [{ role: 'assistant', messageId: null, text, node, rules }] };
}

/** A selection is already finished text. */
export function isStreaming() {
  return false;
}

/** Unknown on an arbitrary page. */
export function modelName() {
  return null;
}
