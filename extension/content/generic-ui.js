/**
 * The generic fallback's trigger: when the user selects text on any other
 * page, a small "Rate selection" button appears near it; Alt+Shift+L does the
 * same from the keyboard. Nothing is read or sent until the user asks.
 */
import { closePanel, openPanel } from './panel.js';
import { OWN_ATTR } from './text.js';

const TAG = 'liftledger-select';
const STYLE = `:host { all: initial; }
  button { position: fixed; z-index: 2147483646; font: 13px system-ui, sans-serif; padding: 4px 8px;
    border-radius: 6px; border: 1px solid #1a73e8; background: #fff; color: #1a73e8; cursor: pointer; }
  button:focus-visible { outline: 2px solid #1a73e8; }`;

function currentRange() {
  const sel = document.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const el = range.commonAncestorContainer.parentElement ?? range.commonAncestorContainer;
  return el.closest?.(`[${OWN_ATTR}]`) ? null : range;
}

/** Starts the selection trigger; returns `{stop}`. */
export function startGeneric(adapter, getLicence) {
  const host = document.createElement(TAG);
  host.setAttribute(OWN_ATTR, 'select');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${STYLE}</style><button type="button" hidden>Rate selection (Liftledger)</button>`;
  const button = root.querySelector('button');
  document.documentElement.append(host);
  let saved = null;

  const rate = () => {
    const range = saved ?? currentRange();
    if (!range) return;
    const { turns } = adapter.read(document, location, range);
    if (!turns.length) return;
    const [turn] = turns;
    const ctx = {
      site: adapter.site,
      conversationId: null,
      messageId: null,
      modelName: null,
      prompt: '',
      answer: turn.text,
      node: turn.node,
      licence: getLicence(),
    };
    button.hidden = true;
    openPanel(ctx, { returnFocus: null });
  };
  const onSelection = () => {
    const range = currentRange();
    if (!range) return;
    saved = range.cloneRange();
    const rect = range.getBoundingClientRect();
    button.style.top = `${Math.max(4, Math.min(innerHeight - 36, rect.bottom + 6))}px`;
    button.style.left = `${Math.max(4, Math.min(innerWidth - 200, rect.left))}px`;
    button.hidden = false;
  };
  const onKey = (e) => {
    if (e.altKey && e.shiftKey && e.code === 'KeyL') rate();
  };
  button.addEventListener('click', rate);
  document.addEventListener('selectionchange', onSelection);
  document.addEventListener('keydown', onKey);
  return {
    stop() {
      document.removeEventListener('selectionchange', onSelection);
      document.removeEventListener('keydown', onKey);
      host.remove();
      closePanel();
    },
  };
}
