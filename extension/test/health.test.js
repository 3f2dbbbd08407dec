import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Health, HEALTH_PATH, PAUSED, eventOf } from '../background/sw-health.js';
import { MemoryArea } from './helpers.js';

const REPORT = {
  site: 'chatgpt',
  adapter_version: '2026.07',
  selector: '[data-testid^="conversation-turn-"]',
  problem: 'no-answer',
};

function setup(status = 204) {
  const posts = [];
  const badges = new Map();
  const action = {
    setBadgeText: async ({ tabId, text }) => badges.set(tabId, text),
    setBadgeBackgroundColor: async () => {},
    setTitle: async () => {},
  };
  let now = 1_000_000;
  const health = new Health({
    area: new MemoryArea(),
    getServerUrl: async () => 'http://127.0.0.1:5000',
    action,
    fetchImpl: async (url, init) => {
      posts.push({ url, body: JSON.parse(init.body), auth: init.headers.Authorization });
      return { ok: status < 300 };
    },
    now: () => now,
  });
  return { health, posts, badges, advance: (ms) => (now += ms) };
}

test('a report pauses the tab, and one anonymous event per day and kind reaches the server', async () => {
  const { health, posts, badges, advance } = setup();
  const extra = { ...REPORT, url: 'https://chatgpt.com/c/private', prompt: 'secret' };
  assert.deepEqual(await health.report(7, extra), { paused: true });
  assert.equal(badges.get(7), '!');
  assert.deepEqual(health.status(7), { message: PAUSED, ...REPORT });
  assert.deepEqual(posts, [{ url: `http://127.0.0.1:5000${HEALTH_PATH}`, body: REPORT, auth: undefined }]);
  await health.report(8, REPORT);
  assert.equal(posts.length, 1, 'the same event is sent once a day');
  advance(24 * 60 * 60 * 1000);
  await health.report(8, REPORT);
  assert.equal(posts.length, 2);
  assert.deepEqual(await health.report(7, { problem: null }), { paused: false });
  assert.equal(badges.get(7), '');
  assert.equal(health.status(7), null);
});

test('a refused post is tried again; malformed reports are refused', async () => {
  const { health, posts } = setup(503);
  await health.report(1, REPORT);
  await health.report(1, REPORT);
  assert.equal(posts.length, 2);
  await assert.rejects(health.report(1, { ...REPORT, problem: 'slow' }));
  assert.equal(eventOf({ ...REPORT, site: '' }), null);
});
