/**
 * Remembers every finished answer per (conversation, prompt) so that a
 * regenerated answer, or a second answer shown side by side, can be offered
 * for an A/B choice. Pure: no DOM.
 */

const keyOf = (conversationId, prompt) => `${conversationId ?? ''}\u0000${prompt ?? ''}`;
const same = (a, b) => (a.messageId && b.messageId ? a.messageId === b.messageId : a.text === b.text);

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
    return list.filter((a) => !same(a, answer) && a.text !== answer.text).reverse();
  }
}
