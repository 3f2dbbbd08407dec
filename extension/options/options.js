/** Options: server URL, a pasted device token, and redaction. */
import { MSG, send } from '../shared/messages.js';

const $ = (id) => document.getElementById(id);

function show({ settings, linked }) {
  $('server').value = settings.serverUrl;
  $('redact').checked = settings.redact;
  $('linked').textContent = linked ? 'This browser is linked.' : 'Not linked yet.';
}

/** Asks for access to a server outside the built-in hosts (needs this click). */
async function allowHost(url) {
  const origins = [`${new URL(url).origin}/*`];
  if (await chrome.permissions.contains({ origins })) return true;
  return chrome.permissions.request({ origins }).catch(() => false);
}

$('form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const serverUrl = $('server').value.trim();
  const patch = { serverUrl, redact: $('redact').checked };
  const token = $('token').value.trim();
  if (token) patch.token = token;
  try {
    if (serverUrl && !(await allowHost(serverUrl))) throw new Error('Access to that server was not granted.');
    show(await send(MSG.SETTINGS_SET, patch));
    $('token').value = '';
    $('status').textContent = 'Saved.';
  } catch (err) {
    $('status').textContent = err.message;
  }
});

send(MSG.SETTINGS_GET).then(show);
