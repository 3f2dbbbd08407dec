/** Picks the adapter for a host: the named sites first, the generic fallback last. */
import * as chatgpt from './chatgpt.js';
import * as claude from './claude.js';
import * as gemini from './gemini.js';
import * as generic from './generic.js';

export const ADAPTERS = [chatgpt, claude, gemini, generic];

/** Returns the adapter module for `hostname`. */
export function adapterFor(hostname) {
  return ADAPTERS.find((a) => a.matches(hostname));
}
