import { LRUCache } from 'lru-cache';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

interface Entry {
  value: unknown;
}

export interface CacheOptions {
  maxBytes: number;
  redis?: Redis | undefined;
  prefix: string;
  logger: Logger;
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
 * Two tiers: an lru-cache bounded by bytes in this process, and (when configured) Redis shared by
 * every replica. Keys are built by the caller and never hold a credential in clear.
 */
export class TieredCache {
  private readonly local: LRUCache<string, Entry>;

  constructor(private readonly o: CacheOptions) {
    this.local = new LRUCache<string, Entry>({
      maxSize: o.maxBytes,
      // An estimate of the heap an entry holds, from its strings and fields (see approxBytes).
      sizeCalculation: (e, key) => 64 + key.length * 2 + approxBytes(e.value),
      ttlAutopurge: false,
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    const hit = this.local.get(key);
    if (hit) return hit.value as T;
    if (!this.o.redis) return undefined;
    try {
      const [[, raw], [, ttl]] = (await this.o.redis
        .multi()
        .get(this.o.prefix + key)
        .pttl(this.o.prefix + key)
        .exec()) as [[unknown, string | null], [unknown, number]];
      if (raw === null) return undefined;
      const value = JSON.parse(raw) as T;
      if (ttl > 0) this.local.set(key, { value }, { ttl });
      return value;
    } catch {
      return undefined; // Redis down: a miss, never an error
    }
  }

  async set(key: string, value: unknown, ttlMs: number): Promise<void> {
    if (ttlMs <= 0) return;
    this.local.set(key, { value }, { ttl: ttlMs });
    if (!this.o.redis) return;
    await this.o.redis.set(this.o.prefix + key, JSON.stringify(value), 'PX', ttlMs).catch((e: unknown) => {
      this.o.logger.debug({ err: (e as Error).message }, 'shared cache write failed');
    });
  }

  /** Many entries of one TTL: one pipelined round trip to Redis, not one per entry. */
  async setMany(entries: readonly (readonly [string, unknown])[], ttlMs: number): Promise<void> {
    if (ttlMs <= 0 || entries.length === 0) return;
    for (const [key, value] of entries) this.local.set(key, { value }, { ttl: ttlMs });
    if (!this.o.redis) return;
    const pipeline = this.o.redis.pipeline();
    for (const [key, value] of entries) pipeline.set(this.o.prefix + key, JSON.stringify(value), 'PX', ttlMs);
    await pipeline.exec().catch((e: unknown) => {
      this.o.logger.debug({ err: (e as Error).message }, 'shared cache write failed');
    });
  }

  /** Many keys at once: local first, then one pipelined round trip to Redis for the rest. */
  async getMany<T>(keys: readonly string[]): Promise<(T | undefined)[]> {
    const out: (T | undefined)[] = keys.map((k) => this.local.get(k)?.value as T | undefined);
    const missing = keys.map((_k, i) => (out[i] === undefined ? i : -1)).filter((i) => i >= 0);
    if (!this.o.redis || missing.length === 0) return out;
    try {
      const pipeline = this.o.redis.pipeline();
      for (const i of missing) pipeline.get(this.o.prefix + (keys[i] ?? '')).pttl(this.o.prefix + (keys[i] ?? ''));
      const replies = (await pipeline.exec()) ?? [];
      missing.forEach((i, j) => {
        const raw = replies[2 * j]?.[1];
        const ttl = Number(replies[2 * j + 1]?.[1] ?? 0);
        if (typeof raw !== 'string') return;
        const value = JSON.parse(raw) as T;
        out[i] = value;
        const key = keys[i];
        if (key !== undefined && ttl > 0) this.local.set(key, { value }, { ttl });
      });
    } catch {
      // Redis down: misses
    }
    return out;
  }

  get bytes(): number {
    return this.local.calculatedSize;
  }
}
