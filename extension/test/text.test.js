import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JSDOM } from 'jsdom';
import { extractText, rangeToSpan } from '../content/text.js';

const doc = (html) => new JSDOM(`<body>${html}</body>`).window.document;

test('extractText: blocks become lines, whitespace collapses, <pre> and own UI are kept/skipped', () => {
  const d = doc(`<div id="a">
      <p>One   <b>two</b></p>
      <ul><li>three</li><li>four</li></ul>
      <pre>x  =  1\n  y</pre>
      <span data-liftledger="bar">👍</span><button>Copy</button>
    </div>`);
  assert.equal(extractText(d.getElementById('a')).text, 'One two\nthree\nfour\nx  =  1\n  y');
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
