import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecords, missingInput } from '../common/record.js';
import { redactRecord, redactText } from '../common/redact.js';

const ctx = {
  site: 'chatgpt',
  conversationId: 'c1',
  messageId: 'm2',
  modelName: 'gpt-4o',
  prompt: 'Capital of Australia?',
  answer: 'It is Sydney.',
  licence: 'research-only',
  capturedAt: '2026-11-21T10:00:00Z',
};
const base = {
  site: 'chatgpt',
  conversation_id: 'c1',
  message_id: 'm2',
  model_name: 'gpt-4o',
  prompt: 'Capital of Australia?',
  answer: 'It is Sydney.',
  licence: 'research-only',
  captured_at: '2026-11-21T10:00:00Z',
};

test('buildRecords: one rating record carries tags, spans and comment', () => {
  const state = {
    rating: -1,
    tags: ['factually_wrong'],
    spans: [{ start: 6, end: 12, tag: 'factually_wrong', quote: 'Sydney' }],
    comment: '  wrong city ',
  };
  assert.deepEqual(buildRecords(ctx, state), [
    {
      ...base,
      kind: 'rating',
      rating: -1,
      tags: ['factually_wrong'],
      spans: [{ start: 6, end: 12, tag: 'factually_wrong' }],
      comment: 'wrong city',
      corrected_text: null,
    },
  ]);
});

test('buildRecords: a correction or an A/B choice becomes the kind, keeping the rating', () => {
  const [correction] = buildRecords(ctx, { rating: -1, correctedText: 'It is Canberra.' });
  assert.equal(correction.kind, 'correction');
  assert.equal(correction.corrected_text, 'It is Canberra.');
  assert.equal(correction.rating, -1);
  const other = { messageId: 'm3', text: 'It is Canberra.', modelName: null };
  const [pair] = buildRecords(ctx, { correctedText: 'It is Canberra.', choice: 'b', other });
  assert.equal(pair.kind, 'pairwise');
  assert.equal(pair.rating, null);
  assert.equal(pair.corrected_text, 'It is Canberra.');
  assert.deepEqual(pair.other_answer, { message_id: 'm3', text: 'It is Canberra.', model_name: null });
  assert.equal(pair.choice, 'b');
  assert.deepEqual(buildRecords(ctx, { choice: 'a', other: null }), []);
});

test('buildRecords: an unchanged correction is not a correction; nothing chosen is an error', () => {
  const records = buildRecords(ctx, { correctedText: 'It is Sydney. ' });
  assert.deepEqual(records, []);
  assert.match(missingInput(ctx, records), /Choose/);
  assert.match(missingInput({ ...ctx, prompt: ' ' }, [{}]), /prompt/);
  assert.equal(missingInput(ctx, [{}]), null);
});

test('redactText replaces e-mails and phone numbers, not years or short numbers', () => {
  const { text } = redactText(
    'Mail jane.doe@example.com or call +1 415 555 0100 / (030) 1234-5678 in 2026, room 42.',
  );
  assert.equal(text, 'Mail [email] or call [phone] / [phone] in 2026, room 42.');
});

test('redactRecord remaps span offsets around the replacements', () => {
  const answer = 'Write to a@b.io about Canberra.';
  const rec = redactRecord({
    prompt: 'my mail is me@x.org',
    answer,
    comment: 'call 0171 2345678',
    spans: [{ start: answer.indexOf('Canberra'), end: answer.indexOf('Canberra') + 8, tag: 'great_answer' }],
  });
  assert.equal(rec.prompt, 'my mail is [email]');
  assert.equal(rec.answer, 'Write to [email] about Canberra.');
  assert.equal(rec.comment, 'call [phone]');
  const [s] = rec.spans;
  assert.equal(rec.answer.slice(s.start, s.end), 'Canberra');
});

test('redaction keeps code-point spans on the same words after an emoji', () => {
  const answer = '🙂 Write to jane@example.com about Canberra.';
  const cp = [...answer];
  const start = cp.join('').indexOf('Canberra') - 1; // one emoji: one code point, two units
  const rec = redactRecord({
    kind: 'rating',
    prompt: 'q',
    answer,
    spans: [{ start, end: start + 8, tag: 'great_answer' }],
  });
  const [s] = rec.spans;
  assert.equal([...rec.answer].slice(s.start, s.end).join(''), 'Canberra');
  // A span right after the address: counted in UTF-16 units it would fall inside the address.
  const tight = redactRecord({
    kind: 'rating',
    prompt: 'q',
    answer: '🙂 jane@example.com!',
    spans: [{ start: 18, end: 19, tag: 'verbose' }], // '!' is code point 18 (UTF-16 unit 19)
  });
  assert.equal(tight.answer, '🙂 [email]!');
  assert.deepEqual(
    tight.spans.map((x) => [...tight.answer].slice(x.start, x.end).join('')),
    ['!'],
  );
});
