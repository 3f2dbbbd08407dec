import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { ROTATE_EVERY_MS, rotateIfDue } from '../background/sw-rotation.js';
import { setSettings } from '../background/sw-settings.js';
import { MemoryArea } from './helpers.js';

/** A server speaking the rotate contract: a live token gets a successor (201); others 401. */
function rotateServer() {
  const live = new Set(['lld_dev_first']);
  let issued = 0;
  const server = createServer((req, res) => {
    const token = (req.headers.authorization ?? '').replace('Bearer ', '');
    if (req.url !== '/api/v1/auth/devices/rotate' || req.method !== 'POST' || !live.has(token)) {
      res.writeHead(401).end();
      return;
    }
    live.delete(token);
    const next = `lld_dev_next${++issued}`;
    live.add(next);
    res.writeHead(201, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: next, expires_at: '2027-01-01T00:00:00Z' }));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}` }),
    ),
  );
}

const { server, url } = await rotateServer();
after(() => server.close());

test('a freshly linked token is not rotated; a day later it is, and the successor is stored', async () => {
  const area = new MemoryArea();
  await setSettings({ serverUrl: url, token: 'lld_dev_first' }, area);
  assert.equal(await rotateIfDue({ area }), 'fresh');
  const later = Date.now() + ROTATE_EVERY_MS + 1;
  assert.equal(await rotateIfDue({ area, now: later }), 'rotated');
  const { auth } = await area.get('auth');
  assert.deepEqual(auth, { token: 'lld_dev_next1', expiresAt: '2027-01-01T00:00:00Z', rotatedAt: later });
  assert.equal(await rotateIfDue({ area, now: later + 1000 }), 'fresh');
});

test('a refused token is kept for delivery to report, and an unlinked extension does nothing', async () => {
  const area = new MemoryArea();
  assert.equal(await rotateIfDue({ area }), 'unlinked');
  await area.set({ settings: { serverUrl: url }, auth: { token: 'lld_dev_stolen' } });
  assert.equal(await rotateIfDue({ area }), 'refused');
  assert.equal((await area.get('auth')).auth.token, 'lld_dev_stolen');
});

test('offline, the token stays as it is until the next try', async () => {
  const area = new MemoryArea();
  await area.set({ settings: { serverUrl: 'http://127.0.0.1:9' }, auth: { token: 'lld_dev_x' } });
  const down = async () => {
    throw new TypeError('fetch failed');
  };
  assert.equal(await rotateIfDue({ area, fetchImpl: down }), 'failed');
  assert.deepEqual((await area.get('auth')).auth, { token: 'lld_dev_x' });
});
