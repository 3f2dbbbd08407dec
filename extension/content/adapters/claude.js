/**
 * claude.ai adapter. Every Claude selector lives here.
 *
 * Markup, as read by open-source tools that parse these pages:
 * - The user's prompt is `[data-testid="user-message"]`.
 * - Each answer sits in a `div[data-is-streaming]` that flips from "true" to
 *   "false" when the answer is finished; its body carries the
 *   `font-claude-response` (older: `font-claude-message`) class. Both are
 *   used, e.g., by an OB1 capture script that watches `data-is-streaming`
 *   flips and by DayTracker's claude.ai content script; `data-is-streaming`
 *   is the stable signal, the classes only narrow the text.
 * - The conversation id is the UUID after /chat/.
 * - Claude exposes no message ids in the DOM: messageId is null and the
 *   server de-duplicates on (prompt, answer) hashes.
 */
import { extractText } from '../text.js';

const USER = '[data-testid="user-message"]';
const ANSWER = '[data-is-streaming]';
const ANSWER_BODY = '.font-claude-response, .font-claude-message';
const CHAT_PATH = /^\/chat\/([0-9a-f-]{8,})/i;

export const site = 'claude';

/** True on the hosts this adapter reads. */
export function matches(hostname) {
  return hostname === 'claude.ai';
}

function answerNode(wrapper) {
  return wrapper.querySelector(ANSWER_BODY) ?? wrapper;
}

/** Reads the conversation into the normalised shape. */
export function read(doc, loc) {
  const turns = [];
  for (const el of doc.querySelectorAll(`${USER}, ${ANSWER}`)) {
    if (el.matches(USER)) {
      turns.push({ role: 'user', messageId: null, text: extractText(el).text, node: el });
    } else if (!el.querySelector(USER) && !el.parentElement?.closest(ANSWER)) {
      const node = answerNode(el);
      turns.push({ role: 'assistant', messageId: null, text: extractText(node).text, node });
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
