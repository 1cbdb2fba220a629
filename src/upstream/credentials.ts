import { hash } from 'node:crypto';

/** A JobsPikr key pair. Never logged, never put into an error or a cache key in clear. */
export interface Credentials {
  readonly clientId: string;
  readonly authKey: string;
  /** How the pair is sent upstream: the documented headers, or HTTP Basic. */
  readonly scheme: 'headers' | 'basic';
}

/** Sandbox keys (free) carry `_jp_sandbox_` in their client id (CONTRACT §1). */
export const isSandboxKey = (c: Pick<Credentials, 'clientId'>): boolean => c.clientId.includes('_jp_sandbox_');

const sha = (s: string): string => hash('sha256', s, 'hex').slice(0, 32);

/** A SHA-256 per credentials object, computed once (the server's keys are one object for every request). */
function memo(digestOf: (c: Credentials) => string): (c: Credentials) => string {
  const seen = new WeakMap<Credentials, string>();
  return (c) => {
    let h = seen.get(c);
    if (h === undefined) {
      h = digestOf(c);
      seen.set(c, h);
    }
    return h;
  };
}

/** Identity of the JobsPikr client (budgets, consumed sets and caches are per client id). */
export const clientHash = memo((c) => sha(`client:${c.clientId}`));

/** Identity of the exact key pair (verification state is per pair: a wrong key gets nothing). */
export const keyHash = memo((c) => sha(`key:${c.clientId}\u0000${c.authKey}`));

/** The request headers that authenticate this pair upstream. */
export function authHeaders(c: Credentials): Record<string, string> {
  if (c.scheme === 'basic') {
    return { authorization: `Basic ${Buffer.from(`${c.clientId}:${c.authKey}`).toString('base64')}` };
  }
  return { client_id: c.clientId, client_auth_key: c.authKey };
}
