/**
 * The persistent delivery queue. Each item is `{client_id, record, attempts,
 * next_at}` stored in chrome.storage (any object with the same async
 * get/set), so nothing is lost when the worker stops. An item leaves the
 * queue only when the server confirms it (created or already stored) or
 * rejects it for good; the server de-duplicates on client_id, so a retry
 * after a lost reply is stored once.
 */

export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 5 * 60 * 1000;
const FAILED_KEEP = 50;

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 5 min. */
export function backoff(attempts, rand = Math.random) {
  const base = Math.min(BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
  return Math.round(base * (0.75 + 0.5 * rand()));
}

export class Queue {
  /**
   * `area`: chrome.storage.local or any `{get(keys), set(obj)}`; `prefix` names
   * a second queue in the same area (its keys are `<prefix>queue`, …).
   */
  constructor(
    area,
    { now = Date.now, rand = Math.random, uuid = () => crypto.randomUUID(), prefix = '' } = {},
  ) {
    this.area = area;
    this.now = now;
    this.rand = rand;
    this.uuid = uuid;
    this.keys = { queue: `${prefix}queue`, stats: `${prefix}stats`, failed: `${prefix}failed` };
    this.lock = Promise.resolve();
  }

  /** Reads this queue's keys as `{queue, stats, failed}`. */
  async read(...names) {
    const got = await this.area.get(names.map((n) => this.keys[n]));
    return Object.fromEntries(names.map((n) => [n, got[this.keys[n]]]));
  }

  /** Runs `fn(state)` alone and saves what it changed. */
  mutate(fn) {
    const run = this.lock.then(async () => {
      const got = await this.read('queue', 'stats', 'failed');
      const state = {
        queue: got.queue ?? [],
        stats: { sent: 0, failed: 0, lastError: null, ...got.stats },
        failed: got.failed ?? [],
      };
      const result = await fn(state);
      await this.area.set(Object.fromEntries(Object.entries(state).map(([n, v]) => [this.keys[n], v])));
      return result;
    });
    this.lock = run.catch(() => {});
    return run;
  }

  /** Adds a record; returns the stored item with its new client_id. */
  add(record) {
    return this.mutate((s) => {
      const item = { client_id: this.uuid(), record, attempts: 0, next_at: 0 };
      s.queue.push(item);
      return item;
    });
  }

  /** Up to `limit` items whose retry time has come, oldest first. */
  async due(limit = 50) {
    await this.lock;
    const { queue = [] } = await this.read('queue');
    const now = this.now();
    return queue.filter((i) => i.next_at <= now).slice(0, limit);
  }

  /**
   * Applies delivery outcomes: `[{client_id, outcome: 'sent' | 'failed' |
   * 'retry', errors?, retryAfterMs?}]`.
   */
  settle(results, lastError = null) {
    return this.mutate((s) => {
      const byId = new Map(results.map((r) => [r.client_id, r]));
      const keep = [];
      for (const item of s.queue) {
        const r = byId.get(item.client_id);
        if (!r) keep.push(item);
        else if (r.outcome === 'sent') s.stats.sent += 1;
        else if (r.outcome === 'failed') {
          s.stats.failed += 1;
          s.failed = [...s.failed, { ...item, errors: r.errors ?? null }].slice(-FAILED_KEEP);
        } else {
          const attempts = item.attempts + 1;
          const wait = Math.max(backoff(attempts, this.rand), r.retryAfterMs ?? 0);
          keep.push({ ...item, attempts, next_at: this.now() + wait });
        }
      }
      s.queue = keep;
      s.stats.lastError = lastError;
    });
  }

  /** Makes every waiting item due now (the server answered again). */
  wake() {
    return this.mutate((s) => {
      s.queue = s.queue.map((i) => ({ ...i, next_at: 0 }));
    });
  }

  /** Pending, sent and failed counts, and the last delivery error. */
  async counts() {
    await this.lock;
    const { queue = [], stats = {} } = await this.read('queue', 'stats');
    return {
      pending: queue.length,
      sent: stats.sent ?? 0,
      failed: stats.failed ?? 0,
      lastError: stats.lastError ?? null,
    };
  }

  /** When the next waiting item becomes due, or null for an empty queue. */
  async nextAt() {
    await this.lock;
    const { queue = [] } = await this.read('queue');
    return queue.length ? Math.min(...queue.map((i) => i.next_at)) : null;
  }
}
