import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics.js';
import { isAppError } from '../errors.js';
import type { Credentials } from '../upstream/credentials.js';
import type { Endpoint } from '../upstream/http.js';
import type { Held } from './cache.js';

export interface RevalidatorOptions {
  redis?: Redis | undefined;
  prefix: string;
  /** The last part of an entry's lifetime (0..1) in which a hit also refreshes it (SWR_WINDOW_RATIO). */
  windowRatio: number;
  metrics: Metrics;
  logger: Logger;
}

export interface RefreshRequest {
  /** The cache key of the entry to refresh. */
  key: string;
  kind: 'expired' | 'aggregate';
  endpoint: Endpoint;
  credentials: Credentials;
  held: Held<unknown>;
  /**
   * Makes the call and writes the cache (the same path a miss takes), in the gate's background lane
   * without waiting: it yields to waiting callers and never takes a window's last slots, else RATE_LIMITED.
   */
  refresh: () => Promise<unknown>;
}

/**
 * stale-while-revalidate for the free endpoints: a hit late in its entry's lifetime is answered at
 * once and refreshed in the background. One refresh per stored version of an entry across replicas:
 * the claim (a Redis SET NX, or this process alone without Redis) is named after the version's store
 * time and lasts until that version's lifetime ends, so a replica still holding the old version in
 * memory finds it claimed and, once it expires there, reads the refreshed one from Redis.
 */
export class Revalidator {
  private readonly claimed = new Map<string, number>();

  constructor(private readonly o: RevalidatorOptions) {}

  /** A hit in the last `windowRatio` of the entry's lifetime. */
  due(held: Held<unknown>, now = Date.now()): boolean {
    if (this.o.windowRatio <= 0) return false;
    const lifetime = held.freshUntil - held.storedAt;
    return now < held.freshUntil && now >= held.freshUntil - lifetime * this.o.windowRatio;
  }

  /** Refresh in the background when due, unclaimed and the budget has room; never throws, never delays the caller. */
  trigger(r: RefreshRequest): void {
    if (!this.due(r.held)) return;
    void this.run(r).catch((e: unknown) => {
      this.o.metrics.refreshes.inc({ cache: r.kind, outcome: 'failed' });
      this.o.logger.debug({ cache: r.kind, err: (e as Error).message }, 'background refresh failed');
    });
  }

  private async run(r: RefreshRequest): Promise<void> {
    const claim = `${r.key}@${r.held.storedAt}`;
    if (!this.claimLocally(claim, r.held.freshUntil)) return; // this process already took it
    if (!(await this.claimShared(claim, r.held.freshUntil))) {
      this.o.metrics.refreshes.inc({ cache: r.kind, outcome: 'skipped_peer' });
      return;
    }
    try {
      await r.refresh();
    } catch (e) {
      if (!(isAppError(e) && e.code === 'RATE_LIMITED')) throw e;
      // No room beyond what callers need: leave the version unclaimed, so a later hit may refresh it.
      this.claimed.delete(claim);
      await this.o.redis?.del(this.sharedClaim(claim)).catch(() => undefined);
      this.o.metrics.refreshes.inc({ cache: r.kind, outcome: 'skipped_budget' });
      return;
    }
    this.o.metrics.refreshes.inc({ cache: r.kind, outcome: 'made' });
  }

  private claimLocally(claim: string, until: number): boolean {
    const now = Date.now();
    for (const [k, t] of this.claimed) if (t <= now) this.claimed.delete(k);
    if (this.claimed.has(claim)) return false;
    this.claimed.set(claim, until);
    return true;
  }

  private async claimShared(claim: string, until: number): Promise<boolean> {
    if (!this.o.redis) return true;
    const ms = Math.max(1, until - Date.now());
    // Redis unreachable: refresh from here (peers may too; the free endpoints cost no credits).
    const got = await this.o.redis.set(this.sharedClaim(claim), '1', 'PX', ms, 'NX').catch(() => 'OK');
    return got === 'OK';
  }

  private sharedClaim(claim: string): string {
    return `${this.o.prefix}swr:${claim}`;
  }
}
