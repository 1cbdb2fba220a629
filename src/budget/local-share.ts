import { LRUCache } from 'lru-cache';
import { MAX_LIMITER_KEYS } from '../limits.js';
import type { RateGateOptions } from './rate-limits.js';
import type { MemorySlidingWindow, TakeResult, WindowLimit } from './sliding-window.js';

/** Calls of other replicas the shared log held when this one last looked, assumed in the window until `until`. */
interface Others {
  count: number;
  until: number;
}

/**
 * What a replica needs to go on alone while the shared store is down: its own log (`local`, which it
 * keeps in step with every shared take) and what it last saw the other replicas use.
 */
export class LocalShare {
  private readonly others = new LRUCache<string, Others>({ max: MAX_LIMITER_KEYS });

  constructor(
    private readonly local: MemorySlidingWindow,
    private readonly o: Pick<RateGateOptions, 'downShare'>,
  ) {}

  /** After a shared take: count an admitted call locally, and note what the other replicas hold. */
  observe(key: string, windows: readonly WindowLimit[], r: TakeResult, id: string): void {
    const now = Date.now();
    windows.forEach((w, i) => {
      if (r.ok) this.local.record(key, w, now, id);
      const mine = this.local.stamps(key, w).length;
      this.others.set(`${key}:${w.name}`, { count: Math.max(0, (r.used[i] ?? 0) - mine), until: now + w.windowMs });
    });
  }

  /**
   * Shared store unreachable: this replica's share of each limit, less what it last saw the other
   * replicas use (counted as if they had called at that moment, the latest they can have).
   */
  take(key: string, full: WindowLimit[], id: string): TakeResult {
    const now = Date.now();
    let wait = 0;
    const share = this.o.downShare;
    const windows = full
      .map((w) => ({ ...w, limit: Math.max(1, Math.floor(w.limit * share)) }))
      .map((w) => {
        const seen = this.others.get(`${key}:${w.name}`);
        const active = seen && seen.until > now ? seen.count : 0;
        if (active >= w.limit && seen) wait = Math.max(wait, seen.until - now);
        return { ...w, limit: w.limit - active };
      });
    if (wait > 0) return { ok: false, retryAfterMs: wait, used: [] };
    return this.local.takeSync(key, windows, id);
  }
}
