import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** Where callers' spend per period is counted: one count per caller and period. */
export interface QuotaStore {
  /** Add `credits` unless that takes the count past `limit` (atomic); the count after (or as it stands). */
  reserve(key: string, credits: number, limit: number, ttlMs: number): Promise<{ ok: boolean; used: number }>;
  /** Add `delta` (negative: a refund), never below 0; the count after. */
  add(key: string, delta: number, ttlMs: number): Promise<number>;
  get(key: string): Promise<number>;
}

// Check and add in one script: two replicas reserving at once cannot both pass on the same balance.
const RESERVE = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local n = tonumber(ARGV[1])
if used + n > tonumber(ARGV[2]) then return {0, used} end
if n > 0 then
  used = redis.call('INCRBY', KEYS[1], n)
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return {1, used}`;

const ADD = `
local used = redis.call('INCRBY', KEYS[1], ARGV[1])
if used < 0 then redis.call('SET', KEYS[1], 0); used = 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return used`;

const sha1 = (script: string): string => createHash('sha1').update(script).digest('hex');
const SHA = { reserve: sha1(RESERVE), add: sha1(ADD) };

/** The count in Redis, shared by every replica. Keys hold a hash of the caller id, never the id. */
export class RedisQuotaStore implements QuotaStore {
  constructor(private readonly redis: Redis) {}

  async reserve(key: string, credits: number, limit: number, ttlMs: number): Promise<{ ok: boolean; used: number }> {
    const [ok, used] = ((await this.run(RESERVE, SHA.reserve, key, String(credits), String(limit), String(ttlMs))) as unknown[]).map(Number);
    return { ok: ok === 1, used: used ?? 0 };
  }

  async add(key: string, delta: number, ttlMs: number): Promise<number> {
    return Number(await this.run(ADD, SHA.add, key, String(delta), String(ttlMs)));
  }

  /** By digest (the script is not sent on every call); sent once when this Redis does not know it yet. */
  private async run(script: string, sha: string, key: string, ...args: string[]): Promise<unknown> {
    try {
      return await this.redis.evalsha(sha, 1, key, ...args);
    } catch (e) {
      if (!(e instanceof Error && e.message.startsWith('NOSCRIPT'))) throw e;
      return this.redis.eval(script, 1, key, ...args);
    }
  }

  async get(key: string): Promise<number> {
    return Number((await this.redis.get(key)) ?? 0);
  }
}

/** The count in this process; entries go when their period is over. */
export class MemoryQuotaStore implements QuotaStore {
  private readonly counts = new Map<string, { used: number; expiresAt: number }>();
  private nextSweep = 0;

  reserve(key: string, credits: number, limit: number, ttlMs: number): Promise<{ ok: boolean; used: number }> {
    const used = this.peek(key);
    if (used + credits > limit) return Promise.resolve({ ok: false, used });
    // Nothing held, nothing stored: a caller that only asks free questions leaves no entry.
    if (credits === 0) return Promise.resolve({ ok: true, used });
    return Promise.resolve({ ok: true, used: this.put(key, used + credits, ttlMs) });
  }

  add(key: string, delta: number, ttlMs: number): Promise<number> {
    return Promise.resolve(this.put(key, Math.max(0, this.peek(key) + delta), ttlMs));
  }

  get(key: string): Promise<number> {
    return Promise.resolve(this.peek(key));
  }

  private peek(key: string): number {
    const e = this.counts.get(key);
    return e && e.expiresAt > Date.now() ? e.used : 0;
  }

  private put(key: string, used: number, ttlMs: number): number {
    const now = Date.now();
    if (now >= this.nextSweep) {
      for (const [k, e] of this.counts) if (e.expiresAt <= now) this.counts.delete(k);
      this.nextSweep = now + ttlMs;
    }
    this.counts.set(key, { used, expiresAt: now + ttlMs });
    return used;
  }
}
