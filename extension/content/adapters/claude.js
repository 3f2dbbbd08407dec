/**
 * claude.ai adapter. Every Claude selector lives here.
 *
 * Markup (test/fixtures/README.md cites the captures):
 * - The user's prompt is `[data-testid="user-message"]`.
 * - Each answer's body is `.font-claude-response` (current) or
 *   `.font-claude-message` (legacy), holding one or more `.standard-markdown`
 *   blocks. On the live app it sits in a `div[data-is-streaming]` that flips
 *   from "true" to "false" when the answer is finished; saved pages may lack
 *   that wrapper, so answers are found by their body, not by the wrapper.
 * - With extended thinking (and for searches and tool calls), the body is a
 *   two-row grid: `.row-start-1` holds the collapsible blocks (the thinking
 *   text stays in the DOM while collapsed), `.row-start-2` the answer. Only
 *   the answer counts.
 * - An opened artifact or research report is shown beside the chat in
 *   `#markdown-artifact`, which carries the answer body's class too: it is
 *   a document, not another answer.
 * - An artifact shows as a chip inside the answer: `.artifact-block-cell`
 *   with a title and a type line ("Code · JSX"); the chip is not answer text.
 * - A code block has a header inside its <pre>: the language label
 *   (`div.absolute.text-xs`) and a sticky Copy bar; neither is answer text.
 * - Formulas are KaTeX: read once, from the TeX annotation.
 * - The conversation id is the UUID after /chat/.
 * - Claude exposes no message ids in the DOM: messageId is null and the
 *   server de-duplicates on (prompt, answer) hashes.
 */
import { extractText } from '../text.js';

export const site = 'claude';
export const version = '2026.07';

const USER = '[data-testid="user-message"]';
const STREAMING_WRAPPER = '[data-is-streaming]';
const ANSWER_BODY = '.font-claude-response, .font-claude-message';
const ARTIFACT_PANEL = '#markdown-artifact';
const CHAT_PATH = /^\/chat\/([0-9a-f-]{8,})/i;
const KATEX = { selector: '.katex', text: (el) => el.querySelector('annotation')?.textContent.trim() };

const COLLAPSIBLE_BLOCKS = '.row-start-1';
const CODE_HEADER = 'pre > div > div.absolute.text-xs, pre > div > div.sticky';

/** Text rules of an answer: thinking and tool blocks, code headers, artifact chips and screen-reader text never count. */
export const rules = Object.freeze({
  skip: `${COLLAPSIBLE_BLOCKS}, ${CODE_HEADER}, .artifact-block-cell, .sr-only`,
  atoms: [KATEX],
});

/** Selectors the health check names when the page stops matching. */
export const selectors = Object.freeze({ turn: `${USER}, ${ANSWER_BODY}`, message: ANSWER_BODY });

/** True on the hosts this adapter reads. */
export function matches(hostname) {
  return hostname === 'claude.ai';
}

/** Reads the conversation into the normalised shape. */
export function read(doc, loc) {
  const turns = [];
  for (const el of doc.querySelectorAll(`${USER}, ${ANSWER_BODY}`)) {
    if (el.matches(USER)) {
      turns.push({ role: 'user', messageId: null, text: extractText(el, rules).text, node: el, rules });
    } else if (!el.closest(`${USER}, ${ARTIFACT_PANEL}`) && !el.parentElement?.closest(ANSWER_BODY)) {
      turns.push({ role: 'assistant', messageId: null, text: extractText(el, rules).text, node: el, rules });
    }
  }
  return { conversationId: loc.pathname.match(CHAT_PATH)?.[1] ?? null, turns };
}

/** True while this answer is still being generated. */
export function isStreaming(node) {
  return node.closest(STREAMING_WRAPPER)?.getAttribute('data-is-streaming') === 'true';
}

/** Claude does not print the model beside each answer. */
export function modelName() {
  return null;
}
