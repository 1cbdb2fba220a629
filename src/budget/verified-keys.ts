import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { MAX_VERIFIED_PAIRS } from '../limits.js';
import { clientHash, keyHash, type Credentials } from '../upstream/credentials.js';

export interface VerifiedKeysOptions {
  redis?: Redis | undefined;
  prefix: string;
  /** How long an accepted pair stays trusted without another accepted call. */
  ttlMs: number;
  /** How long this process trusts its own memory before asking Redis again (a peer may have seen a 401). */
  recheckMs: number;
}

// KEYS[1]: the client id's set of accepted pairs. ARGV: pair, ttl, mark prefix. The pair becomes the
// id's only trusted one: the marks of the others go (a new key was accepted: the old ones are rotated out).
const ACCEPT = `for _, kh in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if kh ~= ARGV[1] then redis.call('DEL', ARGV[3] .. kh) redis.call('SREM', KEYS[1], kh) end
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('SET', ARGV[3] .. ARGV[1], '1', 'PX', ARGV[2])
return 1`;

// A pair that was accepted is refused now: every pair of the id loses trust (keys are being revoked).
// A pair never accepted (a wrong key) ends only its own mark, so it cannot knock the tenant off its cache.
const REJECT = `if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then
  for _, kh in ipairs(redis.call('SMEMBERS', KEYS[1])) do redis.call('DEL', ARGV[2] .. kh) end
  redis.call('DEL', KEYS[1])
end
redis.call('DEL', ARGV[2] .. ARGV[1])
return 1`;

/**
 * Key pairs the upstream has accepted: cached or coalesced data goes only to them (SURFACE.md:
 * data cached for one key is never served to a key the upstream has not accepted). Stored by a
 * hash of the exact pair, so a right client id with a wrong key is a different, untrusted pair.
 * One client id trusts one pair at a time: accepting a new pair (a key rotation) ends trust in the
 * old one at once, and a 401 for an accepted pair ends trust in every pair of its id.
 */
export class VerifiedKeys {
  /** keyHash → until when this process trusts the pair without asking Redis. */
  private readonly local = new LRUCache<string, number>({ max: MAX_VERIFIED_PAIRS });
  /** clientHash → the pairs of that id this process trusts. */
  private readonly byClient = new LRUCache<string, Set<string>>({ max: MAX_VERIFIED_PAIRS });

  constructor(private readonly o: VerifiedKeysOptions) {}

  /** Has the upstream accepted this pair lately (on this replica or any other)? */
  async has(c: Credentials): Promise<boolean> {
    const kh = keyHash(c);
    const now = Date.now();
    if ((this.local.get(kh) ?? 0) > now) return true;
    this.local.delete(kh);
    if (!this.o.redis) return false;
    const ok = await this.o.redis.exists(this.markKey(kh)).catch(() => 0);
    if (ok === 1) this.trustLocally(c, kh, now);
    return ok === 1;
  }

  /** The upstream answered a call made with this pair. */
  async accept(c: Credentials): Promise<void> {
    const kh = keyHash(c);
    const now = Date.now();
    // Refresh Redis at most once per local period: accepted calls are frequent, the mark long-lived.
    if ((this.local.get(kh) ?? 0) > now + this.localMs() / 2) return;
    this.trustLocally(c, kh, now);
    await this.o.redis?.eval(ACCEPT, 1, this.clientKey(clientHash(c)), kh, String(this.o.ttlMs), this.markKey('')).catch(() => undefined);
  }

  /** The upstream refused this pair (401/403): nobody serves it cached data any more. */
  async reject(c: Credentials): Promise<void> {
    const kh = keyHash(c);
    const ch = clientHash(c);
    const pairs = this.byClient.get(ch);
    if (pairs?.has(kh)) {
      for (const other of pairs) this.local.delete(other);
      this.byClient.delete(ch);
    }
    this.local.delete(kh);
    await this.o.redis?.eval(REJECT, 1, this.clientKey(ch), kh, this.markKey('')).catch(() => undefined);
  }

  /** Trust `kh` here; any other pair of its client id is trusted no more. */
  private trustLocally(c: Credentials, kh: string, now: number): void {
    const ch = clientHash(c);
    for (const other of this.byClient.get(ch) ?? []) if (other !== kh) this.local.delete(other);
    this.byClient.set(ch, new Set([kh]));
    this.local.set(kh, now + this.localMs());
  }

  private localMs(): number {
    return this.o.redis ? Math.min(this.o.recheckMs, this.o.ttlMs) : this.o.ttlMs;
  }

  private markKey(kh: string): string {
    return `${this.o.prefix}verified:${kh}`;
  }

  private clientKey(ch: string): string {
    return `${this.o.prefix}verified-ids:${ch}`;
  }
}
