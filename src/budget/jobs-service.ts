import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { lookupRequest, type AggregateRequest, type AggregateResult, type ExpiredRequest, type Page } from '../upstream/adapters.js';
import type { JobsPikrClient } from '../upstream/client.js';
import { clientHash, keyHash, type Credentials } from '../upstream/credentials.js';
import { isAppError } from '../upstream/errors.js';
import { buildQuery, searchOptions, type NormalizedFilter } from '../upstream/query-dsl.js';
import type { AggregateBucket, ExpiredRecord, JobRecord } from '../upstream/records.js';
import type { Metrics } from '../metrics.js';
import type { TieredCache } from './cache.js';
import { digest } from './keys.js';
import { restOfPage, servePage, type CachedPage } from './paging.js';
import { PeerFlight } from './peer-flight.js';
import type { RateGate } from './rate-gate.js';
import { SingleFlight } from './single-flight.js';
import type { OperationUsage } from './usage.js';
import { VerifiedKeys } from './verified-keys.js';

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
  /** Accepted key pairs: trusted this long, re-read from Redis this often. */
  verified: { ttlMs: number; recheckMs: number };
  /** Cross-replica single-flight: how often a waiting peer looks, how long a result stays. */
  peer: { pollMs: number; resultTtlMs: number };
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

/** A fetch's outcome for one caller: whether someone else (in this process or a peer) made the call. */
interface Outcome<T> {
  fetched: Fetched<T>;
  byPeer: boolean;
}

type Call<T> = (signal: AbortSignal) => Promise<Fetched<T>>;

interface CachedAggregate {
  size: number;
  /** Every level held fewer buckets than asked: the result answers any `limit`. */
  complete: boolean;
  result: AggregateResult;
}

/**
 * The budget-aware JobsPikr API the schema reads: cache, then single-flight (in process and across
 * replicas), then the limiter-guarded client. Caches are scoped by a hash of the client id; cached
 * or coalesced data is served only under a key pair the upstream has accepted.
 */
export class JobsService {
  private readonly flight = new SingleFlight();
  private readonly peers: PeerFlight | undefined;
  private readonly keys: VerifiedKeys;
  private readonly creditsUsed = new Map<string, number>();
  private readonly creditsLeft = new Map<string, number>();
  /** Per client: a token replaced whenever it receives records (see consumedVersion). */
  private readonly consumed = new Map<string, string>();

  constructor(private readonly o: JobsServiceOptions) {
    this.peers = o.redis && new PeerFlight({ redis: o.redis, prefix: o.prefix, waitMs: o.peerWaitMs, ...o.peer });
    this.keys = new VerifiedKeys({ redis: o.redis, prefix: o.prefix, ...o.verified });
  }

  async search(filter: NormalizedFilter, size: number, cursor: string | null, op: OpContext): Promise<Page<JobRecord>> {
    const request = { query: buildQuery(filter), ...searchOptions(filter), cursor };
    const keyAt = (at: string | null) => `search:${clientHash(op.credentials)}:${digest({ ...request, cursor: at })}`;
    return this.paged(keyAt, cursor, size, this.o.ttl.searchMs, op, 'search', async (signal) => {
      const page = await this.o.client.search({ ...request, size }, { credentials: op.credentials, signal });
      await this.note(op, page.creditsRemaining);
      await this.rememberRecords(op, page.records);
      const { report: _r, ...plain } = page;
      return { value: plain, records: page.received };
    });
  }

  async expired(req: Omit<ExpiredRequest, 'size'>, size: number, op: OpContext): Promise<Page<ExpiredRecord>> {
    const ch = clientHash(op.credentials);
    // The list is of jobs this client has consumed: one cached before it consumed more is stale.
    const version = await this.consumedVersion(ch);
    const keyAt = (at: string | null | undefined) => `expired:${ch}:${version}:${digest({ ...req, cursor: at })}`;
    return this.paged(keyAt, req.cursor ?? null, size, this.o.ttl.expiredMs, op, 'expired', async (signal) => {
      const page = await this.o.client.expired({ ...req, size }, { credentials: op.credentials, signal });
      await this.note(op, page.creditsRemaining);
      const { report: _r, ...plain } = page;
      return { value: plain, records: 0 };
    });
  }

