import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { quotaExceeded, type AppError } from '../errors.js';
import { MAX_CALLERS_REMEMBERED } from '../limits.js';
import type { Caller } from './caller.js';
import { MemoryQuotaStore, RedisQuotaStore, type QuotaStore } from './quota-store.js';

export interface CallerQuotasOptions {
  redis?: Redis | undefined;
  prefix: string;
  periodMs: number;
  logger: Logger;
}

/** Credits held for one operation until its real cost is known. */
export interface Reservation {
  readonly key: string;
  readonly credits: number;
  /** The caller's count with this reservation in it; null when the caller has no quota (nothing was read). */
  readonly used: number | null;
}

export interface CallerStanding {
  id: string;
  creditsUsed: number;
  creditQuota: number | null;
  creditsLeft: number | null;
  /** Epoch ms the period ends; null without a quota. */
  resetsAt: number | null;
}

/**
 * Each caller's credits per period (fixed periods from the epoch: a day period ends at 00:00 UTC).
 * An operation reserves its worst case before anything leaves and is settled to its real cost after,
 * so concurrent operations (on any replica, through Redis) never spend past the quota together.
 * While Redis is unreachable each replica counts on its own (logged): a quota can then be exceeded
 * by up to one quota per replica, and no request is refused for Redis being away.
 */
export class CallerQuotas {
  private readonly shared: QuotaStore | undefined;
  private readonly local = new MemoryQuotaStore();
  /** Each caller's count as this replica last saw it (by quota key, so a new period starts unknown). */
  private readonly seen = new LRUCache<string, number>({ max: MAX_CALLERS_REMEMBERED });
  private warned = false;

  constructor(private readonly o: CallerQuotasOptions) {
    this.shared = o.redis && new RedisQuotaStore(o.redis);
  }

  /** Hold `credits` for this caller, or QUOTA_EXCEEDED (with the seconds until its period ends). */
  async reserve(caller: Caller, credits: number): Promise<Reservation | AppError> {
    const { key, resetsAt } = this.period(caller);
    const limit = caller.creditsPerPeriod;
    if (limit === null) return { key, credits: 0, used: null };
    const r = await this.store((s) => s.reserve(key, credits, limit, this.ttl()));
    this.seen.set(key, r.used);
    if (r.ok) return { key, credits, used: r.used };
    const retryAfter = Math.max(1, Math.ceil((resetsAt - Date.now()) / 1000));
    return quotaExceeded(
      `This operation could spend up to ${credits} credits; caller ${caller.id} has ${Math.max(0, limit - r.used)} of its ${limit} left`,
      retryAfter,
      {
        creditQuota: limit,
        creditsLeft: Math.max(0, limit - r.used),
        estimatedCredits: credits,
      },
    );
  }

  /**
   * The operation spent `charged`: give back what it held beyond that (or add what it spent beyond
   * it). The caller's count after, when known (null: no quota and nothing spent, so nothing was read).
   */
  async settle(r: Reservation, charged: number): Promise<number | null> {
    const delta = charged - r.credits;
    if (delta === 0) return r.used;
    const used = await this.store((s) => s.add(r.key, delta, this.ttl()));
    this.seen.set(r.key, used);
    return used;
  }

  /**
   * Credits left as this replica last saw them (null without a quota): what a response reports
   * without a reservation of its own, so a cache hit costs no Redis round trip. Read once when unknown.
   */
  async creditsLeft(caller: Caller): Promise<number | null> {
    const quota = caller.creditsPerPeriod;
    if (quota === null) return null;
    const { key } = this.period(caller);
    const used = this.shared ? this.seen.get(key) : undefined;
    return Math.max(0, quota - (used ?? (await this.standing(caller)).creditsUsed));
  }

  async standing(caller: Caller): Promise<CallerStanding> {
    const { key, resetsAt } = this.period(caller);
    const used = await this.store((s) => s.get(key));
    this.seen.set(key, used);
    const quota = caller.creditsPerPeriod;
    return {
      id: caller.id,
      creditsUsed: used,
      creditQuota: quota,
      creditsLeft: quota === null ? null : Math.max(0, quota - used),
      resetsAt: quota === null ? null : resetsAt,
    };
  }

  private period(caller: Caller): { key: string; resetsAt: number } {
    const n = Math.floor(Date.now() / this.o.periodMs);
    return { key: `${this.o.prefix}quota:${n}:${caller.key}`, resetsAt: (n + 1) * this.o.periodMs };
  }

  /** Counts outlive their period a little, so a late settle still finds its count. */
  private ttl(): number {
    return this.o.periodMs * 2;
  }

  private async store<T>(f: (s: QuotaStore) => Promise<T>): Promise<T> {
    if (this.shared) {
      try {
        const r = await f(this.shared);
        this.warned = false;
        return r;
      } catch {
        if (!this.warned) this.o.logger.warn('caller quotas: Redis unreachable, counting in this replica until it answers');
        this.warned = true;
      }
    }
    return f(this.local);
  }
}
