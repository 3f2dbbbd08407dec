/**
 * The popup: linked wallet, queue counts, earnings, licence, sites on/off,
 * the "ratings paused" notice of the current tab, and rating a selection on
 * any other page. The selection is read only when the user asks, with the
 * one-tab access that opening the popup grants (activeTab + scripting).
 */
import { LICENCE_LABELS, LICENCES, MSG, SITES, send } from '../common/messages.js';
import { openPanel } from '../content/panel.js';
import { rules } from '../content/adapters/generic.js';

const $ = (id) => document.getElementById(id);
const SITE_NAMES = {
  chatgpt: 'ChatGPT',
  claude: 'Claude',
  gemini: 'Gemini',
  generic: 'Any page (selection)',
};
let licence = null;

/** The tab the popup was opened over (`?tab=` names it when the popup runs in a tab of its own). */
async function targetTab() {
  const named = new URLSearchParams(location.search).get('tab');
  if (named) return Number(named);
  const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
  return tab?.id ?? null;
}

function render({ settings, linked, counts, health, me }) {
  $('wallet').textContent = me?.address ?? (linked ? 'linked (server unreachable)' : 'not linked');
  $('pending').textContent = counts.pending;
  $('sent').textContent = counts.sent;
  $('failed').textContent = counts.failed;
  // No earnings API yet: show a dash rather than a made-up number.
  $('earnings').textContent = me?.earnings ?? '—';
  $('default-licence').textContent = me?.default_licence ?? '—';
  $('licence').value = settings.licence ?? '';
  licence = settings.licence ?? null;
  $('health').hidden = !health;
  $('health').textContent = health?.message ?? '';
  $('error').textContent = counts.lastError ?? (me?.error ? `Server: ${me.error}` : '');
  const box = $('sites');
  box.querySelectorAll('label, br').forEach((l) => l.remove());
  for (const site of SITES) {
    const label = document.createElement('label');
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.name = site;
    input.checked = settings.sites[site] !== false;
    input.addEventListener('change', () => save({ sites: { [site]: input.checked } }));
    label.append(input, ` ${SITE_NAMES[site]}`);
    box.append(label, document.createElement('br'));
  }
}

async function save(patch) {
  await send(MSG.SETTINGS_SET, patch);
}

async function refresh() {
  try {
    render(await send(MSG.STATUS, { tabId: await targetTab() }));
  } catch (err) {
    $('error').textContent = err.message;
  }
}

/** Reads the page's selection (whitespace collapsed) in the target tab. */
async function readSelection(tabId) {
  const [result] = await chrome.scripting.executeScript({
    target: { tabId },
    func: () => String(globalThis.getSelection?.() ?? ''),
  });
  return (result?.result ?? '').replace(/\s+/g, ' ').trim();
}

async function rateSelection() {
  try {
    const text = await readSelection(await targetTab());
    if (!text) throw new Error("Select the answer's text on the page first.");
    const node = $('answer');
    node.textContent = text;
    $('generic').hidden = false;
    document.body.classList.add('rating');
    const ctx = { site: 'generic', conversationId: null, messageId: null, modelName: null, prompt: '' };
    openPanel({ ...ctx, answer: text, node, rules, licence }, { returnFocus: $('rate-selection') });
  } catch (err) {
    $('error').textContent = err.message;
  }
}

for (const value of LICENCES) $('licence').append(new Option(LICENCE_LABELS[value] ?? value, value));
$('licence').addEventListener('change', (e) => save({ licence: e.target.value || null }));
$('flush').addEventListener('click', async () => {
  await send(MSG.FLUSH);
  await refresh();
});
$('rate-selection').addEventListener('click', rateSelection);
refresh();
