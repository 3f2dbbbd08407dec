/**
 * Remembers every finished answer per (conversation, prompt) so that a
 * regenerated answer, or a second answer shown side by side, can be offered
 * for an A/B choice. Pure: no DOM.
 */

const keyOf = (conversationId, prompt) => `${conversationId ?? ''}\u0000${prompt ?? ''}`;
const ids = (a) => [a.messageId, ...(a.blockIds ?? [])].filter(Boolean);
// Two readings are the same answer when they share any message id: a turn
// read before its second block appeared is still that turn, never "another
// answer" to compare it with.
const same = (a, b) => {
  const mine = ids(a);
  const theirs = ids(b);
  if (mine.length && theirs.length) return mine.some((id) => theirs.includes(id));
  return a.text === b.text;
};

export class Siblings {
  constructor() {
    this.groups = new Map();
  }

  /** Records a finished answer; an answer seen before is kept once. */
  add(conversationId, prompt, answer) {
    const key = keyOf(conversationId, prompt);
    const list = this.groups.get(key) ?? [];
    const known = list.find((a) => same(a, answer));
    if (known) Object.assign(known, answer);
    else list.push({ ...answer });
    this.groups.set(key, list);
  }

  /** Other answers to the same prompt, newest first, excluding `answer` itself. */
  others(conversationId, prompt, answer) {
    const list = this.groups.get(keyOf(conversationId, prompt)) ?? [];
    return list
      .filter((a) => !same(a, answer) && a.text !== answer.text)
      .filter((a) => !a.text.startsWith(answer.text) && !answer.text.startsWith(a.text))
      .reverse();
  }
}
