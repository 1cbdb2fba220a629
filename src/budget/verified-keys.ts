import type { Redis } from 'ioredis';
import { keyHash, type Credentials } from '../upstream/credentials.js';

export interface VerifiedKeysOptions {
  redis?: Redis | undefined;
  prefix: string;
  /** How long an accepted pair stays trusted without another accepted call. */
  ttlMs: number;
  /** How long this process trusts its own memory before asking Redis again (a peer may have seen a 401). */
  recheckMs: number;
}

/**
 * Key pairs the upstream has accepted: cached or coalesced data goes only to them (SURFACE.md:
 * data cached for one key is never served to a key the upstream has not accepted). Stored by a
 * hash of the exact pair, so a right client id with a wrong key is a different, untrusted pair.
 */
export class VerifiedKeys {
  /** keyHash → until when this process trusts the pair without asking Redis. */
  private readonly local = new Map<string, number>();

  constructor(private readonly o: VerifiedKeysOptions) {}

  /** Has the upstream accepted this pair lately (on this replica or any other)? */
  async has(c: Credentials): Promise<boolean> {
    const kh = keyHash(c);
    const now = Date.now();
    if ((this.local.get(kh) ?? 0) > now) return true;
    this.local.delete(kh);
    if (!this.o.redis) return false;
    const ok = await this.o.redis.exists(this.redisKey(kh)).catch(() => 0);
    if (ok === 1) this.local.set(kh, now + this.localMs());
    return ok === 1;
  }

  /** The upstream answered a call made with this pair. */
  async accept(c: Credentials): Promise<void> {
    const kh = keyHash(c);
    const now = Date.now();
    // Refresh Redis at most once per local period: accepted calls are frequent, the mark long-lived.
    if ((this.local.get(kh) ?? 0) > now + this.localMs() / 2) return;
    this.local.set(kh, now + this.localMs());
    await this.o.redis?.set(this.redisKey(kh), '1', 'PX', this.o.ttlMs).catch(() => undefined);
  }

  /** The upstream refused this pair (401/403): nobody serves it cached data any more. */
  async reject(c: Credentials): Promise<void> {
    const kh = keyHash(c);
    this.local.delete(kh);
    await this.o.redis?.del(this.redisKey(kh)).catch(() => undefined);
  }

  private localMs(): number {
    return this.o.redis ? Math.min(this.o.recheckMs, this.o.ttlMs) : this.o.ttlMs;
  }

  private redisKey(kh: string): string {
    return `${this.o.prefix}verified:${kh}`;
  }
}
