import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Delivery } from '../background/sw-delivery.js';
import { Queue } from '../background/sw-queue.js';
import { answerOf, fetchOffer, sendAnswers } from '../background/sw-gold.js';
import { goldHtml } from '../content/panel-view.js';
import { MemoryArea } from './helpers.js';

const OFFER = { item_id: 7, prompt: 'Which is larger?', a: 'Jupiter.', b: 'Mars.' };

/** A small HTTP server speaking the gold contract: one answer per item, 409 on a different one. */
function goldServer() {
  const answers = new Map();
  const calls = [];
  let offering = true;
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      calls.push(req.url);
      if (req.headers.authorization !== 'Bearer lld_dev_test') return res.writeHead(401).end();
      const json = (status, body) =>
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
      if (req.url === '/api/v1/gold/offer') return json(200, { offer: offering ? OFFER : null });
      const { item_id, choice } = JSON.parse(raw);
      if (item_id === 404) return json(404, { message: 'not offered' });
      const known = answers.get(item_id);
      if (known && known !== choice) return json(409, { message: 'already answered' });
      answers.set(item_id, choice);
      return json(known ? 200 : 201, { item_id, choice });
    });
  });
  return {
    answers,
    calls,
    stopOffering: () => (offering = false),
    listen: (port = 0) =>
      new Promise((r) => server.listen(port, '127.0.0.1', () => r(server.address().port))),
    close: () => new Promise((r) => server.close(r)),
  };
}

const servers = [];
after(() => Promise.all(servers.map((s) => s.close().catch(() => {}))));

function setup(port, area = new MemoryArea()) {
  const queue = new Queue(area, { prefix: 'gold.' });
  const cfg = { serverUrl: `http://127.0.0.1:${port}`, token: 'lld_dev_test' };
  const delivery = new Delivery({ queue, getConfig: async () => cfg, send: sendAnswers });
  return { queue, delivery, cfg, area };
}

test('answers are validated before they are queued', () => {
  assert.deepEqual(answerOf({ item_id: 3, choice: 'b', extra: 1 }), { item_id: 3, choice: 'b' });
  for (const bad of [
    null,
    { item_id: 0, choice: 'a' },
    { item_id: '3', choice: 'a' },
    { item_id: 3, choice: 'tie' },
  ])
    assert.equal(answerOf(bad), null);
});

test('the offer comes from the server; none when unlinked, refused or offline', async () => {
  const srv = goldServer();
  servers.push(srv);
  const port = await srv.listen();
  const { cfg } = setup(port);
  assert.deepEqual(await fetchOffer(fetch, cfg), OFFER);
  srv.stopOffering();
  assert.equal(await fetchOffer(fetch, cfg), null);
  assert.equal(await fetchOffer(fetch, { ...cfg, token: 'wrong' }), null);
  assert.equal(await fetchOffer(fetch, { ...cfg, token: '' }), null);
  await srv.close();
  assert.equal(await fetchOffer(fetch, cfg), null);
});

test('answers wait offline in their own queue and arrive once when the server is back', async () => {
  const srv = goldServer();
  servers.push(srv);
  const port = await srv.listen();
  await srv.close();
  const area = new MemoryArea();
  const feedback = new Queue(area);
  await feedback.add({ kind: 'rating' });
  const { queue, delivery } = setup(port, area);
  await queue.add({ item_id: 7, choice: 'a' });
  await queue.add({ item_id: 8, choice: 'b' });
  await delivery.flush();
  const down = await queue.counts();
  assert.equal(down.pending, 2);
  assert.match(down.lastError, /unreachable/);
  assert.equal((await feedback.counts()).pending, 1, 'the feedback queue is a separate one');
  await srv.listen(port);
  await queue.wake();
  await delivery.flush();
  assert.deepEqual(
    [...srv.answers],
    [
      [7, 'a'],
      [8, 'b'],
    ],
  );
  assert.deepEqual(await queue.counts(), { pending: 0, sent: 2, failed: 0, lastError: null });
  assert.equal((await feedback.counts()).pending, 1);
});

test('a repeated answer counts as sent; a changed or unknown one goes to the failed list', async () => {
  const srv = goldServer();
  servers.push(srv);
  const port = await srv.listen();
  const { queue, delivery } = setup(port);
  srv.answers.set(7, 'a'); // stored before, the reply was lost
  await queue.add({ item_id: 7, choice: 'a' });
  await queue.add({ item_id: 7, choice: 'b' });
  await queue.add({ item_id: 404, choice: 'a' });
  await delivery.flush();
  assert.deepEqual(await queue.counts(), { pending: 0, sent: 1, failed: 2, lastError: null });
  assert.equal(srv.answers.get(7), 'a');
});

test('a refused token keeps the answers for later', async () => {
  const srv = goldServer();
  servers.push(srv);
  const port = await srv.listen();
  const { queue, delivery, cfg } = setup(port);
  cfg.token = 'wrong';
  await queue.add({ item_id: 9, choice: 'a' });
  await delivery.flush();
  assert.equal((await queue.counts()).pending, 1);
  cfg.token = 'lld_dev_test';
  await queue.wake();
  await delivery.flush();
  assert.deepEqual([...srv.answers], [[9, 'a']]);
});

test('the comparison is shown as text, never as markup', () => {
  const html = goldHtml({ item_id: 1, prompt: 'p <b>x</b>', a: '<img src=x onerror=alert(1)>', b: 'B & co' });
  assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;') && html.includes('B &amp; co'));
  assert.ok(!html.includes('<img') && !html.includes('<b>x'));
  assert.match(html, /name="choice" value="a"/);
});
