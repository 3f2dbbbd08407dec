/**
 * Reads the visible text of an answer and maps DOM positions (a selection)
 * to character offsets in that text. No site selectors here: block-level
 * tag names are plain HTML, the same on every site; what a site hides or
 * renders twice comes in as `rules` from its adapter:
 * - `skip`: a selector for elements whose text never counts (screen-reader
 *   labels, code-block headers, thinking panels, artifact chips);
 * - `include`: a selector; when given, only text inside matching elements
 *   counts (the message blocks of a turn, not the chrome between them);
 * - `atoms`: `[{selector, text(el)}]`, elements read as one piece of text
 *   (a formula rendered three times is read once, from its source).
 */
import { codePointOffset } from '../common/offsets.js';

const BLOCKS = new Set(
  'ADDRESS ARTICLE ASIDE BLOCKQUOTE DD DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 H4 H5 H6 HEADER HR LI MAIN NAV OL P PRE SECTION TABLE TR UL'.split(
    ' ',
  ),
);
const CELLS = new Set(['TD', 'TH']);
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'BUTTON', 'SVG', 'svg', 'IFRAME']);
/** Marks the extension's own elements; they never count as answer text. */
export const OWN_ATTR = 'data-liftledger';

/** True when the element is not shown: `hidden`, aria-hidden, or display/visibility off. */
function invisible(el) {
  if (el.hidden || el.getAttribute('aria-hidden') === 'true') return true;
  const view = el.ownerDocument.defaultView;
  if (!view?.getComputedStyle) return false;
  const style = view.getComputedStyle(el);
  return style.display === 'none' || style.visibility === 'hidden';
}

function skipped(el, rules) {
  return (
    SKIP.has(el.tagName) ||
    el.hasAttribute(OWN_ATTR) ||
    (rules.skip && el.matches(rules.skip)) ||
    invisible(el)
  );
}

/**
 * Returns `{text, pieces}`: the answer text with block boundaries as
 * newlines and whitespace collapsed outside <pre>, and for every text node
 * the offset of each of its characters in `text` (`map`, length n + 1).
 * Offsets here are UTF-16 code units, as in every JS string.
 */
export function extractText(root, rules = {}) {
  let text = '';
  const pieces = [];
  const newline = () => {
    text = text.replace(/[ \t]+$/, '');
    if (text && !text.endsWith('\n')) text += '\n';
  };
  const add = (node, raw, pre) => {
    const map = new Array(raw.length + 1);
    for (let i = 0; i < raw.length; i++) {
      map[i] = text.length;
      const ch = raw[i];
      if (pre) text += ch;
      else if (/\s/.test(ch)) {
        if (text && !/\s$/.test(text)) text += ' ';
      } else text += ch;
    }
    map[raw.length] = text.length;
    if (node) pieces.push({ node, map });
  };
  const atom = (el, source, pre) => {
    const start = text.length;
    add(null, source, pre);
    const end = text.length;
    // A point inside the atom maps to its end, its very first point to its
    // start: a selection touching a formula takes all of it.
    const walker = el.ownerDocument.createTreeWalker(el, 4);
    let first = true;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const map = new Array(n.nodeValue.length + 1).fill(end);
      if (first) map[0] = start;
      first = false;
      pieces.push({ node: n, map });
    }
  };
  const walk = (node, pre, inc) => {
    if (node.nodeType === 3) {
      if (inc) add(node, node.nodeValue, pre);
      return;
    }
    if (node.nodeType !== 1 || skipped(node, rules)) return;
    const within = inc || (!!rules.include && node.matches(rules.include));
    const rule = within && rules.atoms?.find((a) => node.matches(a.selector));
    const source = rule ? rule.text(node) : null;
    if (source) return atom(node, source, pre);
    if (node.tagName === 'BR') {
      if (within) text += '\n';
      return;
    }
    const block = within && BLOCKS.has(node.tagName);
    if (block) newline();
    // Cells of a row are separated by a tab, so "Earth 1" does not read "Earth1".
    if (within && CELLS.has(node.tagName) && text && !/\s$/.test(text)) text += '\t';
    const inPre = pre || node.tagName === 'PRE';
    for (const child of node.childNodes) walk(child, inPre, within);
    if (block) newline();
  };
  walk(root, false, !rules.include);
  const lead = text.length - text.trimStart().length;
  const trimmed = text.trim();
  for (const p of pieces) p.map = p.map.map((o) => Math.max(0, Math.min(o - lead, trimmed.length)));
  return { text: trimmed, pieces };
}

/** Offset in `extracted.text` of a DOM boundary point (container, offset). */
export function offsetAt(extracted, container, offset) {
  const { pieces, text } = extracted;
  const hit = pieces.find((p) => p.node === container);
  if (hit) return hit.map[Math.min(offset, hit.map.length - 1)];
  const doc = container.ownerDocument ?? container;
  const range = doc.createRange();
  range.setStart(container, offset);
  for (const p of pieces) {
    if (range.comparePoint(p.node, 0) >= 0) return p.map[0];
  }
  return text.length;
}

/**
 * Converts a DOM Range inside `root` to `{start, end, quote}`, or null when
 * the range is empty or outside the answer. `start`/`end` are code-point
 * offsets into the answer text (the wire unit, docs/contracts.md).
 */
export function rangeToSpan(root, range, rules = {}) {
  if (!range || range.collapsed) return null;
  if (!root.contains(range.commonAncestorContainer)) return null;
  const ex = extractText(root, rules);
  const start = offsetAt(ex, range.startContainer, range.startOffset);
  const end = offsetAt(ex, range.endContainer, range.endOffset);
  if (end <= start) return null;
  return {
    start: codePointOffset(ex.text, start),
    end: codePointOffset(ex.text, end),
    quote: ex.text.slice(start, end),
  };
}
