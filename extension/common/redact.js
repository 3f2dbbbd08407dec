/**
 * Optional redaction of e-mail addresses and phone numbers before a record
 * leaves the browser. Span offsets into the answer (code points) are
 * remapped so that a tagged span still covers the same words after redaction.
 */
import { codePointOffset, utf16Offset } from './offsets.js';

const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/gi;
// A run of 7..15 digits that may be broken by spaces, dots, dashes or
// brackets, optionally led by '+'; not glued to letters or other digits.
const PHONE = /(?<![\w+])\+?\(?\d(?:[\s().-]{0,2}\d){6,14}(?![\w])/g;

/** Returns the edits (sorted, non-overlapping) that redaction would make. */
function findEdits(text) {
  const edits = [];
  for (const [re, label] of [
    [EMAIL, '[email]'],
    [PHONE, '[phone]'],
  ]) {
    for (const m of text.matchAll(re)) {
      const start = m.index;
      const end = start + m[0].length;
      if (edits.some((e) => start < e.end && end > e.start)) continue;
      edits.push({ start, end, replacement: label });
    }
  }
  return edits.sort((a, b) => a.start - b.start);
}

/** Redacts `text`; returns `{text, edits}` where edits describe each replacement. */
export function redactText(text) {
  if (typeof text !== 'string' || !text) return { text, edits: [] };
  const edits = findEdits(text);
  let out = '';
  let pos = 0;
  for (const e of edits) {
    out += text.slice(pos, e.start) + e.replacement;
    pos = e.end;
  }
  return { text: out + text.slice(pos), edits };
}

/** Maps an offset in the original text to the redacted text. */
export function mapOffset(offset, edits, isEnd = false) {
  let shift = 0;
  for (const e of edits) {
    if (offset <= e.start) break;
    if (offset < e.end) {
      // Inside a redacted run: snap to the replacement's edge.
      return e.start + shift + (isEnd ? e.replacement.length : 0);
    }
    shift += e.replacement.length - (e.end - e.start);
  }
  return offset + shift;
}

/** Returns a copy of a feedback record with e-mails and phone numbers redacted. */
export function redactRecord(record) {
  const out = structuredClone(record);
  const answer = redactText(out.answer);
  out.answer = answer.text;
  out.prompt = redactText(out.prompt).text;
  if (out.comment) out.comment = redactText(out.comment).text;
  if (out.corrected_text) out.corrected_text = redactText(out.corrected_text).text;
  if (out.other_answer?.text) out.other_answer.text = redactText(out.other_answer.text).text;
  if (Array.isArray(out.spans)) {
    // Edits are in UTF-16 units; spans are in code points on both sides.
    const cp = (offset, isEnd) =>
      codePointOffset(answer.text, mapOffset(utf16Offset(record.answer, offset), answer.edits, isEnd));
    out.spans = out.spans
      .map((s) => ({ ...s, start: cp(s.start, false), end: cp(s.end, true) }))
      .filter((s) => s.end > s.start);
  }
  return out;
}
