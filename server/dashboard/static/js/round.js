/**
 * One round: the round's facts, the expert's earnings in it, where their
 * lift stands among all contributors, and each contribution's lift.
 */

import { get, session } from './api.js';
import { distribution, formatLift, percentile } from './charts.js';
import { $, formatDate, renderHeader, say, showAmount, wireSignIn, showSignedIn } from './common.js';

const roundId = Number(document.body.dataset.round);

function field(name, value) {
  const node = document.querySelector(`[data-field="${name}"]`);
  if (node) node.textContent = value ?? '—';
}

function renderRound(round) {
  field('status', round?.status);
  field('finished_at', formatDate(round?.finished_at));
  field('merkle_root', round?.merkle_root);
  field('backbone', round?.backbone);
}

function renderMine(mine) {
  showAmount(document.querySelector('[data-field="credited"]'), mine?.credited);
  field('lift', formatLift(mine?.lift));
  field('reliability', typeof mine?.reliability === 'number' ? mine.reliability.toFixed(2) : '—');
  field('preferences', mine?.preferences);
}

function renderDistribution(dist) {
  const lifts = dist?.lifts ?? [];
  const mine = typeof dist?.mine === 'number' ? dist.mine : null;
  distribution($('#distribution'), lifts, mine);
  const share = percentile(lifts, mine);
  $('#position').textContent =
    share === null
      ? ''
      : `Your lift is above that of ${share}% of the ${lifts.length} contributors in this round.`;
}

function details(label, text) {
  const node = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = label;
  const body = document.createElement('p');
  body.textContent = text ?? '';
  node.append(summary, body);
  return node;
}

function renderYourLift(items) {
  const [first] = items;
  const line = $('#your-lift');
  const rule = $('#payout-rule');
  line.hidden = !first?.your_lift;
  rule.hidden = !first?.rule;
  line.textContent = first?.your_lift ?? '';
  rule.textContent = first?.rule ?? '';
}

function renderContributions(items) {
  renderYourLift(items);
  const list = $('#contributions');
  list.replaceChildren();
  $('#contributions-empty').hidden = items.length > 0;
  for (const c of [...items].sort((a, b) => (b.lift ?? 0) - (a.lift ?? 0))) {
    const li = document.createElement('li');
    li.className = 'contribution';
    li.dataset.preference = c.preference_id;
    const head = document.createElement('div');
    head.className = 'contribution-head';
    const lift = document.createElement('span');
    lift.className = `lift ${c.lift >= 0 ? 'up' : 'down'}`;
    lift.textContent = `lift ${formatLift(c.lift)}`;
    const meta = document.createElement('span');
    meta.className = 'meta';
    meta.textContent = `preference #${c.preference_id} · ${c.source ?? '—'} · weight ${formatLift(c.weight)}`;
    head.append(lift, meta);
    const why = document.createElement('p');
    why.className = 'explanation';
    why.textContent = c.explanation || 'No explanation recorded.';
    const copy = document.createElement('p');
    copy.className = 'copy-line';
    copy.hidden = !c.copy_line;
    copy.textContent = c.copy_line ?? '';
    li.append(
      head,
      why,
      copy,
      details('Prompt', c.prompt),
      details('Preferred answer', c.chosen),
      details('Rejected answer', c.rejected),
    );
    list.append(li);
  }
}

async function load() {
  renderHeader();
  if (!showSignedIn()) return;
  const safe = (p) => p.catch(() => null);
  const [round, earnings, dist, contributions] = await Promise.all([
    safe(get(`/api/v1/rounds/${roundId}`)),
    safe(get('/api/v1/me/earnings')),
    safe(get(`/api/v1/rounds/${roundId}/lift-distribution`)),
    safe(get(`/api/v1/me/contributions?round_id=${roundId}`)),
  ]);
  if (!session()) return load();
  renderRound(round);
  renderMine(earnings?.rounds?.find((r) => Number(r.round_id) === roundId));
  renderDistribution(dist);
  renderContributions(Array.isArray(contributions) ? contributions : []);
  document.body.dataset.loaded = 'true';
}

renderHeader();
wireSignIn($('#sign-in'), $('#sign-in-status'), load);
load().catch((err) => say($('#page-status'), `Could not load this round: ${err.message}`, 'error'));
