import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  lookupRequest,
  type AggregateRequest,
  type AggregateResult,
  type ExpiredRequest,
  type Page,
} from '../upstream/adapters.js';
import type { JobsPikrClient } from '../upstream/client.js';
import { clientHash, keyHash, type Credentials } from '../upstream/credentials.js';
import { isAppError } from '../upstream/errors.js';
import { buildQuery, searchOptions, type NormalizedFilter } from '../upstream/query-dsl.js';
import type { AggregateBucket, ExpiredRecord, JobRecord } from '../upstream/records.js';
import type { Metrics } from '../metrics.js';
import type { TieredCache } from './cache.js';
import { digest } from './keys.js';
import { servePage, type CachedPage } from './paging.js';
import type { RateGate } from './rate-gate.js';
import { SingleFlight } from './single-flight.js';
import type { OperationUsage } from './usage.js';

export interface Ttls {
  searchMs: number;
  aggregateMs: number;
  expiredMs: number;
  recordMs: number;
}

export interface JobsServiceOptions {
  client: JobsPikrClient;
  cache: TieredCache;
  gate: RateGate;
  ttl: Ttls;
  logger: Logger;
  metrics: Metrics;
  redis?: Redis | undefined;
  prefix: string;
  /** How long a replica waits for another replica's identical call before making its own. */
  peerWaitMs: number;
}

/** One operation's view: whose keys, its cancel signal, its usage counters. */
export interface OpContext {
  credentials: Credentials;
  signal?: AbortSignal | undefined;
  usage: OperationUsage;
}

interface Fetched<T> {
  value: T;
  /** Records the upstream charged for this value (0 for free endpoints). */
  records: number;
}

/**
 * The budget-aware JobsPikr API the schema reads: cache, then single-flight (in process and across
 * replicas), then the limiter-guarded client. Cached data is served only under a key pair the
 * upstream has accepted; caches are scoped by a hash of the client id.
 */
export class JobsService {
  private readonly flight = new SingleFlight();
  private readonly verified = new Set<string>();
  private readonly creditsUsed = new Map<string, number>();
  private readonly creditsLeft = new Map<string, number>();

  constructor(private readonly o: JobsServiceOptions) {}

  async search(filter: NormalizedFilter, size: number, cursor: string | null, op: OpContext): Promise<Page<JobRecord>> {
    const request = { query: buildQuery(filter), ...searchOptions(filter), cursor };
    const key = `search:${clientHash(op.credentials)}:${digest(request)}`;
    return this.paged(key, size, this.o.ttl.searchMs, op, 'search', async () => {
      const page = await this.o.client.search({ ...request, size }, op);
      this.note(op, page.creditsRemaining);
      await this.rememberRecords(op, page.records);
      const { report: _r, ...plain } = page;
      return { value: plain, records: page.received };
    });
  }

  async expired(req: Omit<ExpiredRequest, 'size'>, size: number, op: OpContext): Promise<Page<ExpiredRecord>> {
    const key = `expired:${clientHash(op.credentials)}:${digest(req)}`;
    return this.paged(key, size, this.o.ttl.expiredMs, op, 'expired', async () => {
      const page = await this.o.client.expired({ ...req, size }, op);
      this.note(op, page.creditsRemaining);
      const { report: _r, ...plain } = page;
      return { value: plain, records: 0 };
    });
  }

  async aggregate(req: AggregateRequest, op: OpContext): Promise<AggregateResult> {
    const { size, ...shape } = req;
    const key = `aggregate:${clientHash(op.credentials)}:${digest(shape)}`;
    const cached = (await this.readable(op)) ? await this.o.cache.get<{ size: number; result: AggregateResult }>(key) : undefined;
    if (cached && cached.size >= size) {
      this.o.metrics.cacheLookups.inc({ cache: 'aggregate', result: 'hit' });
      return { ...cached.result, buckets: topBuckets(cached.result.buckets, size) };
    }
    const result = await this.fetch(key, op, 'aggregate', async () => {
      const r = await this.o.client.aggregate(req, op);
      this.note(op, null);
      const { report: _r, ...plain } = r;
      return { value: plain, records: 0 };
    });
    await this.o.cache.set(key, { size, result }, this.o.ttl.aggregateMs);
    return result;
  }

