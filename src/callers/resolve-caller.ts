import { LRUCache } from 'lru-cache';
import { unauthenticated } from '../errors.js';
import { MAX_CALLER_TOKEN_LENGTH } from '../limits.js';
import { callerKey, type Caller } from './caller.js';
import { clientAddress } from './client-address.js';
import { createJwtVerifier, looksLikeJwt, type JwtOptions } from './jwt-verifier.js';
import { createStaticTokens, type CallerToken } from './static-tokens.js';

export interface CallerOptions {
  tokens: CallerToken[];
  /** undefined = no JWTs accepted. */
  jwt: JwtOptions | undefined;
  required: boolean;
  trustProxy: boolean;
  /** Credits per period of an identified caller without its own quota; undefined = no quota. */
  creditsPerDay: number | undefined;
  anonymousCreditsPerDay: number | undefined;
}

/** Anonymous callers kept resolved (about 200 bytes each). */
const ANONYMOUS_CALLERS_KEPT = 4096;

export type ResolveCaller = (headers: Headers, serverContext: unknown) => Caller | null | Promise<Caller | null>;

/**
 * `Authorization: Bearer <token>` names the caller: a service token first, else a JWT. HTTP Basic is
 * the caller's own JobsPikr keys (request-credentials.ts), so it names nobody. Without a bearer token
 * the caller is its address, unless AUTH_REQUIRED; a bearer token that does not verify is refused.
 * null: nothing identifies the request (no token and no address: an in-process `yoga.fetch`).
 */
export function createCallerResolver(c: CallerOptions): ResolveCaller {
  const token = createStaticTokens(c.tokens, c.creditsPerDay);
  const jwt = c.jwt && createJwtVerifier(c.jwt, c.creditsPerDay);
  const anonymous = c.anonymousCreditsPerDay ?? null;
  // An address's caller is the same on every request (and read-only): its key is hashed once, for the most recent addresses.
  const anonymousCallers = new LRUCache<string, Caller>({ max: ANONYMOUS_CALLERS_KEPT });
  return (headers, serverContext) => {
    const auth = headers.get('authorization');
    if (auth && /^bearer\s/i.test(auth)) {
      const t = auth.slice(7).trim();
      if (t.length === 0 || t.length > MAX_CALLER_TOKEN_LENGTH) throw unauthenticated('The caller token is not valid');
      const known = token(t);
      if (known) return known;
      if (jwt && looksLikeJwt(t)) return jwt(t);
      throw unauthenticated('The caller token is not valid');
    }
    if (c.required) throw unauthenticated('This server needs a caller token: send Authorization: Bearer <token>');
    const address = clientAddress(headers, serverContext, c.trustProxy);
    if (address === undefined) return null;
    let caller = anonymousCallers.get(address);
    if (!caller) {
      const id = `anonymous:${address}`;
      caller = { id, kind: 'anonymous', creditsPerPeriod: anonymous, key: callerKey(id) };
      anonymousCallers.set(address, caller);
    }
    return caller;
  };
}