  /** Counts: a cached result with at least as many buckets serves any smaller `limit`. */
  async aggregate(req: AggregateRequest, op: OpContext): Promise<AggregateResult> {
    const { size, ...shape } = req;
    const key = `aggregate:${clientHash(op.credentials)}:${digest(shape)}`;
    const trusted = await this.keys.has(op.credentials);
    if (trusted) {
      const cached = await this.o.cache.get<CachedAggregate>(key);
      if (cached && (cached.complete || cached.size >= size)) {
        this.o.metrics.cacheLookups.inc({ cache: 'aggregate', result: 'hit' });
        return { ...cached.result, buckets: topBuckets(cached.result.buckets, size) };
      }
    }
    this.o.metrics.cacheLookups.inc({ cache: 'aggregate', result: 'miss' });
    const call: Call<AggregateResult> = async (signal) => {
      const r = await this.o.client.aggregate(req, { credentials: op.credentials, signal });
      const { report: _r, ...plain } = r;
      return { value: plain, records: 0 };
    };
    return this.fetch(`${key}:${size}`, op, trusted, 'aggregate', call, async ({ value }) => {
      const prev = await this.o.cache.get<CachedAggregate>(key);
      if (prev && (prev.complete || prev.size > size)) return;
      const complete = value.dropped === 0 && isComplete(value.buckets, size);
      await this.o.cache.set(key, { size, complete, result: value } satisfies CachedAggregate, this.o.ttl.aggregateMs);
    });
  }

  /** Jobs by uniq_id (≤ 100): the record cache first, then one upstream `terms` call for the rest. */
  async lookup(ids: readonly string[], op: OpContext): Promise<Map<string, JobRecord>> {
    const found = new Map<string, JobRecord>();
    const ch = clientHash(op.credentials);
    const trusted = await this.keys.has(op.credentials);
    if (trusted) {
      const hits = await this.o.cache.getMany<JobRecord>(ids.map((id) => `record:${ch}:${id}`));
      hits.forEach((r, i) => r && found.set(ids[i] ?? r.uniqId, r));
      op.usage.saved(found.size);
      if (found.size) this.o.metrics.cacheLookups.inc({ cache: 'record', result: 'hit' }, found.size);
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length === 0) return found;
    this.o.metrics.cacheLookups.inc({ cache: 'record', result: 'miss' }, missing.length);
    const sorted = [...new Set(missing)].sort();
    const records = await this.fetch(`lookup:${ch}:${digest(sorted)}`, op, trusted, 'lookup', async (signal) => {
      const page = await this.o.client.search(lookupRequest(sorted), { credentials: op.credentials, signal });
      await this.note(op, page.creditsRemaining);
      await this.rememberRecords(op, page.records);
      return { value: page.records, records: page.received };
    });
    const wanted = new Set(missing);
    for (const r of records) if (wanted.has(r.uniqId)) found.set(r.uniqId, r);
    return found;
  }

  /** Credits this deployment spent under the client, and the last balance JobsPikr reported (accepted pairs only). */
  async credits(c: Credentials): Promise<{ used: number; remaining: number | null }> {
    // The ledger is the client's business: a pair the upstream has not accepted learns nothing of it.
    if (!(await this.keys.has(c))) return { used: 0, remaining: null };
    const ch = clientHash(c);
    if (this.o.redis) {
      try {
        const [used, left] = await this.o.redis.mget(this.creditKey('used', ch), this.creditKey('left', ch));
        return { used: Number(used ?? 0), remaining: left === null || left === undefined ? null : Number(left) };
      } catch {
        // fall through to what this process knows
      }
    }
    return { used: this.creditsUsed.get(ch) ?? 0, remaining: this.creditsLeft.get(ch) ?? null };
  }

  /** A cached page when one serves this size exactly; else one (coalesced) upstream call. */
  private async paged<T extends { cursor: string | null }>(
    keyAt: (cursor: string | null) => string,
    cursor: string | null,
    size: number,
    ttlMs: number,
    op: OpContext,
    kind: 'search' | 'expired',
    call: Call<Page<T>>,
  ): Promise<Page<T>> {
    const key = keyAt(cursor);
    const trusted = await this.keys.has(op.credentials);
    if (trusted) {
      const cached = await this.o.cache.get<CachedPage<T>>(key);
      const served = cached && servePage(cached, size);
      if (cached && served) {
        this.o.metrics.cacheLookups.inc({ cache: kind, result: 'hit' });
        op.usage.saved(kind === 'search' ? served.received : 0);
        const left = restOfPage(cached, size);
        if (left) await this.o.cache.set(keyAt(left.cursor), left.rest, ttlMs);
        return served;
      }
    }
    this.o.metrics.cacheLookups.inc({ cache: kind, result: 'miss' });
    return this.fetch(`${key}:${size}`, op, trusted, kind, call, async ({ value }) => {
      // Keep the larger page: it serves every smaller `first` too.
      const prev = await this.o.cache.get<CachedPage<T>>(key);
      if (prev && prev.size > size) return;
      await this.o.cache.set(key, { size, page: value } satisfies CachedPage<T>, ttlMs);
    });
  }

