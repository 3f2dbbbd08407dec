/**
 * Links the browser extension: creates a device token, then hands it to the
 * extension (externally_connectable) or shows it to paste into its options.
 */

import { api, session } from './api.js';
import { extensionId, say } from './common.js';

const LINK = 'device/link'; // extension/common/messages.js MSG.LINK

function sendToExtension(id, message) {
  return new Promise((resolve) => {
    try {
      chrome.runtime.sendMessage(id, message, (reply) => {
        const error = chrome.runtime.lastError;
        resolve(error ? { ok: false, error: error.message } : reply || { ok: false });
      });
    } catch (err) {
      resolve({ ok: false, error: err.message });
    }
  });
}

/** Creates a device token and links (or shows) it; returns 'linked' or 'shown'. */
export async function linkExtension(status, tokenBox) {
  const device = await api('POST', '/api/v1/auth/devices', { name: 'browser extension' });
  const data = { token: device.token, server_url: location.origin, address: session()?.address };
  const id = extensionId();
  if (id && globalThis.chrome?.runtime?.sendMessage) {
    const reply = await sendToExtension(id, { type: LINK, data });
    if (reply?.ok) {
      tokenBox.hidden = true;
      say(status, 'The extension is linked to this wallet.', 'ok');
      return 'linked';
    }
    say(
      status,
      `The extension did not answer (${reply?.error || 'no reply'}). Paste this token into its options instead:`,
      'error',
    );
  } else {
    say(status, "Paste this token into the extension's options (it is shown only once):");
  }
  tokenBox.querySelector('[data-field=token]').textContent = device.token;
  tokenBox.querySelector('[data-field=server]').textContent = location.origin;
  tokenBox.hidden = false;
  return 'shown';
}
