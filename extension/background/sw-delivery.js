/**
 * Delivers queued feedback in batches (POST /api/v1/feedback/batch), one
 * flush at a time. Network errors, 5xx, 429 and auth errors leave items in
 * the queue with exponential backoff; per-item rejections (conflict,
 * invalid) are moved to the failed list so they never block the queue.
 */

export const BATCH_SIZE = 50;
const TIMEOUT_MS = 15000;

function retryAfterMs(response) {
  const v = response.headers.get('Retry-After');
  const secs = Number(v);
  return Number.isFinite(secs) && secs > 0 ? secs * 1000 : 0;
}

const all = (batch, outcome, extra = {}) => batch.map((i) => ({ client_id: i.client_id, outcome, ...extra }));
const body = (item) => ({ ...item.record, client_id: item.client_id });

/** POSTs JSON with the device token; returns the Response (throws on network errors). */
export async function postJson(fetchImpl, serverUrl, token, path, payload) {
  return fetchImpl(`${serverUrl}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
}

/** Sends items one by one (after a whole batch was refused as a unit). */
async function sendSingly(fetchImpl, cfg, batch) {
  const results = [];
  for (const item of batch) {
    const res = await postJson(fetchImpl, cfg.serverUrl, cfg.token, '/api/v1/feedback', body(item));
    if (res.status === 200 || res.status === 201)
      results.push({ client_id: item.client_id, outcome: 'sent' });
    else if ([400, 409, 413, 422].includes(res.status)) {
      const errors = await res.json().catch(() => null);
      results.push({ client_id: item.client_id, outcome: 'failed', errors });
    } else results.push({ client_id: item.client_id, outcome: 'retry', retryAfterMs: retryAfterMs(res) });
  }
  return results;
}

/** Posts one batch; returns `{results, stop, error}` for Queue.settle. */
export async function sendBatch(fetchImpl, cfg, batch) {
  let res;
  try {
    res = await postJson(fetchImpl, cfg.serverUrl, cfg.token, '/api/v1/feedback/batch', {
      items: batch.map(body),
    });
  } catch (err) {
    return { results: all(batch, 'retry'), stop: true, error: `Server unreachable: ${err.message}` };
  }
  if (res.status === 200) {
    const { results = [] } = await res.json();
    const byId = new Map(results.map((r) => [r.client_id, r]));
    const out = batch.map((item, i) => {
      const r = byId.get(item.client_id) ?? results[i];
      if (r?.status === 'created' || r?.status === 'exists')
        return { client_id: item.client_id, outcome: 'sent' };
      if (r?.status === 'conflict' || r?.status === 'invalid')
        return { client_id: item.client_id, outcome: 'failed', errors: r.errors ?? { status: r.status } };
      return { client_id: item.client_id, outcome: 'retry' };
    });
    return { results: out, stop: false, error: null };
  }
  if ([400, 413, 415, 422].includes(res.status)) {
    try {
      return { results: await sendSingly(fetchImpl, cfg, batch), stop: false, error: null };
    } catch (err) {
      return { results: all(batch, 'retry'), stop: true, error: `Server unreachable: ${err.message}` };
    }
  }
  const error =
    res.status === 401 || res.status === 403
      ? 'The server refused the device token: link the extension again.'
      : `Server answered ${res.status}.`;
  return { results: all(batch, 'retry', { retryAfterMs: retryAfterMs(res) }), stop: true, error };
}

/**
 * Drives delivery. `getConfig()` → `{serverUrl, token}`; `onIdle(counts)` runs
 * after each flush; `schedule(ms)` asks to be woken for the next retry;
 * `send(fetchImpl, cfg, batch)` posts one batch (feedback by default).
 */
export class Delivery {
  constructor({
    queue,
    getConfig,
    fetchImpl = fetch,
    onIdle = async () => {},
    schedule = () => {},
    send = sendBatch,
  }) {
    Object.assign(this, { queue, getConfig, fetchImpl, onIdle, schedule, send });
    this.running = null;
    this.again = false;
  }

  /** Delivers everything that is due; concurrent calls share one run. */
  flush() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.loop();
        } while (this.again);
      } finally {
        this.running = null;
      }
      await this.onIdle(await this.queue.counts());
      const next = await this.queue.nextAt();
      if (next !== null) this.schedule(Math.max(0, next - Date.now()));
    })();
    return this.running;
  }

  async loop() {
    const cfg = await this.getConfig();
    if (!cfg.serverUrl || !cfg.token) return;
    // Bounded: a server that keeps answering without settling items cannot spin us.
    for (let round = 0; round < 20; round++) {
      const batch = await this.queue.due(BATCH_SIZE);
      if (!batch.length) return;
      const { results, stop, error } = await this.send(this.fetchImpl, cfg, batch);
      await this.queue.settle(results, error);
      if (stop) return;
      // The server is answering: items waiting on backoff need not wait longer.
      if (results.some((r) => r.outcome === 'sent')) await this.queue.wake();
    }
  }
}
