/**
 * The lab page: keeps the lab's API key in sessionStorage, shows the lab's balance and
 * charges, lists its snapshots, creates one from the filter form, shows a snapshot's dataset
 * card and downloads it with the key.
 */

const KEY = 'liftledger.labKey';
const $ = (selector) => document.querySelector(selector);
let current = null; // the snapshot whose card is shown

/** The stored key, or null. */
const labKey = () => sessionStorage.getItem(KEY);

/** Shows a message (an error in red). */
function say(text, error = false) {
  const box = $('#status');
  box.textContent = text;
  box.classList.toggle('error', error);
  box.hidden = !text;
}

/** An API error's message, with its per-field errors when there are any. */
function explain(body, status) {
  const message = body?.message || `HTTP ${status}`;
  return body?.errors ? `${message} ${JSON.stringify(body.errors)}` : message;
}

/** Calls the API with the key; resolves to the Response, throws with the server's message. */
async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${labKey()}`, ...(options.headers || {}) };
  const res = await fetch(`/api/v1${path}`, { ...options, headers });
  if (!res.ok) {
    const body = await res.json().catch(() => null);
    throw new Error(explain(body, res.status));
  }
  return res;
}

/** One table row of a snapshot. */
function row(d) {
  const tr = document.createElement('tr');
  tr.dataset.id = d.id;
  const licences = Object.entries(d.licences)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  const cells = [
    d.id,
    d.name,
    `v${d.version}`,
    d.row_count,
    licences,
    d.merkle_root.slice(0, 12) + '…',
    d.price,
    new Date(d.created_at).toLocaleString(),
  ];
  cells.forEach((value, i) => {
    const td = document.createElement('td');
    td.textContent = value;
    if (i === 3 || i === 6) td.className = 'num';
    if (i === 5) td.title = d.merkle_root;
    tr.append(td);
  });
  const td = document.createElement('td');
  const open = document.createElement('button');
  open.className = 'secondary open';
  open.textContent = 'Card';
  open.addEventListener('click', () => showCard(d));
  td.append(open);
  tr.append(td);
  return tr;
}

/** A table row of one charge. */
function chargeRow(c) {
  const tr = document.createElement('tr');
  const cells = [c.download_id, c.dataset, c.format, c.amount, new Date(c.charged_at).toLocaleString()];
  cells.forEach((value, i) => {
    const td = document.createElement('td');
    td.textContent = value;
    if (i === 3) td.className = 'num';
    tr.append(td);
  });
  return tr;
}

/** Reloads the lab's balance and charges. */
async function refreshAccount() {
  const [account, charges] = await Promise.all([
    api('/labs/me').then((res) => res.json()),
    api('/labs/me/charges').then((res) => res.json()),
  ]);
  $('#lab-name').textContent = `· ${account.lab}`;
  for (const field of ['balance', 'available', 'held', 'charged']) {
    $(`#${field}`).textContent = account[field];
  }
  $('#charges tbody').replaceChildren(...charges.map(chargeRow));
  $('#no-charges').hidden = charges.length > 0;
}

/** Reloads the snapshot list. */
async function refresh() {
  const list = await (await api('/datasets')).json();
  const body = $('#datasets tbody');
  body.replaceChildren(...list.map(row));
  $('#empty').hidden = list.length > 0;
  return list;
}

/** Shows a snapshot's card. */
async function showCard(dataset) {
  current = dataset;
  const text = await (await api(`/datasets/${dataset.id}/card`)).text();
  $('#card-title').textContent = `· ${dataset.name} v${dataset.version}`;
  $('#card').textContent = text;
  $('#card-box').hidden = false;
}

/** Downloads the current snapshot in a format, through the key. */
async function download(format) {
  const res = await api(`/datasets/${current.id}/download?format=${format}`);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = `${current.name}-v${current.version}.${format}`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  say(`Downloaded ${a.download}.`);
  await refreshAccount();
}

/** The create form as the API's request body. */
function request(form) {
  const data = new FormData(form);
  const filters = {};
  for (const name of ['sites', 'kinds', 'licences', 'tags']) {
    const values = data.getAll(name);
    if (values.length) filters[name] = values;
  }
  for (const name of ['created_from', 'created_to']) {
    if (data.get(name)) filters[name] = `${data.get(name)}T00:00:00Z`;
  }
  for (const name of ['min_margin', 'min_reliability']) {
    if (data.get(name) !== '') filters[name] = Number(data.get(name));
  }
  const clusters = data
    .get('exclude_clusters')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (clusters.length) filters.exclude_clusters = clusters.map(Number);
  return { name: data.get('name'), filters };
}

/** Creates a snapshot from the form and opens its card. */
async function create(event) {
  event.preventDefault();
  say('Creating the snapshot…');
  try {
    const res = await api('/datasets', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request(event.target)),
    });
    const dataset = await res.json();
    await refresh();
    await showCard(dataset);
    say(`Created ${dataset.name} v${dataset.version}: ${dataset.row_count} rows.`);
  } catch (error) {
    say(error.message, true);
  }
}

/** Uses the stored key: lists snapshots or says why it cannot. */
async function start() {
  $('#keyed').hidden = true;
  if (labKey()) {
    try {
      await Promise.all([refresh(), refreshAccount()]);
      $('#keyed').hidden = false;
      say('');
    } catch (error) {
      say(error.message, true);
    }
  }
  document.body.dataset.loaded = 'true';
}

$('#key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, $('#key').value.trim());
  $('#key').value = '';
  start();
});
$('#forget').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  say('Key forgotten.');
  start();
});
$('#create').addEventListener('submit', create);
for (const button of document.querySelectorAll('.download')) {
  button.addEventListener('click', () => download(button.dataset.format).catch((e) => say(e.message, true)));
}
start();
