/**
 * gemini.google.com adapter. Every Gemini selector lives here.
 *
 * Gemini is an Angular app built from custom elements, which are stabler
 * than its class names (test/fixtures/README.md cites the captures):
 * - One exchange is a `.conversation-container` holding a `<user-query>`
 *   and a `<model-response>`; prompts and answers are paired within it.
 * - The prompt's text is in `.query-text`, which since 2026 starts with a
 *   `.cdk-visually-hidden` "You said" label for screen readers: skipped.
 * - The answer body is `<message-content id="message-content-id-r_…">`; the
 *   `r_…` part is the response id. A Deep Research report's body has the
 *   fixed id `extended-response-message-content`, the same for every report:
 *   no message id then. With "Show thinking" expanded, a second
 *   `message-content` sits inside `<model-thoughts>`: that is the thinking,
 *   never the answer.
 * - Gemini marks what its own Copy leaves out (source chips, carousels) with
 *   `hide-from-message-actions`: not answer text either.
 * - Code blocks have a `.code-block-decoration` header (language, copy);
 *   a generated file's source sits collapsed behind "Show code"
 *   (`.code-block.collapsed`, not displayed): neither is answer text.
 * - URLs: /app/<id>, /gem/<name>/<id>, each optionally under /u/<n>/ for a
 *   second Google account.
 * - While streaming, the markdown panel inside the answer is `aria-busy="true"`.
 */
import { extractText } from '../text.js';

export const site = 'gemini';
export const version = '2026.07';

const EXCHANGE = '.conversation-container';
const TURN = 'user-query, model-response';
const QUERY_TEXT = '.query-text';
const BODY = 'message-content';
const THOUGHTS = 'model-thoughts';
const BUSY = '[aria-busy="true"]';
const RESPONSE_ID = /^message-content-id-(r_[0-9a-z]+)$/i;
const ACCOUNT = /^\/u\/\d+(?=\/)/;
const CHAT_PATH = /^\/(?:app|gem\/[^/]+)\/([0-9a-f]{8,})/i;

/** Text rules: screen-reader labels, thinking, code headers and collapsed code never count. */
export const rules = Object.freeze({
  skip: `.cdk-visually-hidden, [hide-from-message-actions], ${THOUGHTS}, .code-block-decoration, .code-block.collapsed, mat-icon`,
});

/** Selectors the health check names when the page stops matching. */
export const selectors = Object.freeze({ turn: TURN, message: `${BODY}, ${QUERY_TEXT}` });

/** True on the hosts this adapter reads. */
export function matches(hostname) {
  return hostname === 'gemini.google.com';
}

/** The answer's own message-content: the first one outside the thinking panel. */
function answerBody(response) {
  return [...response.querySelectorAll(BODY)].find((m) => !m.closest(THOUGHTS)) ?? null;
}

function readPrompt(el) {
  const node = el.querySelector(QUERY_TEXT) ?? el;
  return { role: 'user', messageId: null, text: extractText(node, rules).text, node, rules };
}

function readAnswer(el) {
  const node = answerBody(el);
  // Still thinking: the answer is on its way, not missing.
  if (!node)
    return el.querySelector(THOUGHTS)
      ? { role: 'assistant', messageId: null, text: '', node: el, rules, pending: true }
      : null;
  const id = node.id.match(RESPONSE_ID)?.[1] ?? null;
  return { role: 'assistant', messageId: id, text: extractText(node, rules).text, node, rules };
}

function readExchange(root, turns) {
  for (const el of root.querySelectorAll(TURN)) {
    if (el.parentElement?.closest(TURN)) continue;
    const turn = el.localName === 'user-query' ? readPrompt(el) : readAnswer(el);
    if (turn) turns.push(turn);
  }
}

/** The conversation id from a path, with any /u/<n> account prefix removed. */
export function conversationIdOf(pathname) {
  return pathname.replace(ACCOUNT, '').match(CHAT_PATH)?.[1] ?? null;
}

/** Reads the conversation into the normalised shape, one exchange at a time. */
export function read(doc, loc) {
  const turns = [];
  const exchanges = doc.querySelectorAll(EXCHANGE);
  if (exchanges.length) for (const ex of exchanges) readExchange(ex, turns);
  else readExchange(doc, turns);
  return { conversationId: conversationIdOf(loc.pathname), turns };
}

/** True while this answer is still being generated. */
export function isStreaming(node) {
  const response = node.closest('model-response') ?? node;
  return [...response.querySelectorAll(BUSY)].some((el) => !el.closest(THOUGHTS));
}

/** Gemini does not print the model beside each answer. */
export function modelName() {
  return null;
}
