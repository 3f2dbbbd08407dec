import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as chatgpt from '../content/adapters/chatgpt.js';
import * as claude from '../content/adapters/claude.js';
import * as gemini from '../content/adapters/gemini.js';
import * as generic from '../content/adapters/generic.js';
import { adapterFor } from '../content/adapters/index.js';
import { fixture, plain } from './helpers.js';

test('adapterFor picks each site and falls back to generic', () => {
  assert.equal(adapterFor('chatgpt.com').site, 'chatgpt');
  assert.equal(adapterFor('chat.openai.com').site, 'chatgpt');
  assert.equal(adapterFor('claude.ai').site, 'claude');
  assert.equal(adapterFor('gemini.google.com').site, 'gemini');
  assert.equal(adapterFor('example.org').site, 'generic');
  assert.equal(adapterFor('notchatgpt.com').site, 'generic');
});

test('chatgpt: section turns; a multi-block answer is one answer with the first block id', () => {
  const { doc, loc } = fixture('chatgpt', 'https://chatgpt.com/c/6740-abcd-ef01');
  const conv = chatgpt.read(doc, loc);
  assert.equal(conv.conversationId, '6740-abcd-ef01');
  assert.deepEqual(plain(conv.turns).slice(0, 2), [
    { role: 'user', messageId: 'aaa1-user', text: 'What is the capital of Australia?' },
    {
      role: 'assistant',
      messageId: 'bbb2-asst',
      text: 'The capital of Australia is Canberra.\nMany people think it is Sydney.',
    },
  ]);
  const answer = conv.turns[1];
  assert.deepEqual(answer.blockIds, ['bbb2-asst', 'bbb2-asst-2']);
  assert.ok(answer.node.contains(doc.querySelector('[data-message-id="bbb2-asst-2"]')));
  assert.equal(conv.turns.filter((t) => t.role === 'assistant').length, 4, 'one answer per turn');
  assert.equal(chatgpt.modelName(answer.node), 'gpt-5-2');
  assert.equal(chatgpt.isStreaming(conv.turns[5].node, doc), false);
});

test('chatgpt: formulas read once, code headers and screen-reader labels skipped', () => {
  const { doc, loc } = fixture('chatgpt', 'https://chatgpt.com/c/x1');
  const turn = chatgpt.read(doc, loc).turns.find((t) => t.messageId === 'ddd4-asst');
  assert.equal(
    turn.text,
    'Yes 🙂, seven is prime, as in the cafe\u0301 game.\nprint(7 % 2)\nEnergy: E = mc^2 holds.',
  );
  assert.doesNotMatch(turn.text, /python|Copy code|said/);
});

test('chatgpt: a Deep Research report in a cross-origin iframe is unreadable, not an answer', () => {
  const { doc, loc } = fixture('chatgpt', 'https://chatgpt.com/c/x1');
  const last = chatgpt.read(doc, loc).turns.at(-1);
  assert.equal(last.unreadable, 'deep-research');
  assert.equal(last.text, '');
});

test('chatgpt: the whole last turn streams while the stop button shows; gizmo and share ids', () => {
  const { doc, loc } = fixture('chatgpt', 'https://chatgpt.com/');
  assert.equal(chatgpt.read(doc, loc).conversationId, null);
  // Drop the report exchange so the last turn is an answer with text.
  for (const n of [7, 8]) doc.querySelector(`[data-testid="conversation-turn-${n}"]`).remove();
  const stop = doc.createElement('button');
  stop.setAttribute('data-testid', 'stop-button');
  doc.body.append(stop);
  const { turns } = chatgpt.read(doc, loc);
  assert.equal(chatgpt.isStreaming(turns.at(-1).node, doc), true);
  assert.equal(chatgpt.isStreaming(turns[1].node, doc), false);
  stop.remove();
  assert.equal(chatgpt.isStreaming(turns.at(-1).node, doc), false);
  assert.equal(chatgpt.read(doc, { pathname: '/g/g-abc123/c/0c0c-11' }).conversationId, '0c0c-11');
  assert.equal(chatgpt.read(doc, { pathname: '/share/5e5e-22' }).conversationId, '5e5e-22');
});

