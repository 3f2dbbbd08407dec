/**
 * Gold comparisons: after a rating the panel asks whether to show one (the
 * server decides, by its rate and daily cap), and the rater's choice is
 * queued like feedback — in its own queue, so it survives the worker and an
 * offline server — and delivered to POST /api/v1/gold/answers. An answer is
 * stored once per user and comparison, so a retry after a lost reply is safe.
 */

export const OFFER_PATH = '/api/v1/gold/offer';
export const ANSWER_PATH = '/api/v1/gold/answers';
const OFFER_TIMEOUT_MS = 4000;
const TIMEOUT_MS = 15000;

/** A valid answer `{item_id, choice}` from a content script's message, or null. */
export function answerOf(data) {
  const id = data?.item_id;
  if (!Number.isInteger(id) || id < 1 || id > 2 ** 31 - 1) return null;
  if (data.choice !== 'a' && data.choice !== 'b') return null;
  return { item_id: id, choice: data.choice };
}

/** The comparison the server offers now `{item_id, prompt, a, b}`, or null (none, unlinked, unreachable). */
export async function fetchOffer(fetchImpl, { serverUrl, token }) {
  if (!serverUrl || !token) return null;
  try {
    const res = await fetchImpl(`${serverUrl}${OFFER_PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ reason: 'rating' }),
      signal: AbortSignal.timeout(OFFER_TIMEOUT_MS),
    });
    if (!res.ok) return null;
    const { offer } = await res.json();
    return offer && typeof offer.a === 'string' && typeof offer.b === 'string' ? offer : null;
  } catch {
    return null; // offline: no comparison this time
  }
}

/**
 * Posts queued answers one by one; returns `{results, stop, error}` for
 * Queue.settle. 200/201 are sent; 404/409/422 can never succeed and go to
 * the failed list; anything else waits with backoff and stops this run.
 */
export async function sendAnswers(fetchImpl, cfg, batch) {
  const results = [];
  for (const [n, item] of batch.entries()) {
    let res;
    try {
      res = await fetchImpl(`${cfg.serverUrl}${ANSWER_PATH}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${cfg.token}` },
        body: JSON.stringify(item.record),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      const rest = batch.slice(n).map((i) => ({ client_id: i.client_id, outcome: 'retry' }));
      return { results: [...results, ...rest], stop: true, error: `Server unreachable: ${err.message}` };
    }
    if (res.status === 200 || res.status === 201)
      results.push({ client_id: item.client_id, outcome: 'sent' });
    else if ([400, 404, 409, 422].includes(res.status)) {
      const errors = await res.json().catch(() => null);
      results.push({ client_id: item.client_id, outcome: 'failed', errors });
    } else {
      const rest = batch.slice(n).map((i) => ({ client_id: i.client_id, outcome: 'retry' }));
      return { results: [...results, ...rest], stop: true, error: `Server answered ${res.status}.` };
    }
  }
  return { results, stop: false, error: null };
}
