import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../manifest.json', import.meta.url), 'utf8'));
const CHAT_SITES = [
  'https://chatgpt.com/*',
  'https://chat.openai.com/*',
  'https://claude.ai/*',
  'https://gemini.google.com/*',
];

test('permissions: storage, alarms, and one-tab access on request; servers only as hosts', () => {
  assert.deepEqual([...manifest.permissions].sort(), ['activeTab', 'alarms', 'scripting', 'storage']);
  assert.deepEqual(manifest.host_permissions, [
    'http://127.0.0.1/*',
    'http://localhost/*',
    'https://liftledger.org/*',
    'https://*.liftledger.org/*',
  ]);
  assert.equal(manifest.permissions.includes('tabs'), false);
});

test('content scripts and web-accessible files are for the three chat sites only', () => {
  assert.equal(manifest.content_scripts.length, 1);
  assert.deepEqual(manifest.content_scripts[0].matches, CHAT_SITES);
  assert.equal(manifest.content_scripts[0].exclude_matches, undefined);
  for (const entry of manifest.web_accessible_resources) {
    assert.deepEqual(entry.matches, CHAT_SITES);
    assert.equal(entry.use_dynamic_url ?? false, false);
  }
});

test('externally_connectable lists only server origins, never a chat site or every page', () => {
  const allowed = manifest.externally_connectable.matches;
  assert.deepEqual(allowed, manifest.host_permissions);
  assert.ok(!allowed.some((m) => CHAT_SITES.includes(m) || m.startsWith('https://*/') || m === '<all_urls>'));
  assert.equal(manifest.externally_connectable.ids, undefined);
});

test('the generic fallback is reached from the action (popup and Alt+Shift+L)', () => {
  assert.equal(manifest.action.default_popup, 'popup/popup.html');
  assert.equal(manifest.commands._execute_action.suggested_key.default, 'Alt+Shift+L');
});
