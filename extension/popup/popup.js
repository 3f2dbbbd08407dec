/** The popup: linked wallet, queue counts, earnings, licence and sites on/off. */
import { MSG, SITES, send } from '../shared/messages.js';

const $ = (id) => document.getElementById(id);
const SITE_NAMES = {
  chatgpt: 'ChatGPT',
  claude: 'Claude',
  gemini: 'Gemini',
  generic: 'Any page (selection)',
};

function render({ settings, linked, counts, me }) {
  $('wallet').textContent = me?.address ?? (linked ? 'linked (server unreachable)' : 'not linked');
  $('pending').textContent = counts.pending;
  $('sent').textContent = counts.sent;
  $('failed').textContent = counts.failed;
  // No earnings API yet: show a dash rather than a made-up number.
  $('earnings').textContent = me?.earnings ?? '—';
  $('default-licence').textContent = me?.default_licence ?? '—';
  $('licence').value = settings.licence ?? '';
  $('error').textContent = counts.lastError ?? (me?.error ? `Server: ${me.error}` : '');
  const box = $('sites');
  box.querySelectorAll('label').forEach((l) => l.remove());
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
    render(await send(MSG.STATUS));
  } catch (err) {
    $('error').textContent = err.message;
  }
}

$('licence').addEventListener('change', (e) => save({ licence: e.target.value || null }));
$('flush').addEventListener('click', async () => {
  await send(MSG.FLUSH);
  await refresh();
});
refresh();
