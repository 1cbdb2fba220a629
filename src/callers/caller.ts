import { hash } from 'node:crypto';

/** Who is calling: resolved once per request, before the body is parsed (plugins/use-caller.ts). */
export interface Caller {
  /** The token's name, the JWT's caller claim, or `anonymous:<address>`. Never a token. */
  readonly id: string;
  readonly kind: 'token' | 'jwt' | 'anonymous';
  /** Credits this caller may spend of the server's keys per quota period; null = no quota. */
  readonly creditsPerPeriod: number | null;
  /** A hash of the id: what quota counts and rate shares are keyed by (an id may be an email or an address). */
  readonly key: string;
}

/** A caller's key: 128 bits of SHA-256 of its id. */
export const callerKey = (id: string): string => hash('sha256', `caller:${id}`, 'hex').slice(0, 32);

export const isAnonymous = (c: Caller): boolean => c.kind === 'anonymous';
