/**
 * Options: server URL, a pasted device token, and redaction. Only here can
 * the server URL change, and changing it from one server to another takes a
 * confirmation: all feedback and the device token go to that server.
 */
import { MSG, send } from '../common/messages.js';

const $ = (id) => document.getElementById(id);
let saved = '';
let pending = null;

function show({ settings, linked }) {
  saved = settings.serverUrl;
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

const normal = (url) => (url ? `${new URL(url).origin}${new URL(url).pathname}`.replace(/\/+$/, '') : '');

async function save(confirmServer = null) {
  const serverUrl = $('server').value.trim();
  const patch = { serverUrl, redact: $('redact').checked };
  const token = $('token').value.trim();
  if (token) patch.token = token;
  if (confirmServer) patch.confirmServer = confirmServer;
  try {
    if (serverUrl && !(await allowHost(serverUrl))) throw new Error('Access to that server was not granted.');
    show(await send(MSG.SETTINGS_SET, patch));
    $('token').value = '';
    $('status').textContent = 'Saved.';
  } catch (err) {
    $('status').textContent = err.message;
  }
}

$('form').addEventListener('submit', (event) => {
  event.preventDefault();
  $('status').textContent = '';
  let next;
  try {
    next = normal($('server').value.trim());
  } catch {
    $('status').textContent = 'That is not a URL.';
    return;
  }
  if (saved && next !== saved) {
    pending = next;
    $('confirm-text').textContent =
      `Send all feedback to ${next} instead of ${saved}? The device token of the current server is forgotten.`;
    $('confirm-box').hidden = false;
    $('confirm').focus();
    return;
  }
  save();
});
$('confirm').addEventListener('click', () => {
  $('confirm-box').hidden = true;
  save(pending);
});
$('cancel').addEventListener('click', () => {
  $('confirm-box').hidden = true;
  $('server').value = saved;
});

send(MSG.SETTINGS_GET).then(show);
