/**
 * The adapters on further real-page structures: saved pages without the live app's wrappers,
 * thinking and tool blocks inside an answer, Deep Research reports. Each fixture's source is
 * in fixtures/README.md.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as chatgpt from '../content/adapters/chatgpt.js';
import * as claude from '../content/adapters/claude.js';
import * as gemini from '../content/adapters/gemini.js';
import { problemOf } from '../content/watch.js';
import { fixture, plain } from './helpers.js';

test('chatgpt: div turns without data-turn; tool messages are neither the answer nor in it', () => {
  const { doc, loc } = fixture('chatgpt-div-turns', 'https://chatgpt.com/share/5a5a-reasoning');
  const conv = chatgpt.read(doc, loc);
  assert.equal(conv.conversationId, '5a5a-reasoning');
  assert.deepEqual(plain(conv.turns.slice(0, 4)), [
    { role: 'user', messageId: 'd1-user', text: 'How do I keep basil alive indoors?' },
    {
      role: 'assistant',
      messageId: 'd2-asst',
      text:
        'Give it the sunniest window you have.\nWater when the top of the soil is dry.\n' +
        'Pinch off flower buds so the leaves keep growing.',
    },
    { role: 'user', messageId: 'd3-user', text: 'Draw a basil plant and say what you drew.' },
    {
      role: 'assistant',
      messageId: 'd4-asst',
      text: 'A basil plant in a clay pot on a windowsill.\nIts leaves are drawn larger than life.',
    },
  ]);
  assert.deepEqual(conv.turns[3].blockIds, ['d4-asst', 'd4-asst-b']);
  // An image and nothing else: the prompt has its answer, which has no text to rate.
  assert.deepEqual(
    conv.turns.slice(4).map((t) => [t.role, t.text, t.unreadable ?? null]),
    [
      ['user', 'Now only draw a fern.', null],
      ['assistant', '', 'no-text'],
    ],
  );
  assert.equal(problemOf(chatgpt, conv), null);
});

test('claude: thinking, search blocks, an opened artifact and code headers are not the answer', () => {
  const { doc, loc } = fixture(
    'claude-thinking',
    'https://claude.ai/chat/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0',
  );
  const conv = claude.read(doc, loc);
  assert.deepEqual(plain(conv.turns), [
    { role: 'user', messageId: null, text: 'Is 91 a prime number?' },
    {
      role: 'assistant',
      messageId: null,
      text: 'No: 91 is 7 times 13.\nIt only looks prime because it is odd and not a multiple of 3.\nprint(91 % 7)',
    },
  ]);
  assert.ok(conv.turns[1].node.matches('.font-claude-response'));
  assert.equal(claude.isStreaming(conv.turns[1].node), false);
});

test('claude: a saved page without the streaming wrapper still reads every answer', () => {
  const { doc, loc } = fixture('claude-bare', 'https://claude.ai/chat/7e6d5c4b-3a29-1807-f6e5-d4c3b2a19080');
  const conv = claude.read(doc, loc);
  assert.deepEqual(plain(conv.turns), [
    { role: 'user', messageId: null, text: 'Which river runs through Vienna?' },
    { role: 'assistant', messageId: null, text: 'The Danube runs through Vienna.' },
    { role: 'user', messageId: null, text: 'And through Budapest?' },
    { role: 'assistant', messageId: null, text: 'The Danube again: it splits Buda from Pest.' },
  ]);
  assert.equal(claude.isStreaming(conv.turns[1].node), false);
  assert.equal(problemOf(claude, conv), null);
});

test('gemini: Deep Research reports have no shared message id; source chips are not text', () => {
  const { doc, loc } = fixture('gemini-research', 'https://gemini.google.com/u/2/app/c0a1b2c3d4e5f607');
  const conv = gemini.read(doc, loc);
  assert.equal(conv.conversationId, 'c0a1b2c3d4e5f607');
  assert.deepEqual(plain(conv.turns), [
    { role: 'user', messageId: null, text: 'Research how bees find flowers.' },
    {
      role: 'assistant',
      messageId: null,
      text: 'How bees find flowers\nBees read colour and scent , and they dance to tell the hive.',
    },
    { role: 'user', messageId: null, text: 'Now research how ants find food.' },
    {
      role: 'assistant',
      messageId: null,
      text: 'How ants find food\nAnts follow scent trails laid by their nestmates.',
    },
  ]);
  assert.equal(gemini.isStreaming(conv.turns[1].node), false);
});
