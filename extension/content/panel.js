/**
 * The compact feedback panel: one per page, in a shadow root, fixed in a
 * corner and non-modal, so it never blocks the page. Everything is a real
 * form control, reachable with Tab; Escape closes it.
 */
import { MSG, send } from '../common/messages.js';
import { buildRecords, missingInput } from '../common/record.js';
import { codePointOffset, sliceCodePoints } from '../common/offsets.js';
import { OWN_ATTR, rangeToSpan } from './text.js';
import { goldHtml, panelHtml, spanHtml } from './panel-view.js';

let current = null;

const norm = (s) => s.replace(/\s+/g, ' ').trim();

/**
 * Code-point offsets of a page selection in the answer text, or null when it
 * lies outside the answer. `ctx.rules` are the adapter's text rules.
 */
export function spanFor(ctx, range) {
  const hit = rangeToSpan(ctx.node, range, ctx.rules);
  if (hit && sliceCodePoints(ctx.answer, hit.start, hit.end) === hit.quote) return hit;
  if (!ctx.node.contains(range.commonAncestorContainer)) return null;
  const quote = norm(range.toString());
  const at = quote ? ctx.answer.indexOf(quote) : -1;
  if (at < 0) return null;
  const start = codePointOffset(ctx.answer, at);
  return { start, end: start + codePointOffset(quote, quote.length), quote };
}

/** Closes the open panel, if any, and gives focus back to where it came from. */
export function closePanel() {
  if (!current) return;
  document.removeEventListener('selectionchange', current.onSelection);
  current.host.remove();
  current.returnFocus?.focus?.();
  current = null;
}

function setStatus(root, text, error = false) {
  const el = root.querySelector('.status');
  el.textContent = text;
  el.classList.toggle('error', error);
}

function renderSpans(root, state) {
  root.querySelector('[data-role="spans"]').innerHTML = state.spans.map(spanHtml).join('');
}

function readState(root, state) {
  const checked = (sel) => [...root.querySelectorAll(sel)].filter((i) => i.checked);
  return {
    ...state,
    tags: checked('input[name="tag"]').map((i) => i.value),
    comment: root.querySelector('textarea[name="comment"]').value,
    correctedText: root.querySelector('textarea[name="correction"]').value,
    choice: checked('input[name="choice"]')[0]?.value ?? null,
  };
}

async function submit(root, ctx, state) {
  const promptField = root.querySelector('textarea[name="prompt"]');
  const full = { ...ctx, prompt: promptField ? promptField.value.trim() : ctx.prompt };
  const records = buildRecords(full, readState(root, state));
  const problem = missingInput(full, records);
  if (problem) return setStatus(root, problem, true);
  try {
    for (const record of records) await send(MSG.SUBMIT, record);
  } catch (err) {
    return setStatus(root, `Could not queue the feedback: ${err.message}`, true);
  }
  setStatus(root, 'Queued ✓ — sent when the server answers.');
  // The server decides now and then to follow a rating with a gold comparison.
  const offer = await send(MSG.GOLD_OFFER)
    .then((data) => data?.offer ?? null)
    .catch(() => null);
  if (offer && current?.ctx === ctx) return showGold(root, offer);
  setTimeout(() => current?.ctx === ctx && closePanel(), 1500);
}

/** Turns the open panel into one gold comparison; its answer is queued like feedback. */
function showGold(root, offer) {
  const ctx = { gold: offer.item_id };
  current.ctx = ctx;
  root.innerHTML = goldHtml(offer);
  root.querySelector('input[name="choice"]').focus();
  current.onGold = async () => {
    const choice = root.querySelector('input[name="choice"]:checked')?.value;
    if (!choice) return setStatus(root, 'Choose A or B first.', true);
    try {
      await send(MSG.GOLD_ANSWER, { item_id: offer.item_id, choice });
    } catch (err) {
      return setStatus(root, `Could not queue the answer: ${err.message}`, true);
    }
    setStatus(root, 'Queued ✓ — thank you.');
    setTimeout(() => current?.ctx === ctx && closePanel(), 1500);
  };
}

function onClick(event, root, ctx, state) {
  const button = event.target.closest('button');
  if (!button) return;
  if (button.name === 'close') closePanel();
  else if (button.name === 'rate') {
    state.rating = Number(button.value);
    for (const b of root.querySelectorAll('button[name="rate"]'))
      b.setAttribute('aria-pressed', String(b === button));
  } else if (button.name === 'add-span') {
    if (!state.selection) return setStatus(root, 'First select some words in the answer.', true);
    state.spans.push({ ...state.selection, tag: root.querySelector('select[name="span-tag"]').value });
    renderSpans(root, state);
    setStatus(root, `Tagged span ${state.spans.length}.`);
  } else if (button.name === 'remove-span') {
    state.spans.splice(Number(button.value), 1);
    renderSpans(root, state);
  } else if (button.name === 'send') submit(root, ctx, state);
  else if (button.name === 'send-gold') current?.onGold?.();
}

/**
 * Opens the panel for one answer. `ctx` holds the record fields plus `node`
 * (the answer element); `others` are earlier answers to the same prompt.
 */
export function openPanel(ctx, { rating = null, others = [], returnFocus = null } = {}) {
  closePanel();
  const host = document.createElement('liftledger-panel');
  host.setAttribute(OWN_ATTR, 'panel');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = panelHtml(ctx, others, rating);
  const state = { rating, spans: [], selection: null, other: others[0] ?? null };
  const onSelection = () => {
    const sel = document.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return;
    const span = spanFor(ctx, sel.getRangeAt(0));
    if (!span) return;
    state.selection = span;
    root.querySelector('[data-role="selection"]').textContent = `Selected: “${span.quote.slice(0, 80)}”`;
  };
  document.addEventListener('selectionchange', onSelection);
  root.addEventListener('click', (e) => onClick(e, root, ctx, state));
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      closePanel();
    }
  });
  document.documentElement.append(host);
  current = { host, ctx, onSelection, returnFocus };
  onSelection();
  root.querySelector(rating ? 'button[name="rate"][aria-pressed="true"]' : 'button[name="rate"]').focus();
  return host;
}
