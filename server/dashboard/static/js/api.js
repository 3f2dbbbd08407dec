/**
 * Calls to the Liftledger API with the signed-in wallet's tokens (kept in
 * sessionStorage). A 401 refreshes the tokens once; a 404 from an endpoint
 * that is not there yet resolves to null so pages show an empty state.
 */

const KEY = 'liftledger.session';

/** The stored session {access_token, refresh_token, address}, or null. */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
}

/** Stores a token response from /auth/verify or /auth/refresh. */
export function saveSession(tokens) {
  const previous = session() ?? {};
  sessionStorage.setItem(
    KEY,
    JSON.stringify({
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      address: tokens.address ?? previous.address,
    }),
  );
}

/** Forgets the session (sign out). */
export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/** An API error carrying the HTTP status and the server's message. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `HTTP ${status}`);
    this.status = status;
    this.body = body;
  }
}

async function send(method, path, body, token) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { message: text.slice(0, 200) };
  }
  return { status: res.status, data };
}

let refreshing = null;

/**
 * Rotates the refresh token; false when the session cannot be refreshed.
 * Concurrent callers share one rotation: a refresh token is single-use, and
 * spending it twice would look like theft and revoke the whole sign-in.
 */
export function refresh() {
  refreshing ??= rotate().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function rotate() {
  const current = session();
  if (!current?.refresh_token) return false;
  const res = await send('POST', '/api/v1/auth/refresh', { refresh_token: current.refresh_token });
  if (res.status !== 200) {
    clearSession();
    return false;
  }
  saveSession(res.data);
  return true;
}

/**
 * Calls the API as the signed-in user. Resolves to the JSON body, or null on
 * a 404 when `missingOk` (an endpoint or object that does not exist yet).
 */
export async function api(method, path, body, { missingOk = false } = {}) {
  const used = session()?.access_token;
  let res = await send(method, path, body, used);
  // Another call may have refreshed the tokens meanwhile: then just retry.
  if (res.status === 401 && (session()?.access_token !== used || (await refresh()))) {
    res = await send(method, path, body, session()?.access_token);
  }
  if (res.status === 404 && missingOk) return null;
  if (res.status >= 400) throw new ApiError(res.status, res.data);
  return res.data;
}

/** GET that treats "not found" as "nothing yet". */
export const get = (path) => api('GET', path, undefined, { missingOk: true });
