import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Queue, backoff, BASE_DELAY_MS, MAX_DELAY_MS } from '../background/sw-queue.js';
import { MemoryArea } from './helpers.js';

const clock = (t = 1_000_000) => ({ now: () => t, advance: (ms) => (t += ms) });

test('backoff doubles from 1 s with ±25 % jitter and stops at 5 min', () => {
  const mid = () => 0.5;
  assert.deepEqual(
    [1, 2, 3, 4].map((n) => backoff(n, mid)),
    [1000, 2000, 4000, 8000],
  );
  assert.equal(backoff(30, mid), MAX_DELAY_MS);
  assert.equal(
    backoff(1, () => 0),
    BASE_DELAY_MS * 0.75,
  );
  assert.equal(
    backoff(1, () => 1),
    BASE_DELAY_MS * 1.25,
  );
});

test('items persist across a worker restart and get distinct UUID client ids', async () => {
  const area = new MemoryArea();
  const q1 = new Queue(area);
  await Promise.all([1, 2, 3].map((n) => q1.add({ n })));
  const q2 = new Queue(area); // a restarted worker reads the same storage
  const items = await q2.due();
  assert.deepEqual(items.map((i) => i.record.n).sort(), [1, 2, 3]);
  const ids = new Set(items.map((i) => i.client_id));
  assert.equal(ids.size, 3);
  for (const id of ids)
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});

test('concurrent adds are serialised: none is lost', async () => {
  const q = new Queue(new MemoryArea());
  await Promise.all(Array.from({ length: 40 }, (_, n) => q.add({ n })));
  assert.equal((await q.counts()).pending, 40);
});

test('settle: sent leaves, failed is kept aside, retry waits with backoff', async () => {
  const c = clock();
  const q = new Queue(new MemoryArea(), { now: c.now, rand: () => 0.5 });
  const [a, b, d] = [await q.add({ n: 'a' }), await q.add({ n: 'b' }), await q.add({ n: 'd' })];
  await q.settle(
    [
      { client_id: a.client_id, outcome: 'sent' },
      { client_id: b.client_id, outcome: 'failed', errors: { answer: ['empty'] } },
      { client_id: d.client_id, outcome: 'retry' },
    ],
    'Server answered 503.',
  );
  assert.deepEqual(await q.counts(), { pending: 1, sent: 1, failed: 1, lastError: 'Server answered 503.' });
  assert.deepEqual(await q.due(), []);
  assert.equal(await q.nextAt(), c.now() + 1000);
  c.advance(1000);
  const [again] = await q.due();
  assert.equal(again.client_id, d.client_id);
  assert.equal(again.attempts, 1);
  await q.settle([{ client_id: d.client_id, outcome: 'retry', retryAfterMs: 60000 }]);
  assert.equal(await q.nextAt(), c.now() + 60000);
  await q.wake();
  assert.equal((await q.due()).length, 1);
});
