/**
 * Reads the visible text of an answer and maps DOM positions (a selection)
 * to character offsets in that text. No site selectors here: block-level
 * tag names are plain HTML, the same on every site.
 */

const BLOCKS = new Set(
  'ADDRESS ARTICLE ASIDE BLOCKQUOTE DD DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 H4 H5 H6 HEADER HR LI MAIN NAV OL P PRE SECTION TABLE TR UL'.split(
    ' ',
  ),
);
const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'BUTTON', 'SVG', 'svg']);
/** Marks the extension's own elements; they never count as answer text. */
export const OWN_ATTR = 'data-liftledger';

function skipped(el) {
  return SKIP.has(el.tagName) || el.hasAttribute(OWN_ATTR) || el.hidden;
}

/**
 * Returns `{text, pieces}`: the answer text with block boundaries as
 * newlines and whitespace collapsed outside <pre>, and for every text node
 * the offset of each of its characters in `text` (`map`, length n + 1).
 */
export function extractText(root) {
  let text = '';
  const pieces = [];
  const newline = () => {
    text = text.replace(/[ \t]+$/, '');
    if (text && !text.endsWith('\n')) text += '\n';
  };
  const walk = (node, pre) => {
    if (node.nodeType === 3) {
      const raw = node.nodeValue;
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
      pieces.push({ node, map });
      return;
    }
    if (node.nodeType !== 1 || skipped(node)) return;
    if (node.tagName === 'BR') {
      text += '\n';
      return;
    }
    const block = BLOCKS.has(node.tagName);
    if (block) newline();
    const inPre = pre || node.tagName === 'PRE';
    for (const child of node.childNodes) walk(child, inPre);
    if (block) newline();
  };
  walk(root, false);
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
 * Converts a DOM Range inside `root` to `{start, end, quote}` offsets into the
 * answer text, or null when the range is empty or outside the answer.
 */
export function rangeToSpan(root, range) {
  if (!range || range.collapsed) return null;
  if (!root.contains(range.commonAncestorContainer)) return null;
  const ex = extractText(root);
  const start = offsetAt(ex, range.startContainer, range.startOffset);
  const end = offsetAt(ex, range.endContainer, range.endOffset);
  if (end <= start) return null;
  return { start, end, quote: ex.text.slice(start, end) };
}
