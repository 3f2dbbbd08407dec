/**
 * claude.ai adapter. Every Claude selector lives here.
 *
 * Markup (test/fixtures/README.md cites the captures):
 * - The user's prompt is `[data-testid="user-message"]`.
 * - Each answer sits in a `div[data-is-streaming]` that flips from "true" to
 *   "false" when the answer is finished; its body is `.font-claude-response`
 *   (current) or `.font-claude-message` (legacy), holding one or more
 *   `.standard-markdown` blocks.
 * - An artifact shows as a chip inside the answer: `.artifact-block-cell`
 *   with a title and a type line ("Code · JSX"); the chip is not answer text.
 * - Formulas are KaTeX: read once, from the TeX annotation.
 * - The conversation id is the UUID after /chat/.
 * - Claude exposes no message ids in the DOM: messageId is null and the
 *   server de-duplicates on (prompt, answer) hashes.
 */
import { extractText } from '../text.js';

export const site = 'claude';
export const version = '2026.07';

const USER = '[data-testid="user-message"]';
const ANSWER = '[data-is-streaming]';
const ANSWER_BODY = '.font-claude-response, .font-claude-message';
const CHAT_PATH = /^\/chat\/([0-9a-f-]{8,})/i;
const KATEX = { selector: '.katex', text: (el) => el.querySelector('annotation')?.textContent.trim() };

/** Text rules of an answer: artifact chips and screen-reader text never count. */
export const rules = Object.freeze({
  skip: '.artifact-block-cell, .sr-only',
  atoms: [KATEX],
});

/** Selectors the health check names when the page stops matching. */
export const selectors = Object.freeze({ turn: `${USER}, ${ANSWER}`, message: ANSWER_BODY });

/** True on the hosts this adapter reads. */
export function matches(hostname) {
  return hostname === 'claude.ai';
}

/** Reads the conversation into the normalised shape. */
export function read(doc, loc) {
  const turns = [];
  for (const el of doc.querySelectorAll(`${USER}, ${ANSWER}`)) {
    if (el.matches(USER)) {
      turns.push({ role: 'user', messageId: null, text: extractText(el, rules).text, node: el, rules });
    } else if (!el.querySelector(USER) && !el.parentElement?.closest(ANSWER)) {
      const node = el.querySelector(ANSWER_BODY);
      if (!node) continue;
      turns.push({ role: 'assistant', messageId: null, text: extractText(node, rules).text, node, rules });
    }
  }
  return { conversationId: loc.pathname.match(CHAT_PATH)?.[1] ?? null, turns };
}

/** True while this answer is still being generated. */
export function isStreaming(node) {
  return node.closest(ANSWER)?.getAttribute('data-is-streaming') === 'true';
}

/** Claude does not print the model beside each answer. */
export function modelName() {
  return null;
}
