/**
 * chatgpt.com / chat.openai.com adapter. Every ChatGPT selector lives here.
 *
 * Markup (test/fixtures/README.md cites the captures):
 * - A turn is `[data-testid^="conversation-turn-"]`: `<section>` since
 *   2026-04, `<article>` before, with `data-turn` ("user" | "assistant")
 *   and an `.sr-only` heading ("You said:" / "ChatGPT said:").
 * - The prompt's text is its `.whitespace-pre-wrap` bubble; attached files
 *   show as tiles beside it, inside the same message, and are not prompt.
 * - Inside a turn, each message is `[data-message-author-role]` with a
 *   stable `data-message-id`; the model is in `data-message-model-slug`.
 *   One answer may be several assistant messages (text before and after a
 *   "Thought for 12s" button or a tool call): they are one answer, with the
 *   id of the turn's first message. Tool messages
 *   (`data-message-author-role="tool"`: image generation, searches) may sit
 *   in the same turn, even first: they are never answer text. Older and
 *   saved pages have `<div>` turns without `data-turn`.
 * - Web citations are pills (`[data-testid="webpage-citation-pill"]`, the
 *   source's host name) inside the text: links, not answer text.
 * - Code blocks carry a header (language label, "Copy code") above the code;
 *   formulas are KaTeX (MathML + TeX annotation + HTML): read once, as TeX.
 * - Deep Research reports sit in a cross-origin iframe that no content
 *   script can read: such a turn is reported as unreadable, not rated. So
 *   is an answer with no text of its own: only a tool's output (a generated
 *   image in `.group/imagegen-image`) or a canvas card
 *   (`[id^="textdoc-message-"]`). Either way the prompt has its answer, so
 *   the health check does not take it for a changed page.
 * - While an answer streams, `button[data-testid="stop-button"]` shows; the
 *   whole last assistant turn counts as streaming meanwhile.
 * - The conversation id is the path segment after /c/, /share/ or
 *   /g/<gizmo>/c/ (pionxzh/chatgpt-exporter src/page.ts, getChatIdFromUrl).
 */
import { extractText } from '../text.js';

export const site = 'chatgpt';
export const version = '2026.07';

const TURN = '[data-testid^="conversation-turn-"]';
const MESSAGE = '[data-message-author-role]';
const ANSWER_BLOCK = '[data-message-author-role="assistant"]';
const PROMPT_BLOCK = '[data-message-author-role="user"]';
const PROMPT_TEXT = '.whitespace-pre-wrap';
const STOP_BUTTON = 'button[data-testid="stop-button"]';
const STREAMING_BODY = '.result-streaming';
const REPORT_FRAME = 'iframe[title="internal://deep-research"]';
const TEXTLESS = '[data-message-author-role="tool"], [id^="textdoc-message-"], .group\\/imagegen-image';
const CHAT_PATH = /^\/(?:share|c|g\/[a-z0-9-]+\/c)\/([a-z0-9-]+)/i;
const CODE_HEADER = 'pre > div > div.select-none:first-child, pre > div > div.sticky';
const CITATION = '[data-testid="webpage-citation-pill"]';
const KATEX = { selector: '.katex', text: (el) => el.querySelector('annotation')?.textContent.trim() };

/** Text rules of an answer: only prompt and answer blocks count; tools, labels and code headers never do. */
export const rules = Object.freeze({
  include: `${PROMPT_BLOCK}, ${ANSWER_BLOCK}`,
  skip: `.sr-only, ${CITATION}, ${CODE_HEADER}`,
  atoms: [KATEX],
});

/** The prompt's own text: its bubble, without the tiles of attached files beside it. */
const PROMPT_RULES = Object.freeze({ skip: rules.skip, atoms: rules.atoms });

/** Selectors the health check names when the page stops matching. */
export const selectors = Object.freeze({ turn: TURN, message: MESSAGE });

/** True on the hosts this adapter reads. */
export function matches(hostname) {
  return hostname === 'chatgpt.com' || hostname === 'chat.openai.com';
}

/** The element that holds all of `blocks` inside `turn` (their nearest common ancestor). */
function holder(turn, blocks) {
  let node = blocks[0].parentElement ?? blocks[0];
  while (node !== turn && !blocks.every((b) => node.contains(b))) node = node.parentElement;
  return node;
}

function userTurn(turn, block) {
  return { role: 'user', messageId: block.getAttribute('data-message-id'), text: '', node: block, rules };
}

function readTurn(turn) {
  const blocks = [...turn.querySelectorAll(MESSAGE)].filter((b) => !b.parentElement.closest(MESSAGE));
  const answers = blocks.filter((b) => b.matches(ANSWER_BLOCK));
  const prompt = blocks.find((b) => b.matches(PROMPT_BLOCK));
  const role = turn.getAttribute('data-turn') || (prompt && !answers.length ? 'user' : 'assistant');
  if (role === 'user' && prompt) {
    const t = userTurn(turn, prompt);
    t.text = extractText(prompt.querySelector(PROMPT_TEXT) ?? prompt, PROMPT_RULES).text;
    return t;
  }
  if (role !== 'assistant') return null;
  if (!answers.length) {
    const frame = turn.querySelector(REPORT_FRAME);
    if (frame) return { role, messageId: null, text: '', node: frame, rules, unreadable: 'deep-research' };
    const other = turn.querySelector(TEXTLESS);
    return other ? { role, messageId: null, text: '', node: other, rules, unreadable: 'no-text' } : null;
  }
  const node = holder(turn, answers);
  return {
    role,
    messageId: answers[0].getAttribute('data-message-id') || null,
    blockIds: answers.map((b) => b.getAttribute('data-message-id')).filter(Boolean),
    text: extractText(node, rules).text,
    node,
    rules,
  };
}

/** Reads the conversation into the normalised shape; one assistant turn is one answer. */
export function read(doc, loc) {
  const turns = [];
  for (const turn of doc.querySelectorAll(TURN)) {
    const t = readTurn(turn);
    if (t) turns.push(t);
  }
  return { conversationId: loc.pathname.match(CHAT_PATH)?.[1] ?? null, turns };
}

/** True while this answer is still being generated: the last assistant turn while Stop shows. */
export function isStreaming(node, doc) {
  if (node.querySelector?.(STREAMING_BODY)) return true;
  if (!doc.querySelector(STOP_BUTTON)) return false;
  const turns = [...doc.querySelectorAll(TURN)].filter(
    (t) => t.getAttribute('data-turn') === 'assistant' || t.querySelector(ANSWER_BLOCK),
  );
  return !!turns.at(-1)?.contains(node);
}

/** The model that wrote this answer, when the page says. */
export function modelName(node) {
  const el = node.matches?.('[data-message-model-slug]')
    ? node
    : node.querySelector?.('[data-message-model-slug]');
  return el?.getAttribute('data-message-model-slug') || null;
}
