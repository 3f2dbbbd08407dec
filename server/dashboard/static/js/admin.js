/**
 * Admin: start a training round and follow every round's live progress
 * (step, loss, ETA), polled from GET /api/v1/rounds.
 */

import { api, get, session } from './api.js';
import { $, renderHeader, say, wireSignIn, showSignedIn } from './common.js';

const POLL_MS = 2000;

function cell(text) {
  const td = document.createElement('td');
  td.textContent = text ?? '—';
  return td;
}

function row(round) {
  const p = round.progress ?? {};
  const tr = document.createElement('tr');
  const link = document.createElement('a');
  link.href = `/dashboard/rounds/${round.id}`;
  link.textContent = `Round ${round.id}`;
  const first = document.createElement('td');
  first.append(link);
  const step = p.total_steps ? `${p.step ?? 0}/${p.total_steps}` : null;
  const loss = typeof p.loss === 'number' ? p.loss.toFixed(4) : null;
  const eta = typeof p.eta_s === 'number' ? `${Math.round(p.eta_s)} s` : null;
  const acc = round.metrics?.served_yardstick_accuracy ?? round.metrics?.accuracy;
  tr.append(
    first,
    cell(round.error ? `${round.status}: ${round.error}` : round.status),
    cell(p.phase),
    cell(step),
    cell(loss),
    cell(round.status === 'running' ? eta : null),
    cell(typeof acc === 'number' ? acc.toFixed(3) : null),
    cell(round.n_train ? `${round.n_train} on yardstick ${round.yardstick_id}` : null),
  );
  tr.dataset.status = round.status;
  return tr;
}

async function refreshRounds() {
  const rounds = (await get('/api/v1/rounds')) ?? [];
  $('#rounds').replaceChildren(...rounds.map(row));
  $('#rounds-empty').hidden = rounds.length > 0;
}

async function startRound(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  const body = {
    backbone: form.get('backbone'),
    seed: Number(form.get('seed') || 0),
    epochs: Number(form.get('epochs') || 1),
  };
  try {
    const round = await api('POST', '/api/v1/admin/rounds', body);
    say($('#start-status'), `Round ${round.id} queued.`, 'ok');
  } catch (err) {
    say($('#start-status'), err.message, 'error');
  }
  await refreshRounds();
}

async function show() {
  if (!showSignedIn()) return;
  await refreshRounds();
}

renderHeader();
wireSignIn($('#sign-in'), $('#sign-in-status'), show);
$('#start-round').addEventListener('submit', startRound);
setInterval(() => session() && refreshRounds().catch(() => {}), POLL_MS);
show();
