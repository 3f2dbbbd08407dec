import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as chatgpt from '../content/adapters/chatgpt.js';
import { ensureBar } from '../content/bar.js';
import { watchAnswers } from '../content/watch.js';
import { fixture } from './helpers.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

test('answers are reported only once streaming has finished, and bars survive re-renders', async () => {
  const { doc, loc, window } = fixture('chatgpt', 'https://chatgpt.com/c/abc-1');
  globalThis.MutationObserver = window.MutationObserver;
  const finished = new Map();
  const stop = doc.createElement('button');
  stop.setAttribute('data-testid', 'stop-button');
  doc.body.append(stop);
  const watcher = watchAnswers(
    chatgpt,
    ({ turn, prompt }) => {
      finished.set(turn.messageId, { text: turn.text, prompt: prompt.text });
      ensureBar(turn.node, () => {});
    },
    { doc, loc, stableMs: 50 },
  );
  await sleep(250);
  assert.deepEqual(
    [...finished.keys()].sort(),
    ['bbb2-asst', 'ddd4-asst'],
    'the streaming last answer waits',
  );
  stop.remove();
  await sleep(250);
  assert.deepEqual(finished.get('fff6-asst'), { text: 'Hello there!', prompt: 'Say hello.' });
  assert.equal(doc.querySelectorAll('liftledger-bar').length, 3);

  // A re-render that drops our bar gets it back.
  doc.querySelector('liftledger-bar').remove();
  await sleep(250);
  assert.equal(doc.querySelectorAll('liftledger-bar').length, 3);
  // The answer text excludes our own bar.
  assert.equal(chatgpt.read(doc, loc).turns[5].text, 'Hello there!');
  watcher.stop();
});