  /**
   * Make the call once for everyone asking the same thing now: callers in this process join one
   * flight; other replicas wait for the one holding the Redis lock (peer-flight.ts). The caller
   * that makes the call is charged; everyone else saved what it would have bought. A pair the
   * upstream has not accepted yet shares a flight only with requests bearing that very pair (on
   * any replica), never one of an accepted pair: what it gets is what the upstream says to it.
   * `store` (cache writes) runs once, by the caller that made the call, before the others resume.
   */
  private async fetch<T>(key: string, op: OpContext, trusted: boolean, kind: string, call: Call<T>, store?: (r: Fetched<T>) => Promise<void>): Promise<T> {
    const own = async (signal: AbortSignal): Promise<Fetched<T>> => {
      op.usage.upstreamCalls++;
      let r: Fetched<T>;
      try {
        r = await call(signal);
      } catch (e) {
        if (isAppError(e) && e.code === 'UNAUTHENTICATED') await this.keys.reject(op.credentials);
        throw e;
      }
      await this.keys.accept(op.credentials);
      await this.charge(op, r.records);
      await store?.(r);
      return r;
    };
    // A pair not yet accepted flies alone (with its own pair only). Once accepted, it still joins a
    // call it started before acceptance: same keys, so sharing is safe, and the call is not made twice.
    const pairKey = `${key}:pair:${keyHash(op.credentials)}`;
    const flightKey = !trusted || this.flight.has(pairKey) ? pairKey : key;
    const { value, joined } = await this.flight.run(flightKey, op.signal, async (signal): Promise<Outcome<T>> => {
      if (!this.peers) return { fetched: await own(signal), byPeer: false };
      const r = await this.peers.run(flightKey, signal, () => own(signal));
      return { fetched: r.value, byPeer: r.byPeer };
    });
    if (joined || value.byPeer) {
      this.o.metrics.cacheLookups.inc({ cache: kind, result: 'coalesced' });
      op.usage.saved(value.fetched.records);
    }
    return value.fetched.value;
  }

  private async charge(op: OpContext, records: number): Promise<void> {
    const cost = op.usage.charged(records);
    if (cost === 0) return;
    const ch = clientHash(op.credentials);
    this.creditsUsed.set(ch, (this.creditsUsed.get(ch) ?? 0) + cost);
    this.o.metrics.creditsCharged.inc(cost);
    await this.o.redis?.incrby(this.creditKey('used', ch), cost).catch(() => 0);
  }

  /** The balance JobsPikr reported with a call (`job_credit_remaining`). */
  private async note(op: OpContext, creditsRemaining: number | null): Promise<void> {
    if (creditsRemaining === null) return;
    op.usage.creditsRemaining = creditsRemaining;
    const ch = clientHash(op.credentials);
    this.creditsLeft.set(ch, creditsRemaining);
    await this.o.redis?.set(this.creditKey('left', ch), String(creditsRemaining)).catch(() => 0);
  }

  /**
   * Every record bought fills the record cache, so it is never bought again while fresh; and when
   * one of them has expired, the client's expired list (/expired_jobs) has grown, so its version changes.
   */
  private async rememberRecords(op: OpContext, records: readonly JobRecord[]): Promise<void> {
    const ch = clientHash(op.credentials);
    await this.o.cache.setMany(
      records.map((r) => [`record:${ch}:${r.uniqId}`, r] as const),
      this.o.ttl.recordMs,
    );
    // Only an expired (or maybe-expired) record can join the list now; jobs that expire later are
    // the TTL's business. A default search buys no expired jobs, so it leaves the list cached.
    if (!records.some((r) => r.hasExpired !== false)) return;
    const version = randomUUID();
    this.consumed.set(ch, version);
    await this.o.redis?.set(this.consumedKey(ch), version, 'PX', Math.max(this.o.ttl.expiredMs, 1)).catch(() => undefined);
  }

  /** Changes whenever this client received records here or on a peer (the peer part only while Redis answers). */
  private async consumedVersion(ch: string): Promise<string> {
    const shared = this.o.redis ? await this.o.redis.get(this.consumedKey(ch)).catch(() => 'down') : null;
    return digest([shared, this.consumed.get(ch) ?? null]);
  }

  private consumedKey(ch: string): string {
    return `${this.o.prefix}consumed:${ch}`;
  }

  private creditKey(kind: 'used' | 'left', ch: string): string {
    return `${this.o.prefix}credits:${kind}:${ch}`;
  }
}

function topBuckets(buckets: readonly AggregateBucket[], size: number): AggregateBucket[] {
  return buckets.slice(0, size).map((b) => ({ ...b, buckets: topBuckets(b.buckets, size) }));
}

/** Fewer buckets than asked on every level: nothing was cut off. */
function isComplete(buckets: readonly AggregateBucket[], size: number): boolean {
  return buckets.length < size && buckets.every((b) => isComplete(b.buckets, size));
}
