/**
 * The 👍 / 👎 pair placed right after each finished answer, in its own
 * shadow root so the page's styles and ours never mix.
 */
import { OWN_ATTR } from './text.js';

const TAG = 'liftledger-bar';
const STYLE = `
  :host { display: block; margin: 4px 0; }
  div { display: inline-flex; gap: 4px; }
  button { font: 14px/1 system-ui, sans-serif; padding: 3px 8px; border: 1px solid #bbb;
    border-radius: 6px; background: #fff; color: #222; cursor: pointer; }
  button:hover { background: #f1f1f1; }
  button:focus-visible { outline: 2px solid #1a73e8; outline-offset: 1px; }
`;

/** Puts a rating bar after `node` unless one is there; `onRate(rating, button)` on click. */
export function ensureBar(node, onRate) {
  const next = node.nextElementSibling;
  if (next?.localName === TAG) {
    next.onRate = onRate; // the newest reading of the answer wins
    return next;
  }
  const host = node.ownerDocument.createElement(TAG);
  host.setAttribute(OWN_ATTR, 'bar');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${STYLE}</style>
    <div role="group" aria-label="Liftledger feedback">
      <button type="button" data-rating="1" aria-label="Good answer (Liftledger)" title="Good answer">👍</button>
      <button type="button" data-rating="-1" aria-label="Bad answer (Liftledger)" title="Bad answer">👎</button>
    </div>`;
  root.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-rating]');
    if (button) host.onRate(Number(button.dataset.rating), button);
  });
  host.onRate = onRate;
  node.after(host);
  return host;
}

/** Removes every bar from the document (the site was switched off). */
export function removeBars(doc) {
  for (const el of doc.querySelectorAll(TAG)) el.remove();
}
