import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { extractText, rangeToSpan } from '../content/text.js';
import { codePointOffset, sliceCodePoints, utf16Offset } from '../common/offsets.js';

const doc = (html) => new JSDOM(`<body>${html}</body>`).window.document;

test('extractText: blocks become lines, whitespace collapses, <pre> and own UI are kept/skipped', () => {
  const d = doc(`<div id="a">
      <p>One   <b>two</b></p>
      <ul><li>three</li><li>four</li></ul>
      <pre>x  =  1\n  y</pre>
      <span data-liftledger="bar">👍</span><button>Copy</button>
      <span hidden>gone</span><span aria-hidden="true">icon</span><span style="display:none">none</span>
    </div>`);
  assert.equal(extractText(d.getElementById('a')).text, 'One two\nthree\nfour\nx  =  1\n  y');
});

test('rules: skip, include and atoms', () => {
  const d = doc(`<div id="a"><h4 class="sr-only">Said:</h4><div class="m"><p>Alpha</p></div>
    <div><button>Thought</button><span>noise</span></div><div class="m"><p>Beta <span class="f"><i>x2</i><annotation>x^2</annotation></span>.</p></div></div>`);
  const rules = {
    skip: '.sr-only',
    include: '.m',
    atoms: [{ selector: '.f', text: (el) => el.querySelector('annotation').textContent }],
  };
  const root = d.getElementById('a');
  const ex = extractText(root, rules);
  assert.equal(ex.text, 'Alpha\nBeta x^2.');
  // A selection ending inside the rendered formula covers the whole formula.
  const range = d.createRange();
  range.setStart(root.querySelectorAll('.m p')[1].firstChild, 0);
  range.setEnd(root.querySelector('i').firstChild, 1);
  assert.deepEqual(rangeToSpan(root, range, rules), { start: 6, end: 14, quote: 'Beta x^2' });
});

test('rangeToSpan maps a selection across elements to offsets into the answer text', () => {
  const d = doc('<div id="a"><p>The capital is <strong>Canberra</strong>.</p><p>Not Sydney.</p></div>');
  const root = d.getElementById('a');
  const { text } = extractText(root);
  const range = d.createRange();
  const strong = root.querySelector('strong').firstChild;
  const second = root.querySelectorAll('p')[1].firstChild;
  range.setStart(strong, 0);
  range.setEnd(second, 3);
  const span = rangeToSpan(root, range);
  assert.deepEqual(span, { start: 15, end: 28, quote: 'Canberra.\nNot' });
  assert.equal(text.slice(span.start, span.end), span.quote);
});

test('span offsets are code points: an emoji counts once, a combining mark once', () => {
  const d = doc('<div id="a"><p>Hi 👋🏽 from cafe\u0301 Zoë — done</p></div>');
  const root = d.getElementById('a');
  const node = root.querySelector('p').firstChild;
  const at = node.nodeValue.indexOf('done');
  const range = d.createRange();
  range.setStart(node, at);
  range.setEnd(node, at + 4);
  const span = rangeToSpan(root, range);
  const text = extractText(root).text;
  // 👋🏽 is two code points in four UTF-16 units.
  assert.equal(at, 25);
  assert.deepEqual(span, { start: 23, end: 27, quote: 'done' });
  assert.equal([...text].slice(span.start, span.end).join(''), 'done');
  assert.equal(sliceCodePoints(text, span.start, span.end), 'done');
  const accent = node.nodeValue.indexOf('e\u0301');
  range.setStart(node, accent);
  range.setEnd(node, accent + 2);
  assert.deepEqual(rangeToSpan(root, range), { start: 14, end: 16, quote: 'e\u0301' });
});

test('offset conversions round-trip and never split a surrogate pair', () => {
  const s = 'a😀b\u0301c';
  assert.equal(codePointOffset(s, s.length), [...s].length);
  for (let cp = 0; cp <= [...s].length; cp++) assert.equal(codePointOffset(s, utf16Offset(s, cp)), cp);
  assert.equal(codePointOffset(s, 2), 2, 'inside the pair counts the pair');
  assert.equal(utf16Offset(s, 2), 3);
});

test('rangeToSpan: element boundaries, collapsed and outside ranges', () => {
  const d = doc('<div id="a"><p>alpha</p><p>beta</p></div><p id="out">elsewhere</p>');
  const root = d.getElementById('a');
  const range = d.createRange();
  range.setStart(root, 1);
  range.setEnd(root, 2);
  assert.deepEqual(rangeToSpan(root, range), { start: 6, end: 10, quote: 'beta' });
  range.collapse(true);
  assert.equal(rangeToSpan(root, range), null);
  range.selectNodeContents(d.getElementById('out'));
  assert.equal(rangeToSpan(root, range), null);
});
