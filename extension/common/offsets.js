/**
 * Span offsets travel in Unicode code points (what Python's `str` indexing
 * counts; docs/contracts.md). JS strings index UTF-16 code units, so an
 * emoji outside the BMP is two units but one code point; combining marks
 * are code points of their own in both.
 */

const isHigh = (c) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c) => c >= 0xdc00 && c <= 0xdfff;

/** Code points in `text.slice(0, utf16)`; an offset inside a pair counts the pair once. */
export function codePointOffset(text, utf16) {
  let n = 0;
  for (let i = 0; i < utf16 && i < text.length; i++) {
    if (isLow(text.charCodeAt(i)) && i > 0 && isHigh(text.charCodeAt(i - 1))) continue;
    n++;
  }
  return n;
}

/** The UTF-16 offset of code point number `cp` in `text` (clamped to the end). */
export function utf16Offset(text, cp) {
  let i = 0;
  for (let n = 0; n < cp && i < text.length; n++) {
    i += isHigh(text.charCodeAt(i)) && isLow(text.charCodeAt(i + 1)) ? 2 : 1;
  }
  return i;
}

/** `text` between code-point offsets `start` and `end`. */
export function sliceCodePoints(text, start, end) {
  return text.slice(utf16Offset(text, start), utf16Offset(text, end));
}