test('claude: artifact chips excluded, formula once, current and legacy body classes', () => {
  const url = 'https://claude.ai/chat/4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6';
  const { doc, loc } = fixture('claude', url);
  const conv = claude.read(doc, loc);
  assert.equal(conv.conversationId, '4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6');
  const text =
    'Plants turn light, water and carbon dioxide into sugar and oxygen.\n' +
    'Contact me at jane.doe@example.com or +1 415 555 0100.\n' +
    'The diagram shows where it happens: CO_2 goes in.';
  assert.deepEqual(plain(conv.turns), [
    { role: 'user', messageId: null, text: 'Explain photosynthesis in one sentence.' },
    { role: 'assistant', messageId: null, text },
  ]);
  const answer = conv.turns[1].node;
  assert.equal(claude.isStreaming(answer), false);
  answer.closest('[data-is-streaming]').setAttribute('data-is-streaming', 'true');
  assert.equal(claude.isStreaming(answer), true);
  answer.className = 'font-claude-message';
  assert.equal(claude.read(doc, loc).turns[1].text, text, 'the legacy class reads the same');
});

test('gemini: exchanges pair prompt and answer; hidden labels, thinking and collapsed code skipped', () => {
  const { doc, loc } = fixture('gemini', 'https://gemini.google.com/app/9f8e7d6c5b4a3921');
  const conv = gemini.read(doc, loc);
  assert.equal(conv.conversationId, '9f8e7d6c5b4a3921');
  assert.deepEqual(plain(conv.turns), [
    { role: 'user', messageId: null, text: 'How many legs does a spider have?' },
    {
      role: 'assistant',
      messageId: 'r_1a2b3c4d5e',
      text: 'A spider has eight legs.\nInsects have six.\nSpiders are arachnids.',
    },
    { role: 'user', messageId: null, text: 'Make a table of three planets and their moons.' },
    {
      role: 'assistant',
      messageId: 'r_6f7e8d9c0b',
      text: 'Here is the table.\nPlanet\tMoons\nEarth\t1\nMars\t2\nJupiter\t95',
    },
  ]);
  assert.equal(conv.turns[1].node.closest('model-thoughts'), null, 'the bar never lands in the thinking');
  const node = conv.turns[1].node;
  assert.equal(gemini.isStreaming(node), false);
  node.querySelector('.markdown').setAttribute('aria-busy', 'true');
  assert.equal(gemini.isStreaming(node), true);
});

test('gemini: a thinking panel alone is no answer yet, and its busy flag is not the answer streaming', () => {
  const { doc, loc } = fixture('gemini', 'https://gemini.google.com/app/9f8e7d6c5b4a3921');
  const thoughts = doc.querySelector('model-thoughts');
  thoughts.querySelector('.markdown').setAttribute('aria-busy', 'true');
  assert.equal(gemini.isStreaming(gemini.read(doc, loc).turns[1].node), false);
  doc.getElementById('message-content-id-r_1a2b3c4d5e').remove();
  const turns = gemini.read(doc, loc).turns;
  assert.deepEqual(
    turns.map((t) => [t.role, t.text, !!t.pending]),
    [
      ['user', 'How many legs does a spider have?', false],
      ['assistant', '', true],
      ['user', 'Make a table of three planets and their moons.', false],
      ['assistant', 'Here is the table.\nPlanet\tMoons\nEarth\t1\nMars\t2\nJupiter\t95', false],
    ],
  );
  doc.querySelector('model-thoughts').remove();
  assert.equal(gemini.read(doc, loc).turns.length, 3, 'no body and no thinking: no answer');
});

test('gemini: /u/<n>/ account prefixes and gems keep the conversation id', () => {
  assert.equal(gemini.conversationIdOf('/u/1/app/9f8e7d6c5b4a3921'), '9f8e7d6c5b4a3921');
  assert.equal(gemini.conversationIdOf('/u/12/gem/coding-partner/abcdef0123456789'), 'abcdef0123456789');
  assert.equal(gemini.conversationIdOf('/app/9f8e7d6c5b4a3921'), '9f8e7d6c5b4a3921');
  assert.equal(gemini.conversationIdOf('/u/1/app'), null);
});

test('generic: the selection is the answer; no selection, no turn', () => {
  const { doc, loc } = fixture('generic', 'https://example.org/chat');
  assert.deepEqual(generic.read(doc, loc, null).turns, []);
  const range = doc.createRange();
  range.selectNodeContents(doc.getElementById('answer'));
  const { conversationId, turns } = generic.read(doc, loc, range);
  assert.equal(conversationId, null);
  assert.deepEqual(plain(turns), [
    {
      role: 'assistant',
      messageId: null,
      text: 'Sunlight scatters off air molecules, and blue light scatters the most.',
    },
  ]);
  assert.equal(turns[0].node, doc.getElementById('answer'));
});
