/**
 * Small inline-SVG charts: lift per round (bars around zero) and a round's
 * lift distribution (histogram) with the signed-in expert's position.
 */

const NS = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 220;
const PAD = { top: 16, right: 16, bottom: 40, left: 64 };

function el(name, attrs = {}, text) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(label) {
  return el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': label, class: 'chart' });
}

/** A short label for a (possibly tiny) lift value. */
export function formatLift(value) {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  return abs >= 0.01 && abs < 1000 ? value.toFixed(3) : value.toExponential(2);
}

function yAxis(root, lo, hi, y) {
  for (const v of [lo, (lo + hi) / 2, hi]) {
    root.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(v), y2: y(v), class: 'grid' }));
    root.append(el('text', { x: PAD.left - 6, y: y(v) + 4, class: 'tick end' }, formatLift(v)));
  }
}

/** Bars of the expert's lift in each round (`rounds`: [{round_id, lift}]). */
export function liftPerRound(container, rounds) {
  container.replaceChildren();
  const points = rounds.filter((r) => typeof r.lift === 'number');
  if (!points.length) {
    container.append(
      Object.assign(document.createElement('p'), {
        className: 'empty',
        textContent: 'No lift measured yet.',
      }),
    );
    return;
  }
  const root = svg('Lift per round');
  const lo = Math.min(0, ...points.map((p) => p.lift));
  const hi = Math.max(0, ...points.map((p) => p.lift)) || 1;
  const y = (v) => PAD.top + ((hi - v) / (hi - lo || 1)) * (H - PAD.top - PAD.bottom);
  yAxis(root, lo, hi, y);
  const slot = (W - PAD.left - PAD.right) / points.length;
  const barWidth = Math.min(slot * 0.6, 48);
  points.forEach((p, i) => {
    const x = PAD.left + i * slot + (slot - barWidth) / 2;
    const top = Math.min(y(p.lift), y(0));
    const bar = el('rect', {
      x,
      y: top,
      width: barWidth,
      height: Math.max(1, Math.abs(y(p.lift) - y(0))),
      class: p.lift >= 0 ? 'bar up' : 'bar down',
      'data-round': p.round_id,
    });
    bar.append(el('title', {}, `Round ${p.round_id}: lift ${formatLift(p.lift)}`));
    root.append(bar);
    root.append(
      el('text', { x: x + barWidth / 2, y: H - PAD.bottom + 16, class: 'tick mid' }, `#${p.round_id}`),
    );
  });
  root.append(el('line', { x1: PAD.left, x2: W - PAD.right, y1: y(0), y2: y(0), class: 'axis' }));
  root.append(el('text', { x: W / 2, y: H - 6, class: 'tick mid' }, 'round'));
  container.append(root);
}

/** The share of `lifts` strictly below `mine`, as a percentage. */
export function percentile(lifts, mine) {
  if (!lifts.length || typeof mine !== 'number') return null;
  return Math.round((100 * lifts.filter((v) => v < mine).length) / lifts.length);
}

/** Histogram of every author's lift in a round, with a marker at `mine`. */
export function distribution(container, lifts, mine, bins = 20) {
  container.replaceChildren();
  if (!lifts.length) {
    container.append(
      Object.assign(document.createElement('p'), {
        className: 'empty',
        textContent: 'No lift distribution for this round yet.',
      }),
    );
    return;
  }
  const values = typeof mine === 'number' ? [...lifts, mine] : lifts;
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const counts = new Array(bins).fill(0);
  for (const v of lifts) counts[Math.min(bins - 1, Math.floor(((v - lo) / (hi - lo)) * bins))]++;
  const top = Math.max(...counts);
  const root = svg('Lift distribution of all contributors in this round');
  const x = (v) => PAD.left + ((v - lo) / (hi - lo)) * (W - PAD.left - PAD.right);
  const y = (c) => H - PAD.bottom - (c / top) * (H - PAD.top - PAD.bottom);
  const width = (W - PAD.left - PAD.right) / bins;
  counts.forEach((c, i) => {
    const bar = el('rect', {
      x: PAD.left + i * width + 1,
      y: y(c),
      width: width - 2,
      height: H - PAD.bottom - y(c),
      class: 'bar',
    });
    bar.append(el('title', {}, `${c} contributor(s)`));
    root.append(bar);
  });
  root.append(
    el('line', {
      x1: PAD.left,
      x2: W - PAD.right,
      y1: H - PAD.bottom,
      y2: H - PAD.bottom,
      class: 'axis',
    }),
  );
  const ticks = [
    [lo, 'start'],
    [(lo + hi) / 2, 'mid'],
    [hi, 'end'],
  ];
  for (const [v, anchor] of ticks) {
    root.append(el('text', { x: x(v), y: H - PAD.bottom + 16, class: `tick ${anchor}` }, formatLift(v)));
  }
  root.append(el('text', { x: W / 2, y: H - 6, class: 'tick mid' }, 'lift (author total)'));
  root.append(el('text', { x: PAD.left - 6, y: PAD.top + 8, class: 'tick end' }, String(top)));
  if (typeof mine === 'number') {
    const g = el('g', { class: 'mine', 'data-lift': mine });
    g.append(el('line', { x1: x(mine), x2: x(mine), y1: PAD.top, y2: H - PAD.bottom }));
    g.append(el('text', { x: x(mine), y: PAD.top - 4, class: 'tick mid' }, 'you'));
    root.append(g);
  }
  container.append(root);
}
