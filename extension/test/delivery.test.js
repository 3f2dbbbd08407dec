import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Delivery } from '../background/sw-delivery.js';
import { Queue } from '../background/sw-queue.js';
import { MemoryArea } from './helpers.js';

/** A small HTTP server speaking the batch contract, de-duplicating on client_id. */
function feedbackServer() {
  const stored = new Map();
  const seen = [];
  let mode = 'ok';
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.headers.authorization !== 'Bearer lld_dev_test') {
        res.writeHead(401).end();
        return;
      }
      if (mode === 'busy') {
        res.writeHead(429, { 'Retry-After': '7' }).end();
        return;
      }
      const { items } = JSON.parse(raw);
      seen.push(...items.map((i) => i.client_id));
      const results = items.map((item) => {
        if (!item.answer)
          return { client_id: item.client_id, status: 'invalid', id: null, errors: { answer: ['empty'] } };
        const known = stored.has(item.client_id);
        if (!known) stored.set(item.client_id, item);
        return { client_id: item.client_id, status: known ? 'exists' : 'created', id: 1, errors: null };
      });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ results }));
    });
  });
  return {
    stored,
    seen,
    setMode: (m) => (mode = m),
    listen: (port = 0) =>
      new Promise((r) => server.listen(port, '127.0.0.1', () => r(server.address().port))),
    close: () => new Promise((r) => server.close(r)),
  };
}

const servers = [];
after(() => Promise.all(servers.map((s) => s.close().catch(() => {}))));

function setup(port, token = 'lld_dev_test') {
  const queue = new Queue(new MemoryArea());
  const idle = [];
  const delivery = new Delivery({
    queue,
    getConfig: async () => ({ serverUrl: `http://127.0.0.1:${port}`, token }),
    onIdle: async (counts) => idle.push(counts),
  });
  return { queue, delivery, idle };
}

const rec = (n) => ({ kind: 'rating', rating: 1, prompt: `p${n}`, answer: `a${n}`, site: 'generic' });

test('delivers a batch once, even when flushes overlap', async () => {
  const srv = feedbackServer();
  servers.push(srv);
  const port = await srv.listen();
  const { queue, delivery, idle } = setup(port);
  for (const n of [1, 2, 3]) await queue.add(rec(n));
  await Promise.all([delivery.flush(), delivery.flush(), delivery.flush()]);
  assert.equal(srv.stored.size, 3);
  assert.equal(srv.seen.length, 3, 'each item crossed the wire exactly once');
  assert.deepEqual(idle.at(-1), { pending: 0, sent: 3, failed: 0, lastError: null });
});

test('server down: items wait; server back: all arrive, once each', async () => {
  const srv = feedbackServer();
  servers.push(srv);
  const port = await srv.listen();
  await srv.close();
  const { queue, delivery } = setup(port);
  for (const n of [1, 2, 3]) await queue.add(rec(n));
  await delivery.flush();
  const down = await queue.counts();
  assert.equal(down.pending, 3);
  assert.match(down.lastError, /unreachable/);
  await srv.listen(port);
  await queue.wake();
  await delivery.flush();
  await delivery.flush();
  assert.deepEqual([...srv.stored.values()].map((r) => r.prompt).sort(), ['p1', 'p2', 'p3']);
  assert.equal(srv.seen.length, 3);
  assert.equal((await queue.counts()).sent, 3);
});

test('a retry after a lost reply counts once (server says exists)', async () => {
  const srv = feedbackServer();
  servers.push(srv);
  const port = await srv.listen();
  const { queue, delivery } = setup(port);
  const item = await queue.add(rec(9));
  srv.stored.set(item.client_id, item.record); // stored before, reply never arrived
  await delivery.flush();
  assert.deepEqual(await queue.counts(), { pending: 0, sent: 1, failed: 0, lastError: null });
  assert.equal(srv.stored.size, 1);
});

test('invalid items go to the failed list; 429 keeps items with Retry-After; bad token keeps them', async () => {
  const srv = feedbackServer();
  servers.push(srv);
  const port = await srv.listen();
  const { queue, delivery } = setup(port);
  await queue.add({ ...rec(1), answer: '' });
  await queue.add(rec(2));
  await delivery.flush();
  assert.deepEqual(await queue.counts(), { pending: 0, sent: 1, failed: 1, lastError: null });

  srv.setMode('busy');
  await queue.add(rec(3));
  const before = Date.now();
  await delivery.flush();
  assert.ok((await queue.nextAt()) >= before + 7000);
  srv.setMode('ok');

  const unlinked = setup(port, 'wrong');
  await unlinked.queue.add(rec(4));
  await unlinked.delivery.flush();
  const c = await unlinked.queue.counts();
  assert.equal(c.pending, 1);
  assert.match(c.lastError, /link the extension/);
});
