/**
 * chatgpt.com / chat.openai.com adapter. Every ChatGPT selector lives here.
 *
 * Markup, as read by open-source tools that parse these pages:
 * - Each message is an element with `data-message-author-role` ("user" |
 *   "assistant" | "system" | "tool") and a stable `data-message-id`; the
 *   answer's model is in `data-message-model-slug` (e.g. ybharatu/chatgpt2pdf
 *   assets/chrome_html_chatgpt_download.js selects `[data-message-author-role]`).
 * - Turns are wrapped in `article[data-testid^="conversation-turn-"]`.
 * - The conversation id is the path segment after /c/, /share/ or
 *   /g/<gizmo>/c/ (pionxzh/chatgpt-exporter src/page.ts, getChatIdFromUrl).
 * - While an answer streams, a `button[data-testid="stop-button"]` is shown
 *   and older builds mark the body `.result-streaming`.
 * - Regenerated answers replace the visible sibling and show "2 / 2"
 *   (pionxzh/chatgpt-exporter src/page.ts, getConversationChoice); the
 *   panel's sibling tracker keeps the earlier text so A/B can be offered.
 */
import { extractText } from '../text.js';

const MESSAGE = '[data-message-author-role]';
const STOP_BUTTON = 'button[data-testid="stop-button"]';
const STREAMING_BODY = '.result-streaming';
const CHAT_PATH = /^\/(?:share|c|g\/[a-z0-9-]+\/c)\/([a-z0-9-]+)/i;

export const site = 'chatgpt';

/** True on the hosts this adapter reads. */
export function matches(hostname) {
  return hostname === 'chatgpt.com' || hostname === 'chat.openai.com';
}

/** Reads the conversation into the normalised shape. */
export function read(doc, loc) {
  const turns = [];
  for (const node of doc.querySelectorAll(MESSAGE)) {
    const role = node.getAttribute('data-message-author-role');
    if (role !== 'user' && role !== 'assistant') continue;
    if (node.parentElement?.closest(MESSAGE)) continue;
    turns.push({
      role,
      messageId: node.getAttribute('data-message-id') || null,
      text: extractText(node).text,
      node,
    });
  }
  return { conversationId: loc.pathname.match(CHAT_PATH)?.[1] ?? null, turns };
}

/** True while this answer is still being generated. */
export function isStreaming(node, doc) {
  if (node.querySelector(STREAMING_BODY)) return true;
  const all = doc.querySelectorAll('[data-message-author-role="assistant"]');
  return all[all.length - 1] === node && !!doc.querySelector(STOP_BUTTON);
}

/** The model that wrote this answer, when the page says. */
export function modelName(node) {
  return node.getAttribute('data-message-model-slug') || null;
}
