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

test('chatgpt: turns, ids, model and conversation id', () => {
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
  assert.equal(conv.turns.length, 6);
  assert.equal(chatgpt.modelName(conv.turns[1].node), 'gpt-4o');
  assert.equal(chatgpt.isStreaming(conv.turns[5].node, doc), false);
});

test('chatgpt: the last answer streams while the stop button shows; gizmo and share ids', () => {
  const { doc, loc } = fixture('chatgpt', 'https://chatgpt.com/');
  assert.equal(chatgpt.read(doc, loc).conversationId, null);
  const stop = doc.createElement('button');
  stop.setAttribute('data-testid', 'stop-button');
  doc.body.append(stop);
  const { turns } = chatgpt.read(doc, loc);
  assert.equal(chatgpt.isStreaming(turns[5].node, doc), true);
  assert.equal(chatgpt.isStreaming(turns[1].node, doc), false);
  const gizmo = { pathname: '/g/g-abc123/c/0c0c-11' };
  assert.equal(chatgpt.read(doc, gizmo).conversationId, '0c0c-11');
});

test('claude: prompt and answer, streaming flag, conversation id', () => {
  const url = 'https://claude.ai/chat/4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6';
  const { doc, loc } = fixture('claude', url);
  const conv = claude.read(doc, loc);
  assert.equal(conv.conversationId, '4f1c2a9e-1b2c-4d5e-8f90-a1b2c3d4e5f6');
  assert.deepEqual(plain(conv.turns), [
    { role: 'user', messageId: null, text: 'Explain photosynthesis in one sentence.' },
    {
      role: 'assistant',
      messageId: null,
      text: 'Plants turn light, water and carbon dioxide into sugar and oxygen.\nContact me at jane.doe@example.com or +1 415 555 0100.',
    },
  ]);
  const answer = conv.turns[1].node;
  assert.equal(claude.isStreaming(answer), false);
  answer.closest('[data-is-streaming]').setAttribute('data-is-streaming', 'true');
  assert.equal(claude.isStreaming(answer), true);
});

test('gemini: custom elements, response id, hidden label excluded, busy flag', () => {
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
  ]);
  const node = conv.turns[1].node;
  assert.equal(gemini.isStreaming(node), false);
  node.querySelector('.markdown').setAttribute('aria-busy', 'true');
  assert.equal(gemini.isStreaming(node), true);
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
