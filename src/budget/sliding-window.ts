import { LRUCache } from 'lru-cache';
import { MAX_LIMITER_KEYS } from '../limits.js';

// The shared (Redis) store lives in its own module; re-exported so importers keep this path.
export { RedisSlidingWindow } from './redis-sliding-window.js';

/** One rolling window of a JobsPikr limit (CONTRACT §5: windows are rolling). */
export interface WindowLimit {
  readonly name: 'minute' | 'hour';
  readonly limit: number;
  readonly windowMs: number;
}

/** `used`: calls counted in each window after this take (the admitted one included). */
export type TakeResult = { ok: true; used: number[] } | { ok: false; retryAfterMs: number; used: number[] };

export interface WindowCount {
  used: number;
  /** When the oldest counted call leaves the window (epoch ms), null when none is counted. */
  resetAt: number | null;
}

/** A call this process admitted: when, and the id it carries in every log (so replays never double-count). */
export interface Stamp {
  at: number;
  id: string;
}

/**
 * A sliding log: a call is admitted only if every window still has room over the last `windowMs`.
 * Fixed windows (what rate-limiter-flexible and most libraries offer) admit up to twice the limit
 * across a window boundary, which a rolling upstream answers with 429; hence a log, not a counter.
 */
export interface SlidingWindowStore {
  /** Admit (and count under `id`) a call if every window has room. */
  take(key: string, windows: readonly WindowLimit[], id: string): Promise<TakeResult>;
  /** Admit nothing under `key` for `ms` (the upstream said 429 with Retry-After). */
  block(key: string, ms: number): Promise<void>;
  counts(key: string, windows: readonly WindowLimit[]): Promise<WindowCount[]>;
  /** Take back the call counted under `id` (the upstream did not count it); unknown ids are ignored. */
  remove(key: string, windows: readonly WindowLimit[], id: string): Promise<void>;
  /** Add calls counted elsewhere (ids already present are kept as they are). */
  replay(key: string, window: WindowLimit, stamps: readonly Stamp[]): Promise<void>;
  /** Call `listener` whenever the store is reachable again after a disconnect (it may have lost its data). */
  onReconnect?(listener: () => void): void;
  /** Resolves once the store answers (at start-up the connection may still be opening). */
  ready?(): Promise<void>;
}

const NO_CALLS: { log: Stamp[]; from: number } = { log: [], from: 0 };
/** Expired stamps left at the head of a log before they are cut off in one splice. */
const TRIM_BATCH = 256;

/** In-process sliding log: the whole budget without Redis, and each replica's own record with it. */
export class MemorySlidingWindow {
  // Bounded: a log whose calls have all left its windows is dropped, and past MAX_LIMITER_KEYS keys the
  // least recently used go (random client ids must not grow the heap without end).
  private readonly logs = new LRUCache<string, Map<WindowLimit['name'], Stamp[]>>({ max: MAX_LIMITER_KEYS });
  private readonly blocks = new LRUCache<string, number>({ max: MAX_LIMITER_KEYS });

  /** Keys with calls on record (a bound check for tests and metrics). */
  get size(): number {
    return this.logs.size;
  }

  constructor(private readonly now: () => number = Date.now) {}

  takeSync(key: string, windows: readonly WindowLimit[], id: string): TakeResult {
    const now = this.now();
    const views = windows.map((w) => this.live(key, w, now));
    const used = views.map((v) => v.log.length - v.from);
    const blocked = this.blocks.get(key) ?? 0;
    if (blocked > now) return { ok: false, retryAfterMs: blocked - now, used };
    if (blocked) this.blocks.delete(key);
    let wait = 0;
    windows.forEach((w, i) => {
      const { log, from } = views[i] ?? NO_CALLS;
      const n = used[i] ?? 0;
      if (w.limit <= 0) wait = Math.max(wait, w.windowMs);
      else if (n >= w.limit) wait = Math.max(wait, (log[from + n - w.limit]?.at ?? now) + w.windowMs - now);
    });
    if (wait > 0) return { ok: false, retryAfterMs: wait, used };
    for (const w of windows) this.record(key, w, now, id);
    return { ok: true, used: used.map((n) => n + 1) };
  }

  /** Count a call admitted elsewhere (by the shared store) in this process' own log. */
  record(key: string, w: WindowLimit, at: number, id: string): void {
    let perWindow = this.logs.get(key);
    if (!perWindow) {
      perWindow = new Map();
      this.logs.set(key, perWindow);
    }
    const log = perWindow.get(w.name);
    if (log) log.push({ at, id });
    else perWindow.set(w.name, [{ at, id }]);
  }

  /** Take back the call counted under `id` in every window of `key`. */
  remove(key: string, id: string): void {
    const perWindow = this.logs.get(key);
    if (!perWindow) return;
    for (const [name, log] of perWindow) {
      const i = log.findIndex((s) => s.id === id);
      if (i >= 0) perWindow.set(name, [...log.slice(0, i), ...log.slice(i + 1)]);
    }
  }

  block(key: string, ms: number): void {
    this.blocks.set(key, Math.max(this.blocks.get(key) ?? 0, this.now() + ms));
  }

  /** Milliseconds `key` stays blocked (0 when it is not). */
  blockedFor(key: string): number {
    return Math.max(0, (this.blocks.get(key) ?? 0) - this.now());
  }

  counts(key: string, windows: readonly WindowLimit[]): WindowCount[] {
    const now = this.now();
    return windows.map((w) => {
      const { log, from } = this.live(key, w, now);
      const first = log[from];
      return { used: log.length - from, resetAt: first ? first.at + w.windowMs : null };
    });
  }

  /** Calls of `key` still inside `w`, oldest first. */
  stamps(key: string, w: WindowLimit): readonly Stamp[] {
    const { log, from } = this.live(key, w, this.now());
    return log.slice(from);
  }

  /** Every key with calls or a block on record. */
  keys(): string[] {
    return [...new Set([...this.logs.keys(), ...this.blocks.keys()])];
  }

  /**
   * The log of `key` in `w` and where its calls inside the window start. Calls that left the window are
   * cut off in batches, not one by one: cutting (copying the rest) on every call that expired made each
   * admission cost as much as the window holds (5,000 stamps in an hour window at the contract's rate).
   */
  private live(key: string, w: WindowLimit, now: number): { log: Stamp[]; from: number } {
    const perWindow = this.logs.get(key);
    const log = perWindow?.get(w.name);
    if (!perWindow || !log) return NO_CALLS;
    let from = 0;
    while (from < log.length && (log[from]?.at ?? 0) <= now - w.windowMs) from++;
    if (from === log.length) {
      perWindow.delete(w.name);
      if (perWindow.size === 0) this.logs.delete(key);
      return NO_CALLS;
    }
    if (from < TRIM_BATCH && from * 2 < log.length) return { log, from };
    log.splice(0, from);
    return { log, from: 0 };
  }
}
