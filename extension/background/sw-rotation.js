/**
 * Keeps the device token alive: device tokens expire (30 days by default), so
 * once a day the service worker trades its token for a fresh one at
 * POST /api/v1/auth/devices/rotate and stores the successor. The old token
 * stays valid on the server for a short grace period, so deliveries in flight
 * still succeed. A refused token (401) is left for delivery to report as
 * "link the extension again".
 */
import { getSettings } from './sw-settings.js';

export const ROTATE_EVERY_MS = 24 * 3600 * 1000;

/** Rotates the stored token when the last rotation (or link) is a day old; returns
 * 'rotated', 'fresh' (nothing to do), 'unlinked', 'refused' or 'failed'. */
export async function rotateIfDue({ area = chrome.storage.local, fetchImpl = fetch, now = Date.now() } = {}) {
  const { auth } = await area.get('auth');
  if (!auth?.token) return 'unlinked';
  if (auth.rotatedAt && now - auth.rotatedAt < ROTATE_EVERY_MS) return 'fresh';
  const { serverUrl } = await getSettings(area);
  if (!serverUrl) return 'unlinked';
  let res;
  try {
    res = await fetchImpl(`${serverUrl}/api/v1/auth/devices/rotate`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${auth.token}` },
    });
  } catch {
    return 'failed'; // offline: try again at the next start or alarm
  }
  if (res.status === 401) return 'refused';
  if (res.status !== 201) return 'failed';
  const body = await res.json();
  // Only if the token was not replaced (a new link) while the request was out.
  const { auth: current } = await area.get('auth');
  if (current?.token !== auth.token) return 'fresh';
  await area.set({ auth: { token: body.token, expiresAt: body.expires_at, rotatedAt: now } });
  return 'rotated';
}
