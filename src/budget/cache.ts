import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A cached value with when it was stored and until when it is fresh (epoch ms). */
export interface Held<T> {
  value: T;
  storedAt: number;
  freshUntil: number;
}

interface Entry {
  value: unknown;
  storedAt: number;
  freshUntil: number;
}

export interface CacheOptions {
  maxBytes: number;
  redis?: Redis | undefined;
  prefix: string;
  logger: Logger;
  /** How long an entry is kept past its lifetime for stale-if-error (0 = dropped when it expires). */
  staleMaxAgeMs?: number;
}

/** Sizes of objects already measured: cached values are never mutated, and records are shared by a page and the record cache. */
const measured = new WeakMap<object, number>();

/**
 * Roughly the heap `v` holds: 2 bytes a string character, 16 bytes a field or item, 24 an object.
 * Walking the value reads lengths and copies nothing (JSON.stringify would copy every description).
 */
export function approxBytes(v: unknown): number {
  if (typeof v === 'string') return 16 + v.length * 2;
  if (typeof v !== 'object' || v === null) return 8;
  const known = measured.get(v);
  if (known !== undefined) return known;
  let n = 24;
  if (Array.isArray(v)) {
    for (const x of v) n += 8 + approxBytes(x);
  } else {
    for (const k in v) n += 16 + approxBytes((v as Record<string, unknown>)[k]);
  }
  measured.set(v, n);
  return n;
}

/**
 * Structural equality of JSON-like values. Anything but plain objects, arrays and primitives is unequal
 * unless identical, so a value this cannot see into is never taken for another.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  // for...in over plain objects (checked above: nothing inherited is enumerable), counting the keys:
  // Object.keys would allocate two arrays per object, and a page of records holds hundreds of objects.
  let count = 0;
  for (const k in a) {
    if (!Object.hasOwn(b, k) || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
    count++;
  }
  for (const _ in b) count--;
  return count === 0;
}

/** Under memory pressure, entries past their lifetime are looked for among the fresh ones at most this often. */
const SWEEP_EVERY_MS = 1_000;

const isFresh = (e: { freshUntil: number }, now: number): boolean => now < e.freshUntil;

/**
 * Two tiers: an lru-cache bounded by bytes in this process, and (when configured) Redis shared by
 * every replica. Keys are built by the caller and never hold a credential in clear.
 *
 * An entry outlives its lifetime by `staleMaxAgeMs`, for stale-if-error. In memory the fresh and the
 * stale entries share one byte bound in two LRU segments: an entry moves to the stale segment when it
 * is found past its lifetime (on a read, or by a sweep when space runs short), and space is always
 * taken from the stale segment first. In Redis an entry's PX is its lifetime plus the stale age.
 */
export class TieredCache {
  private readonly fresh: LRUCache<string, Entry>;
  private readonly stale: LRUCache<string, Entry>;
  private readonly staleMs: number;
  private lastSweep = 0;

  constructor(private readonly o: CacheOptions) {
    this.staleMs = o.staleMaxAgeMs ?? 0;
    const segment = () =>
      new LRUCache<string, Entry>({
        maxSize: o.maxBytes,
        // An estimate of the heap an entry holds, from its strings and fields (see approxBytes).
        sizeCalculation: (e, key) => entryBytes(key, e),
        ttlAutopurge: false,
      });
    this.fresh = segment();
    this.stale = segment();
  }

  /** The entry under `key`, fresh or (within the stale age) past its lifetime; undefined when none is held. */
  async entry<T>(key: string): Promise<Held<T> | undefined> {
    const now = Date.now();
    const local = this.localEntry(key, now);
    if (local && isFresh(local, now)) return local as Held<T>;
    if (!this.o.redis) return local as Held<T> | undefined;
    let raw: string | null;
    try {
      raw = await this.o.redis.get(this.o.prefix + key);
    } catch {
      return local as Held<T> | undefined; // Redis down: what this process holds, never an error
    }
    const shared = raw === null ? undefined : this.adopt(key, raw, now);
    if (!shared) return local as Held<T> | undefined;
    return (local && local.storedAt > shared.storedAt ? local : shared) as Held<T>;
  }

  /** The fresh value under `key`, if any. */
  async get<T>(key: string): Promise<T | undefined> {
    const e = await this.entry<T>(key);
    return e && isFresh(e, Date.now()) ? e.value : undefined;
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    const e = this.keep(key, value, ttlMs, Date.now());
    if (!this.o.redis) return;
    await this.o.redis.set(this.o.prefix + key, JSON.stringify(e), 'PX', ttlMs + this.staleMs).catch((err: unknown) => {
      this.o.logger.debug({ err: (err as Error).message }, 'shared cache write failed');
    });
  }

  /** Many entries of one TTL: one pipelined round trip to Redis, not one per entry. */
  async setMany(entries: readonly (readonly [string, unknown])[], ttlMs: number): Promise<void> {
    if (ttlMs <= 0 || entries.length === 0) return;
    const now = Date.now();
    const kept = entries.map(([key, value]) => [key, this.keep(key, value, ttlMs, now)] as const);
    if (!this.o.redis) return;
    const pipeline = this.o.redis.pipeline();
    for (const [key, e] of kept) pipeline.set(this.o.prefix + key, JSON.stringify(e), 'PX', ttlMs + this.staleMs);
    await pipeline.exec().catch((err: unknown) => {
      this.o.logger.debug({ err: (err as Error).message }, 'shared cache write failed');
    });
  }

