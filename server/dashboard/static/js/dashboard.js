/**
 * The expert's dashboard: totals, lift per round, earnings per round,
 * claims, the calibrate card, and the extension link.
 */

import { get, session } from './api.js';
import { loadCalibrate } from './calibrate.js';
import { liftPerRound, formatLift } from './charts.js';
import { claim, redeem } from './claim.js';
import { $, formatDate, renderHeader, say, showAmount, wireSignIn, showSignedIn } from './common.js';
import { linkExtension } from './link.js';

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function renderTotals(earnings) {
  showAmount($('#total-credited'), earnings?.total_credited);
  showAmount($('#total-claimed'), earnings?.total_claimed);
  showAmount($('#claimable'), earnings?.claimable);
  const claimable = earnings?.claimable ? BigInt(earnings.claimable) : 0n;
  $('#claim').disabled = claimable <= 0n;
}

function renderRounds(rounds) {
  const body = $('#rounds tbody');
  body.replaceChildren();
  $('#rounds-empty').hidden = rounds.length > 0;
  for (const r of rounds) {
    const row = body.insertRow();
    const link = Object.assign(document.createElement('a'), {
      href: `/dashboard/rounds/${r.round_id}`,
      textContent: `Round ${r.round_id}`,
    });
    row.insertCell().append(link);
    cell(row, formatDate(r.finished_at));
    cell(row, r.preferences ?? '—', 'num');
    cell(row, formatLift(r.lift), 'num');
    cell(row, typeof r.reliability === 'number' ? r.reliability.toFixed(2) : '—', 'num');
    showAmount(cell(row, '', 'num'), r.credited);
  }
  liftPerRound(
    $('#lift-chart'),
    [...rounds].sort((a, b) => a.round_id - b.round_id),
  );
}

function renderClaims(claims) {
  const body = $('#claims tbody');
  body.replaceChildren();
  $('#claims-empty').hidden = claims.length > 0;
  for (const c of claims) {
    const row = body.insertRow();
    row.dataset.status = c.status;
    cell(row, `#${c.id}`);
    showAmount(cell(row, '', 'num'), c.amount);
    showAmount(cell(row, '', 'num'), c.cumulative_amount);
    cell(row, c.status);
    cell(row, c.tx_hash || '—', 'hash');
    cell(row, formatDate(c.created_at));
    const action = row.insertCell();
    if (c.status === 'issued') {
      const button = Object.assign(document.createElement('button'), {
        className: 'secondary small',
        textContent: c.contract ? 'Redeem' : 'Show voucher',
      });
      button.onclick = () => redeemRow(button, c);
      action.append(button);
    }
  }
}

async function redeemRow(button, issued) {
  button.disabled = true;
  try {
    await redeem(issued, $('#claim-status'), $('#voucher'), load);
  } catch (err) {
    say($('#claim-status'), `Claim failed: ${err.message}`, 'error');
  } finally {
    button.disabled = false;
  }
}

/** Loads and renders everything the signed-in expert sees. */
async function load() {
  renderHeader();
  if (!showSignedIn()) return;
  const [earnings, claims] = await Promise.all([
    get('/api/v1/me/earnings').catch(() => null),
    get('/api/v1/claims').catch(() => null),
  ]);
  if (!session()) return load(); // the session expired and could not be refreshed
  renderTotals(earnings);
  renderRounds(earnings?.rounds ?? []);
  renderClaims(Array.isArray(claims) ? claims : (claims?.items ?? []));
  await loadCalibrate().catch((err) =>
    say($('#calibrate-status'), `Calibration failed: ${err.message}`, 'error'),
  );
  document.body.dataset.loaded = 'true';
}

function wire() {
  wireSignIn($('#sign-in'), $('#sign-in-status'), load);
  $('#claim').onclick = async () => {
    $('#claim').disabled = true;
    try {
      await claim($('#claim-status'), $('#voucher'), load);
    } catch (err) {
      say($('#claim-status'), `Claim failed: ${err.message}`, 'error');
    }
  };
  $('#link').onclick = async () => {
    $('#link').disabled = true;
    try {
      await linkExtension($('#link-status'), $('#device-token'));
    } catch (err) {
      say($('#link-status'), `Linking failed: ${err.message}`, 'error');
    } finally {
      $('#link').disabled = false;
    }
  };
}

renderHeader();
wire();
load().catch((err) => say($('#page-status'), `Could not load your earnings: ${err.message}`, 'error'));