  /** Jobs by uniq_id (≤ 100): the record cache first, then one upstream `terms` call for the rest. */
  async lookup(ids: readonly string[], op: OpContext): Promise<Map<string, JobRecord>> {
    const found = new Map<string, JobRecord>();
    const ch = clientHash(op.credentials);
    if (await this.readable(op)) {
      const hits = await this.o.cache.getMany<JobRecord>(ids.map((id) => `record:${ch}:${id}`));
      hits.forEach((r, i) => r && found.set(ids[i] ?? r.uniqId, r));
      op.usage.saved(found.size);
      if (found.size) this.o.metrics.cacheLookups.inc({ cache: 'record', result: 'hit' }, found.size);
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    this.o.metrics.cacheLookups.inc({ cache: 'record', result: 'miss' }, missing.length);
    const sorted = [...missing].sort();
    const records = await this.fetch(`lookup:${ch}:${digest(sorted)}`, op, 'lookup', async () => {
      const page = await this.o.client.search(lookupRequest(sorted), op);
      this.note(op, page.creditsRemaining);
      await this.rememberRecords(op, page.records);
      return { value: page.records, records: page.received };
    });
    for (const r of records) if (missing.includes(r.uniqId)) found.set(r.uniqId, r);
    return found;
  }

  /** Credits this deployment spent under the client, and the last balance JobsPikr reported. */
  async credits(c: Credentials): Promise<{ used: number; remaining: number | null }> {
    const ch = clientHash(c);
    if (this.o.redis) {
      try {
        const [used, left] = await this.o.redis.mget(`${this.o.prefix}credits:used:${ch}`, `${this.o.prefix}credits:left:${ch}`);
        return { used: Number(used ?? 0), remaining: left === null || left === undefined ? null : Number(left) };
      } catch {
        // fall through to what this process knows
      }
    }
    return { used: this.creditsUsed.get(ch) ?? 0, remaining: this.creditsLeft.get(ch) ?? null };
  }

  /** A cached or coalesced page when one serves this size exactly; else one upstream call. */
  private async paged<T extends { cursor: string | null }>(
    key: string,
    size: number,
    ttlMs: number,
    op: OpContext,
    kind: string,
    fetch: () => Promise<Fetched<Page<T>>>,
  ): Promise<Page<T>> {
    if (await this.readable(op)) {
      const cached = await this.o.cache.get<CachedPage<T>>(key);
      const served = cached && servePage(cached, size);
      if (served) {
        this.o.metrics.cacheLookups.inc({ cache: kind, result: 'hit' });
        op.usage.saved(kind === 'search' ? served.received : 0);
        return served;
      }
    }
    this.o.metrics.cacheLookups.inc({ cache: kind, result: 'miss' });
    const page = await this.fetch(`${key}:${size}`, op, kind, fetch);
    await this.o.cache.set(key, { size, page } satisfies CachedPage<T>, ttlMs);
    return page;
  }

  /**
   * Make the call once for everyone asking the same thing now: callers in this process join one
   * promise; other replicas wait on a Redis lock and read the result the lock holder cached.
   * A key pair the upstream has not accepted yet joins nobody: its first call proves it.
   */
  private async fetch<T>(key: string, op: OpContext, kind: string, call: () => Promise<Fetched<T>>): Promise<T> {
    const counted = async (): Promise<Fetched<T>> => {
      op.usage.upstreamCalls++;
      try {
        const r = await call();
        this.verified.add(keyHash(op.credentials));
        this.charge(op, r.records);
        return r;
      } catch (e) {
        if (isAppError(e) && e.code === 'UNAUTHENTICATED') this.verified.delete(keyHash(op.credentials));
        throw e;
      }
    };
    if (!(await this.readable(op))) return (await counted()).value;
    const { value, joined } = await this.flight.run(`flight:${key}`, () => this.acrossReplicas(key, counted));
    if (joined || value.records < 0) {
      this.o.metrics.cacheLookups.inc({ cache: kind, result: 'coalesced' });
      op.usage.saved(Math.abs(value.records));
    }
    return value.value;
  }

  private async acrossReplicas<T>(key: string, call: () => Promise<Fetched<T>>): Promise<Fetched<T>> {
    const redis = this.o.redis;
    if (!redis) return call();
    const lock = `${this.o.prefix}lock:${key}`;
    const result = `flight:${key}`;
    const got = await redis.set(lock, '1', 'PX', this.o.peerWaitMs, 'NX').catch(() => 'OK');
    if (got !== 'OK') {
      const giveUp = Date.now() + this.o.peerWaitMs;
      while (Date.now() < giveUp) {
        await sleep(20);
        const peer = await this.o.cache.get<Fetched<T>>(result);
        // Negative records: served by a peer, so nothing was charged here.
        if (peer) return { value: peer.value, records: -Math.abs(peer.records) || -0 };
        if (!(await redis.exists(lock).catch(() => 0))) break;
      }
    }
    try {
      const r = await call();
      await this.o.cache.set(result, r, Math.min(this.o.peerWaitMs, 5_000));
      return r;
    } finally {
      await redis.del(lock).catch(() => 0);
    }
  }

  /** Cached data goes only to a key pair the upstream has accepted (here or on any replica). */
  private async readable(op: OpContext): Promise<boolean> {
    const kh = keyHash(op.credentials);
    if (this.verified.has(kh)) return true;
    if (!this.o.redis) return false;
    const ok = await this.o.redis.exists(`${this.o.prefix}verified:${kh}`).catch(() => 0);
    if (ok) this.verified.add(kh);
    return ok === 1;
  }

  private charge(op: OpContext, records: number): void {
    const kh = keyHash(op.credentials);
    if (this.o.redis) void this.o.redis.set(`${this.o.prefix}verified:${kh}`, '1', 'EX', 3600).catch(() => 0);
    const cost = op.usage.charged(Math.max(0, records));
    if (cost === 0) return;
    const ch = clientHash(op.credentials);
    this.creditsUsed.set(ch, (this.creditsUsed.get(ch) ?? 0) + cost);
    this.o.metrics.creditsCharged.inc(cost);
    if (this.o.redis) void this.o.redis.incrby(`${this.o.prefix}credits:used:${ch}`, cost).catch(() => 0);
  }

  private note(op: OpContext, creditsRemaining: number | null): void {
    if (creditsRemaining === null) return;
    op.usage.creditsRemaining = creditsRemaining;
    const ch = clientHash(op.credentials);
    this.creditsLeft.set(ch, creditsRemaining);
    if (this.o.redis) void this.o.redis.set(`${this.o.prefix}credits:left:${ch}`, String(creditsRemaining)).catch(() => 0);
  }

  /** Every record bought fills the record cache, so it is never bought again while fresh. */
  private async rememberRecords(op: OpContext, records: readonly JobRecord[]): Promise<void> {
    const ch = clientHash(op.credentials);
    await Promise.all(records.map((r) => this.o.cache.set(`record:${ch}:${r.uniqId}`, r, this.o.ttl.recordMs)));
  }
}

function topBuckets(buckets: readonly AggregateBucket[], size: number): AggregateBucket[] {
  return buckets.slice(0, size).map((b) => ({ ...b, buckets: topBuckets(b.buckets, size) }));
}
