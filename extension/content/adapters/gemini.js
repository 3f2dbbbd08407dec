/**
 * gemini.google.com adapter. Every Gemini selector lives here.
 *
 * Gemini is an Angular app built from custom elements, which are stabler
 * than its class names:
 * - `<user-query>` holds a prompt (its text in `.query-text`), `<model-response>`
 *   an answer, whose body is `<message-content id="message-content-id-r_…">`;
 *   the `r_…` part is the response id (Louisjo/gemini-chat-exporter and
 *   other exporters walk `user-query` / `model-response`; several tools strip
 *   the `message-content-id-` prefix to get a stable message identity).
 * - The conversation id is the hex segment after /app/ (or /gem/<name>/).
 * - While streaming, the markdown panel inside the answer is `aria-busy="true"`.
 */
import { extractText } from '../text.js';

const TURN = 'user-query, model-response';
const QUERY_TEXT = '.query-text';
const BODY = 'message-content';
const BUSY = '[aria-busy="true"]';
const ID_PREFIX = /^message-content-id-/;
const CHAT_PATH = /^\/(?:app|gem\/[^/]+)\/([0-9a-f]{8,})/i;

export const site = 'gemini';

/** True on the hosts this adapter reads. */
export function matches(hostname) {
  return hostname === 'gemini.google.com';
}

/** Reads the conversation into the normalised shape. */
export function read(doc, loc) {
  const turns = [];
  for (const el of doc.querySelectorAll(TURN)) {
    if (el.localName === 'user-query') {
      const node = el.querySelector(QUERY_TEXT) ?? el;
      turns.push({ role: 'user', messageId: null, text: extractText(node).text, node });
    } else {
      const node = el.querySelector(BODY) ?? el;
      const id = node.id ? node.id.replace(ID_PREFIX, '') : null;
      turns.push({ role: 'assistant', messageId: id || null, text: extractText(node).text, node });
    }
  }
  return { conversationId: loc.pathname.match(CHAT_PATH)?.[1] ?? null, turns };
}

/** True while this answer is still being generated. */
export function isStreaming(node) {
  const response = node.closest('model-response') ?? node;
  return !!response.querySelector(BUSY);
}

/** Gemini does not print the model beside each answer. */
export function modelName() {
  return null;
}
