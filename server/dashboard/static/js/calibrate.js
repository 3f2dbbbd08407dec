/**
 * The calibrate card: a few gold comparisons (reference pairs whose better
 * answer is known) shown as ordinary A/B choices, and the signed-in
 * expert's accuracy on them with its 95% interval. The server decides what
 * to show and how many a day; answers are never training data.
 */

import { api, get } from './api.js';
import { $, say } from './common.js';

const pct = (x) => `${Math.round(x * 100)}%`;

/** Shows the accuracy line: "k of n right (acc, 95% interval lo–hi)". */
export function renderAccuracy(node, acc) {
  if (!acc || !acc.answered) {
    node.textContent = 'No calibration answers yet.';
    return;
  }
  node.textContent =
    `${acc.correct} of ${acc.answered} right (${pct(acc.accuracy)}; ` +
    `95% interval ${pct(acc.low)}–${pct(acc.high)})`;
}

function showComparison(offer) {
  const box = $('#calibrate-item');
  box.hidden = !offer;
  $('#calibrate-next').hidden = Boolean(offer);
  if (!offer) return;
  box.dataset.itemId = offer.item_id;
  box.querySelector('[data-field=prompt]').textContent = offer.prompt;
  box.querySelector('[data-field=a]').textContent = offer.a;
  box.querySelector('[data-field=b]').textContent = offer.b;
}

async function refreshAccuracy() {
  renderAccuracy($('#calibrate-accuracy'), await get('/api/v1/gold/accuracy'));
}

async function next() {
  const status = $('#calibrate-status');
  const { offer } = await api('POST', '/api/v1/gold/offer', { reason: 'calibrate' });
  showComparison(offer);
  say(status, offer ? '' : 'No more comparisons today. Come back tomorrow.');
}

async function choose(choice) {
  const box = $('#calibrate-item');
  for (const b of box.querySelectorAll('button')) b.disabled = true;
  try {
    await api('POST', '/api/v1/gold/answers', { item_id: Number(box.dataset.itemId), choice });
    await refreshAccuracy();
    await next();
  } finally {
    for (const b of box.querySelectorAll('button')) b.disabled = false;
  }
}

/** Wires the card's buttons and shows the current accuracy. */
export async function loadCalibrate() {
  const status = $('#calibrate-status');
  const guard = (fn) => () => fn().catch((err) => say(status, `Calibration failed: ${err.message}`, 'error'));
  $('#calibrate-next').onclick = guard(next);
  for (const b of document.querySelectorAll('#calibrate-item button[data-choice]'))
    b.onclick = guard(() => choose(b.dataset.choice));
  await refreshAccuracy();
}
