import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Siblings } from '../content/siblings.js';

test('a regenerated answer to the same prompt becomes the other side of an A/B choice', () => {
  const s = new Siblings();
  const first = { messageId: 'a1', text: 'First answer' };
  const second = { messageId: 'a2', text: 'Second answer' };
  s.add('c1', 'Q?', first);
  assert.deepEqual(s.others('c1', 'Q?', first), []);
  s.add('c1', 'Q?', second);
  s.add('c1', 'Q?', first); // re-render of the same answer: kept once
  assert.deepEqual(s.others('c1', 'Q?', second), [first]);
  assert.deepEqual(s.others('c1', 'Q?', first), [second]);
  assert.deepEqual(s.others('c2', 'Q?', first), []);
  assert.deepEqual(s.others('c1', 'Other prompt', first), []);
});

test('answers without ids are told apart by text', () => {
  const s = new Siblings();
  s.add(null, 'Q', { messageId: null, text: 'x' });
  s.add(null, 'Q', { messageId: null, text: 'y' });
  s.add(null, 'Q', { messageId: null, text: 'x' });
  assert.deepEqual(
    s.others(null, 'Q', { messageId: null, text: 'y' }).map((a) => a.text),
    ['x'],
  );
});

test('blocks of one answer are never each other’s A/B side', () => {
  const s = new Siblings();
  // A reading of the turn's second block alone, then the whole turn.
  s.add('c1', 'Q', { messageId: 'a1-2', blockIds: ['a1-2'], text: 'Then, go.' });
  const whole = { messageId: 'a1', blockIds: ['a1', 'a1-2'], text: 'First, pack.\nThen, go.' };
  s.add('c1', 'Q', whole);
  assert.deepEqual(s.others('c1', 'Q', whole), []);
  const regenerated = { messageId: 'a9', blockIds: ['a9'], text: 'Stay home.' };
  s.add('c1', 'Q', regenerated);
  assert.deepEqual(
    s.others('c1', 'Q', regenerated).map((a) => a.text),
    ['First, pack.\nThen, go.'],
  );
});
