import { hash } from 'node:crypto';
import { callerKey, type Caller } from './caller.js';

/** One service token: its caller id, the SHA-256 (hex) of the token, and an optional own quota. */
export interface CallerToken {
  id: string;
  sha256: string;
  creditsPerDay: number | undefined;
}

/**
 * Service tokens by the SHA-256 of the token: the configuration never holds a token, and a lookup by
 * digest leaks nothing by timing about tokens it does not match.
 */
export function createStaticTokens(tokens: readonly CallerToken[], defaultCredits: number | undefined): (token: string) => Caller | undefined {
  const byHash = new Map<string, Caller>(
    tokens.map((t) => [t.sha256, { id: t.id, kind: 'token', creditsPerPeriod: t.creditsPerDay ?? defaultCredits ?? null, key: callerKey(t.id) }]),
  );
  return (token) => (byHash.size === 0 ? undefined : byHash.get(hash('sha256', token, 'hex')));
}
