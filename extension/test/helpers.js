/** Test helpers: fixture pages in jsdom, and an in-memory storage area. */
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

/** Loads `fixtures/<name>.html` as if served at `url` (scripts do not run). */
export function fixture(name, url) {
  const html = readFileSync(new URL(`./fixtures/${name}.html`, import.meta.url), 'utf8');
  const dom = new JSDOM(html, { url });
  return { dom, doc: dom.window.document, loc: dom.window.location, window: dom.window };
}

/** A storage area with chrome.storage.local's get/set semantics, kept in memory. */
export class MemoryArea {
  constructor() {
    this.data = new Map();
  }

  async get(keys) {
    const list = typeof keys === 'string' ? [keys] : keys;
    const out = {};
    for (const k of list) if (this.data.has(k)) out[k] = structuredClone(this.data.get(k));
    return out;
  }

  async set(obj) {
    for (const [k, v] of Object.entries(obj)) this.data.set(k, structuredClone(v));
  }
}

/** Plain view of turns, without DOM nodes. */
export const plain = (turns) => turns.map(({ role, messageId, text }) => ({ role, messageId, text }));
