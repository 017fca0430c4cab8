import { createRequire } from 'node:module';

let cached: typeof import('node:crypto') | undefined;

/**
 * node:crypto, loaded on first use. Loading it costs ~2.5 ms (it pulls in Node's streams), and
 * the PIN commands import modules that hash only on some paths (issue 15).
 */
export function nodeCrypto(): typeof import('node:crypto') {
  cached ??= createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
  return cached;
}
