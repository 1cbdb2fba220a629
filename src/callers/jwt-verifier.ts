import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { unauthenticated } from '../errors.js';
import { MAX_VERIFIED_TOKENS, VERIFIED_TOKEN_TTL_MS } from '../limits.js';
import { callerKey, type Caller } from './caller.js';

export interface JwtOptions {
  jwksUrl: string;
  /** Expected `iss` / `aud`; undefined = not checked. */
  issuer: string | undefined;
  audience: string | undefined;
  callerClaim: string;
  quotaClaim: string;
  cacheMs: number;
  cooldownMs: number;
  timeoutMs: number;
}

/** Asymmetric algorithms only: a JWKS holds public keys, and `none` or an HMAC over a public key is never a signature. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/** A compact JWS: three base64url parts. */
export const looksLikeJwt = (token: string): boolean => /^[\w-]+\.[\w-]+\.[\w-]*$/.test(token);

/**
 * Verifies caller JWTs against the issuer's JWKS, fetched over HTTP and cached by jose (refetched
 * after `cacheMs`, or sooner for an unknown `kid`, but never twice within `cooldownMs`). Any failure,
 * the key set unreachable included, is UNAUTHENTICATED: a token is never taken as anonymous.
 * A verified token is remembered (by its SHA-256) until it expires, at most VERIFIED_TOKEN_TTL_MS:
 * a gateway forwards the same user token with every request, and one RS256 check costs about a
 * third of a cached search's CPU. A key removed from the JWKS is honoured within that bound.
 */
export function createJwtVerifier(c: JwtOptions, defaultCredits: number | undefined): (token: string) => Promise<Caller> {
  const jwks = createRemoteJWKSet(new URL(c.jwksUrl), { cacheMaxAge: c.cacheMs, cooldownDuration: c.cooldownMs, timeoutDuration: c.timeoutMs });
  const options = { algorithms: ALGORITHMS, ...(c.issuer && { issuer: c.issuer }), ...(c.audience && { audience: c.audience }) };
  const verified = new LRUCache<string, Caller>({ max: MAX_VERIFIED_TOKENS, ttl: VERIFIED_TOKEN_TTL_MS });
  return async (token) => {
    const digest = createHash('sha256').update(token).digest('hex');
    const known = verified.get(digest);
    if (known) return known;
    let payload: Record<string, unknown>;
    try {
      payload = (await jwtVerify(token, jwks, options)).payload;
    } catch (e) {
      if (e instanceof errors.JWTExpired) throw unauthenticated('The caller token has expired');
      if (e instanceof errors.JWKSTimeout || (e instanceof Error && !(e instanceof errors.JOSEError))) {
        throw unauthenticated('The caller token could not be verified now (the key set did not answer); retry shortly');
      }
      throw unauthenticated('The caller token is not valid');
    }
    const id = payload[c.callerClaim];
    if ((typeof id !== 'string' || id.length === 0 || id.length > 256) && typeof id !== 'number') {
      throw unauthenticated(`The caller token has no ${c.callerClaim} claim`);
    }
    const quota = payload[c.quotaClaim];
    if (quota !== undefined && !(Number.isSafeInteger(quota) && (quota as number) >= 0)) {
      throw unauthenticated(`The caller token's ${c.quotaClaim} claim is not a whole number of credits`);
    }
    const caller: Caller = {
      id: String(id),
      kind: 'jwt',
      creditsPerPeriod: (quota as number | undefined) ?? defaultCredits ?? null,
      key: callerKey(String(id)),
    };
    const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, typeof payload.exp === 'number' ? payload.exp * 1000 - Date.now() : VERIFIED_TOKEN_TTL_MS);
    if (ttl > 0) verified.set(digest, caller, { ttl });
    return caller;
  };
}
