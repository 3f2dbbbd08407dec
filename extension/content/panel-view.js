/** Markup and styles of the feedback panel (rendered inside its shadow root). */
import { TAGS } from '../common/messages.js';

const esc = (s) =>
  String(s).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
const label = (tag) => tag.replace(/_/g, ' ');
const snippet = (text, n = 140) => (text.length > n ? `${text.slice(0, n)}…` : text);

export const STYLE = `
  :host { all: initial; }
  section { position: fixed; right: 16px; bottom: 16px; z-index: 2147483646; width: 340px;
    max-height: 75vh; overflow: auto; box-sizing: border-box; padding: 12px; border-radius: 10px;
    background: #fff; color: #1f1f1f; border: 1px solid #ccc; box-shadow: 0 6px 24px rgba(0,0,0,.18);
    font: 13px/1.4 system-ui, sans-serif; }
  header { display: flex; justify-content: space-between; align-items: center; margin-bottom: 8px; }
  h2 { font-size: 14px; margin: 0; }
  fieldset { border: 1px solid #e3e3e3; border-radius: 8px; margin: 0 0 8px; padding: 6px 8px; }
  legend { font-weight: 600; padding: 0 4px; }
  .tags { display: flex; flex-wrap: wrap; gap: 4px 10px; }
  .tags label { white-space: nowrap; }
  textarea { width: 100%; box-sizing: border-box; min-height: 48px; font: inherit; }
  button { font: inherit; padding: 3px 8px; border-radius: 6px; border: 1px solid #bbb;
    background: #f7f7f7; cursor: pointer; }
  button[aria-pressed="true"] { background: #d2e3fc; border-color: #1a73e8; }
  button.primary { background: #1a73e8; border-color: #1a73e8; color: #fff; }
  :focus-visible { outline: 2px solid #1a73e8; outline-offset: 1px; }
  ul { margin: 4px 0 0; padding-left: 18px; }
  .muted { color: #5f6368; }
  .status { min-height: 1.4em; margin-top: 6px; }
  .status.error { color: #b3261e; }
`;

function promptBlock(ctx) {
  if (ctx.site !== 'generic') return '';
  return `<fieldset><legend>Prompt</legend>
    <textarea name="prompt" aria-label="Prompt that led to this answer" placeholder="Paste the question you asked">${esc(
      ctx.prompt ?? '',
    )}</textarea></fieldset>`;
}

function abBlock(others) {
  if (!others.length) return '';
  const other = others[0];
  return `<fieldset class="ab"><legend>A/B: which answer is better?</legend>
    <p class="muted">B: “${esc(snippet(other.text))}”</p>
    <label><input type="radio" name="choice" value="a"> A (this answer)</label>
    <label><input type="radio" name="choice" value="b"> B (other answer)</label>
    <label><input type="radio" name="choice" value="tie"> Tie</label></fieldset>`;
}

/** The panel's HTML for one answer. */
export function panelHtml(ctx, others, rating) {
  const tags = TAGS.map(
    (t) => `<label><input type="checkbox" name="tag" value="${t}"> ${label(t)}</label>`,
  ).join('');
  const options = TAGS.map((t) => `<option value="${t}">${label(t)}</option>`).join('');
  return `<style>${STYLE}</style>
  <section role="dialog" aria-modal="false" aria-labelledby="ll-title">
    <header><h2 id="ll-title">Liftledger feedback</h2>
      <button type="button" name="close" aria-label="Close feedback panel">✕</button></header>
    <p class="muted">Answer: “${esc(snippet(ctx.answer, 90))}”</p>
    ${promptBlock(ctx)}
    <div role="group" aria-label="Rating">
      <button type="button" name="rate" value="1" aria-pressed="${rating === 1}">👍 Good</button>
      <button type="button" name="rate" value="-1" aria-pressed="${rating === -1}">👎 Bad</button>
    </div>
    <fieldset><legend>Tags</legend><div class="tags">${tags}</div></fieldset>
    <fieldset><legend>Tag a span</legend>
      <p class="muted" data-role="selection">Select words in the answer, then tag them.</p>
      <select name="span-tag" aria-label="Tag for the selected span">${options}</select>
      <button type="button" name="add-span">Tag selection</button>
      <ul data-role="spans"></ul></fieldset>
    <label>Comment<textarea name="comment" aria-label="Comment"></textarea></label>
    <details><summary>Suggest a correction</summary>
      <textarea name="correction" aria-label="Corrected answer">${esc(ctx.answer)}</textarea></details>
    ${abBlock(others)}
    <div><button type="button" name="send" class="primary">Send</button>
      <span class="muted"> Only this answer and its prompt are sent.</span></div>
    <p class="status" role="status" aria-live="polite"></p>
  </section>`;
}

/** One list item for a tagged span. */
export function spanHtml(span, index) {
  return `<li>“${esc(snippet(span.quote, 60))}” — ${label(span.tag)}
    <button type="button" name="remove-span" value="${index}" aria-label="Remove span ${index + 1}">✕</button></li>`;
}

/**
 * A gold comparison offered after a rating, as an ordinary A/B choice: the
 * prompt and both answers in full, A or B, Send or Skip.
 */
export function goldHtml(offer) {
  const side = (name, text) => `<fieldset class="side"><legend>${name}</legend>
      <p class="answer">${esc(text)}</p></fieldset>`;
  return `<style>${STYLE}
  .answer { white-space: pre-wrap; max-height: 9em; overflow: auto; margin: 0; }</style>
  <section role="dialog" aria-modal="false" aria-labelledby="ll-title">
    <header><h2 id="ll-title">One more: which answer is better?</h2>
      <button type="button" name="close" aria-label="Close feedback panel">✕</button></header>
    <p class="muted">Prompt: “${esc(snippet(offer.prompt, 200))}”</p>
    ${side('A', offer.a)}${side('B', offer.b)}
    <fieldset class="gold"><legend>A/B: which answer is better?</legend>
      <label><input type="radio" name="choice" value="a"> A</label>
      <label><input type="radio" name="choice" value="b"> B</label></fieldset>
    <div><button type="button" name="send-gold" class="primary">Send</button>
      <button type="button" name="close">Skip</button></div>
    <p class="status" role="status" aria-live="polite"></p>
  </section>`;
}
