import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as chatgpt from '../content/adapters/chatgpt.js';
import { ensureBar } from '../content/bar.js';
import { watchAnswers } from '../content/watch.js';
import { fixture } from './helpers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Polls `cond` until true or `ms` elapse (jsdom's first style reads are slow). */
async function until(cond, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(20);
  return cond();
}

const BLOCK = (id, text) =>
  `<div data-message-author-role="assistant" data-message-id="${id}"><div class="markdown prose"><p>${text}</p></div></div>`;

test('a multi-block answer is reported once, whole, only after the stop button goes', async (t) => {
  const { doc, loc, window } = fixture('chatgpt', 'https://chatgpt.com/c/abc-1');
  globalThis.MutationObserver = window.MutationObserver;
  const finished = [];
  const stop = doc.createElement('button');
  stop.setAttribute('data-testid', 'stop-button');
  doc.body.append(stop);
  // A new exchange whose first block is complete while the answer goes on.
  doc
    .getElementById('turns')
    .insertAdjacentHTML(
      'beforeend',
      `<section data-testid="conversation-turn-9" data-turn="user"><div data-message-author-role="user" data-message-id="u9"><div class="whitespace-pre-wrap">Plan a trip.</div></div></section>` +
        `<section data-testid="conversation-turn-10" data-turn="assistant"><div class="agent-turn"><div class="flex max-w-full flex-col grow">${BLOCK('a10', 'First, pack.')}</div></div></section>`,
    );
  const watcher = watchAnswers(
    chatgpt,
    ({ turn, prompt }) => {
      finished.push({ id: turn.messageId, text: turn.text, prompt: prompt.text });
      ensureBar(turn.node, () => {});
    },
    { doc, loc, stableMs: 50 },
  );
  t.after(() => watcher.stop());
  await until(() => finished.length >= 3);
  await sleep(300);
  assert.deepEqual(
    [...new Set(finished.map((f) => f.id))].sort(),
    ['bbb2-asst', 'ddd4-asst', 'fff6-asst'],
    'the streaming last turn waits, even with a finished first block',
  );
  const grow = doc.querySelector('[data-testid="conversation-turn-10"] .grow');
  grow.insertAdjacentHTML(
    'beforeend',
    `<div><button>Thought for 3s</button></div>${BLOCK('a10-2', 'Then, go.')}`,
  );
  await sleep(300);
  assert.equal(finished.filter((f) => f.id === 'a10').length, 0);
  stop.remove();
  await until(() => finished.some((f) => f.prompt === 'Plan a trip.'));
  const trip = finished.filter((f) => f.prompt === 'Plan a trip.');
  assert.deepEqual(trip[0], { id: 'a10', text: 'First, pack.\nThen, go.', prompt: 'Plan a trip.' });
  assert.ok(
    trip.every((f) => f.text === 'First, pack.\nThen, go.'),
    'never a half answer',
  );
  assert.equal(doc.querySelectorAll('liftledger-bar').length, 4, 'one bar per answer, none for the report');

  // A re-render that drops our bar gets it back, and the text excludes our bar.
  doc.querySelector('liftledger-bar').remove();
  assert.ok(await until(() => doc.querySelectorAll('liftledger-bar').length === 4));
  assert.equal(chatgpt.read(doc, loc).turns.find((t) => t.messageId === 'fff6-asst').text, 'Hello there!');
});

test('health: a conversation page with no turns, or a prompt left without answer, is reported once', async (t) => {
  const { doc, loc, window } = fixture('gemini', 'https://gemini.google.com/u/1/app/9f8e7d6c5b4a3921');
  globalThis.MutationObserver = window.MutationObserver;
  const gemini = await import('../content/adapters/gemini.js');
  const reports = [];
  const watcher = watchAnswers(gemini, () => {}, {
    doc,
    loc,
    stableMs: 20,
    graceMs: 150,
    onHealth: (h) => reports.push(h),
  });
  t.after(() => watcher.stop());
  await sleep(400);
  assert.deepEqual(reports, [], 'a healthy page reports nothing');
  // The site renames its answer element: prompts are left without answers.
  for (const el of doc.querySelectorAll('model-response')) el.replaceWith(doc.createElement('model-reply'));
  assert.ok(await until(() => reports.length === 1));
  assert.deepEqual(reports[0], { problem: 'prompt-without-answer', selector: gemini.selectors.message });
  await sleep(300);
  assert.equal(reports.length, 1, 'reported once');
  for (const el of doc.querySelectorAll('.conversation-container')) el.remove();
  assert.ok(await until(() => reports.length === 2));
  assert.deepEqual(reports[1], { problem: 'no-answer', selector: gemini.selectors.turn });
});