  /** Fresh values of many keys at once. */
  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    const now = Date.now();
    return (await this.entries<T>(keys)).map((e) => (e && isFresh(e, now) ? e.value : undefined));
  }

  /** Entries (fresh or stale) of many keys: local first, then one pipelined round trip to Redis for the rest. */
  async entries<T>(keys: readonly string[]): Promise<(Held<T> | undefined)[]> {
    const now = Date.now();
    const out = keys.map((k) => this.localEntry(k, now) as Held<T> | undefined);
    const missing = keys.map((_, i) => i).filter((i) => !out[i] || !isFresh(out[i], now));
    if (!this.o.redis || missing.length === 0) return out;
    try {
      const raws = await this.o.redis.mget(missing.map((i) => this.o.prefix + (keys[i] ?? '')));
      missing.forEach((i, j) => {
        const raw = raws[j];
        const key = keys[i];
        if (typeof raw !== 'string' || key === undefined) return;
        const shared = this.adopt(key, raw, now) as Held<T> | undefined;
        const local = out[i];
        if (shared && (!local || shared.storedAt >= local.storedAt)) out[i] = shared;
      });
    } catch {
      // Redis down: what this process holds
    }
    return out;
  }

  /**
   * `value`, or the equal value this process already holds fresh under `key`. Cached values are never
   * mutated, so one object can stand in for its equal: a job bought again (the same job in many
   * searches' pages) is then held once, however many entries name it.
   */
  intern<T>(key: string, value: T): T {
    const e = this.fresh.peek(key);
    return e && isFresh(e, Date.now()) && sameJson(e.value, value) ? (e.value as T) : value;
  }

  /**
   * Whether this process still holds `entry` itself under `key`, fresh: an entry replaced, evicted or
   * past its lifetime is not. Read as a use (it counts as recent for the LRU bound).
   */
  holds(key: string, entry: { readonly freshUntil: number }, now = Date.now()): boolean {
    return this.fresh.get(key) === entry && now < entry.freshUntil;
  }

  /** Estimated bytes held in this process, fresh and stale. */
  get bytes(): number {
    return this.fresh.calculatedSize + this.stale.calculatedSize;
  }

  /** Estimated bytes of entries past their lifetime (found so far) in this process. */
  get staleBytes(): number {
    return this.stale.calculatedSize;
  }

  private localEntry(key: string, now: number): Entry | undefined {
    const e = this.fresh.get(key);
    if (e && !isFresh(e, now)) {
      this.fresh.delete(key);
      this.stale.set(key, e, { ttl: Math.max(1, e.freshUntil + this.staleMs - now) });
      return e;
    }
    return e ?? this.stale.get(key);
  }

  /** Hold `value` in memory as a fresh entry; the stale copy it replaces goes. */
  private keep(key: string, value: unknown, ttlMs: number, now: number): Entry {
    const e: Entry = { value, storedAt: now, freshUntil: now + ttlMs };
    this.stale.delete(key);
    this.fresh.delete(key);
    this.makeRoom(entryBytes(key, e), now);
    this.fresh.set(key, e, { ttl: ttlMs + this.staleMs });
    return e;
  }

  /** A Redis entry taken into memory, in the segment its age puts it in; undefined when unreadable. */
  private adopt(key: string, raw: string, now: number): Entry | undefined {
    let e: Entry;
    try {
      const parsed = JSON.parse(raw) as Partial<Entry>;
      if (typeof parsed.storedAt !== 'number' || typeof parsed.freshUntil !== 'number') return undefined;
      e = { value: parsed.value, storedAt: parsed.storedAt, freshUntil: parsed.freshUntil };
    } catch {
      return undefined;
    }
    const ttl = e.freshUntil + this.staleMs - now;
    if (ttl <= 0) return undefined;
    this.makeRoom(entryBytes(key, e), now);
    if (isFresh(e, now)) {
      this.stale.delete(key);
      this.fresh.set(key, e, { ttl });
    } else if (this.fresh.calculatedSize + this.stale.calculatedSize + entryBytes(key, e) <= this.o.maxBytes) {
      this.stale.set(key, e, { ttl });
    }
    return e;
  }

  /** Free `bytes` from stale entries first; the fresh segment's own LRU bound evicts fresh ones after that. */
  private makeRoom(bytes: number, now: number): void {
    const over = () => this.fresh.calculatedSize + this.stale.calculatedSize + bytes > this.o.maxBytes;
    while (over() && this.stale.size > 0) this.stale.pop();
    if (!over() || now - this.lastSweep < SWEEP_EVERY_MS) return;
    this.lastSweep = now;
    // Entries past their lifetime that nobody read since are still in the fresh segment: demote them.
    const expired: string[] = [];
    this.fresh.rforEach((e, k) => {
      if (!isFresh(e, now)) expired.push(k);
    });
    for (const k of expired) this.localEntry(k, now);
    while (over() && this.stale.size > 0) this.stale.pop();
  }
}

function entryBytes(key: string, e: Entry): number {
  return 64 + key.length * 2 + approxBytes(e.value);
}
