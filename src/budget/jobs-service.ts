import { randomUUID } from 'node:crypto';
import type { AppError } from '../errors.js';
import { MAX_PAGE_SIZE } from '../limits.js';
import { lookupRequest, type AggregateResult, type Page } from '../upstream/adapters.js';
import { clientHash, type Credentials } from '../upstream/credentials.js';
import type { CallBudget } from '../upstream/http.js';
import { buildQuery, searchOptions } from '../upstream/query-dsl.js';
import type { ExpiredRecord, JobRecord } from '../upstream/records.js';
import { isComplete, topBuckets, type CachedAggregate } from './aggregate-cache.js';
import type { Held } from './cache.js';
import { ConsumedVersions } from './consumed-versions.js';
import { CreditLedger, type CreditBalance } from './credit-ledger.js';
import { digest } from './keys.js';
import { lookupRecords } from './lookups.js';
import { ReadThrough, type OpContext } from './read-through.js';
import { Revalidator } from './revalidate.js';
import type { AggregateQuery, ExpiredQuery, FollowQuery, JobsServiceOptions, LookupQuery, SearchQuery } from './service-types.js';

export type { OpContext } from './read-through.js';
// The option and query shapes live in service-types.ts; re-exported so importers of this module keep working.
export type { AggregateQuery, ExpiredQuery, FollowQuery, JobsServiceOptions, LookupQuery, SearchQuery, Ttls } from './service-types.js';

/**
 * The budget-aware JobsPikr API the schema reads. Caches are scoped by a hash of the client id;
 * what is cached or coalesced goes only to accepted key pairs (read-through.ts).
 */
export class JobsService {
  private readonly reads: ReadThrough;
  private readonly ledger: CreditLedger;
  private readonly consumed: ConsumedVersions;

  constructor(private readonly o: JobsServiceOptions) {
    this.ledger = new CreditLedger({ redis: o.redis, prefix: o.prefix, metrics: o.metrics });
    this.consumed = new ConsumedVersions({ redis: o.redis, prefix: o.prefix, ttlMs: o.ttl.expiredMs });
    this.reads = new ReadThrough({
      cache: o.cache,
      ledger: this.ledger,
      metrics: o.metrics,
      redis: o.redis,
      prefix: o.prefix,
      verified: o.verified,
      peer: o.peer,
      upstreamAvailable: o.upstreamAvailable,
      revalidator: new Revalidator({ redis: o.redis, prefix: o.prefix, ...o.revalidate, metrics: o.metrics, logger: o.logger }),
    });
  }

  search(q: SearchQuery): Promise<Page<JobRecord>> {
    const page = this.searchPage(q);
    // Before the resolver awaits anything, so a lookup batched in the same tick sees it (see lookup).
    q.op.usage.searchStarted(page);
    return page;
  }

  private searchPage(q: SearchQuery): Promise<Page<JobRecord>> {
    const { op } = q;
    const request = { query: buildQuery(q.filter), ...searchOptions(q.filter), cursor: q.cursor };
    const ch = clientHash(op.credentials);
    return this.reads.page({
      keyAt: (at) => `search:${ch}:${digest({ ...request, cursor: at })}`,
      cursor: q.cursor,
      size: q.size,
      ttlMs: this.o.ttl.searchMs,
      op,
      kind: 'search',
      call: async (signal, budget) => {
        const page = await this.o.client.search({ ...request, size: q.size }, { credentials: op.credentials, signal, budget: laneFor(q, budget) });
        await this.note(op, page.creditsRemaining);
        await this.rememberRecords(op, page.records);
        return { value: page, records: page.received };
      },
    });
  }

  /**
   * What was crawled since `cursor` for a followed search (live polls): never from the page cache, which
   * would answer the same cursor with the same (empty) page; the records bought fill the record cache.
   */
  async follow(q: FollowQuery): Promise<Page<JobRecord>> {
    const { op } = q;
    const request = { query: buildQuery(q.filter), ...searchOptions(q.filter), cursor: q.cursor, size: MAX_PAGE_SIZE };
    return this.reads.fetch({
      // A key of its own: a peer's result for the same cursor (kept for a while) is an old answer, and
      // one poller per topic (the lease) already means nobody else asks this.
      key: `follow:${clientHash(op.credentials)}:${randomUUID()}`,
      op,
      trusted: await this.reads.keys.has(op.credentials),
      kind: 'search',
      call: async (signal, budget) => {
        const page = await this.o.client.search(request, { credentials: op.credentials, signal, budget });
        await this.note(op, page.creditsRemaining);
        await this.rememberRecords(op, page.records);
        return { value: page, records: page.received };
      },
    });
  }

  async expired(q: ExpiredQuery): Promise<Page<ExpiredRecord>> {
    const { op } = q;
    const ch = clientHash(op.credentials);
    const req = { startDate: q.from, endDate: q.to };
    // The list is of jobs this client has consumed: one cached before it consumed more is stale.
    const version = await this.consumed.current(ch);
    return this.reads.page({
      keyAt: (at) => `expired:${ch}:${version}:${digest({ ...req, cursor: at })}`,
      lastKeyAt: (at) => `expired-last:${ch}:${digest({ ...req, cursor: at })}`,
      cursor: q.cursor,
      size: q.size,
      ttlMs: this.o.ttl.expiredMs,
      op,
      kind: 'expired',
      call: async (signal, budget) => {
        const page = await this.o.client.expired(
          { ...req, cursor: q.cursor, size: q.size },
          { credentials: op.credentials, signal, budget: laneFor(q, budget) },
        );
        await this.note(op, page.creditsRemaining);
        return { value: page, records: 0 };
      },
    });
  }

  /**
   * Counts: a cached result with at least as many buckets serves any smaller `limit`; one late in
   * its lifetime is refreshed in the background (counts are free); past its lifetime it answers
   * only when the fresh call fails (stale-if-error).
   */
  async aggregate(q: AggregateQuery): Promise<AggregateResult> {
    const { op, limit } = q;
    const shape = { field: q.field, groupBy: q.groupBy, query: buildQuery(q.filter) };
    const key = `aggregate:${clientHash(op.credentials)}:${digest(shape)}`;
    const trusted = await this.reads.keys.has(op.credentials);
    const request = (o: OpContext, size: number, shared: boolean) =>
      this.reads.fetch({
        key: `${key}:${size}`,
        op: o,
        trusted: shared,
        kind: 'aggregate',
        call: async (signal, budget) => {
          const result = await this.o.client.aggregate({ ...shape, size }, { credentials: o.credentials, signal, budget });
          return { value: result, records: 0 };
        },
        store: async ({ value }) => {
          const prev = await this.o.cache.get<CachedAggregate>(key);
          if (prev && (prev.complete || prev.size > size)) return;
          const complete = value.dropped === 0 && isComplete(value.buckets, size);
          await this.o.cache.set(key, { size, complete, result: value } satisfies CachedAggregate, this.o.ttl.aggregateMs);
        },
      });
    const serves = (c: CachedAggregate) => c.complete || c.size >= limit;
    const cut = (c: CachedAggregate): AggregateResult => ({ ...c.result, buckets: topBuckets(c.result.buckets, limit) });
    let fallback: Held<AggregateResult> | undefined;
    if (trusted) {
      const held = await this.o.cache.entry<CachedAggregate>(key);
      if (held && serves(held.value) && Date.now() < held.freshUntil) {
        this.o.metrics.cacheLookups.inc({ cache: 'aggregate', result: 'hit' });
        op.usage.lookups.hit++;
        // The hit may start a refresh (stale-while-revalidate), which a remembered answer would skip.
        op.usage.notRemembered();
        const size = held.value.size;
        this.reads.revalidator?.trigger({
          key,
          kind: 'aggregate',
          endpoint: 'aggregate_data',
          credentials: op.credentials,
          held,
          refresh: () => request(this.reads.backgroundOp(op), size, true),
        });
        return cut(held.value);
      }
      if (held && serves(held.value)) fallback = { ...held, value: cut(held.value) };
    }
    this.o.metrics.cacheLookups.inc({ cache: 'aggregate', result: 'miss' });
    op.usage.lookups.miss++;
    op.usage.notRemembered();
    return this.reads.orStale(op, 'aggregate', fallback, (o) => request(o, limit, trusted));
  }

  /**
   * Jobs by uniq_id: the record cache first, then (once the operation's searches in flight have filled
   * it) one upstream `terms` call for the rest. When that call fails for a reason stale data may answer,
   * records held past their lifetime answer; an id with none gets the call's error (its own, not the
   * whole batch's).
   */
  lookup(q: LookupQuery): Promise<Map<string, JobRecord | AppError>> {
    const { op } = q;
    return lookupRecords(
      {
        searchesFirst: () => op.usage.searchesSettled(),
        cache: this.o.cache,
        metrics: this.o.metrics,
        reads: this.reads,
        call: (sorted) => async (signal, budget) => {
          const page = await this.o.client.search(lookupRequest(sorted), { credentials: op.credentials, signal, budget });
          await this.note(op, page.creditsRemaining);
          await this.rememberRecords(op, page.records);
          return { value: page.records, records: page.received };
        },
      },
      q,
    );
  }

  /** Upstream calls in flight in this process: a call runs on after its last waiter has gone. */
  get callsInFlight(): number {
    return this.reads.inFlight;
  }

  /** Whether the upstream has accepted this key pair (what is cached or budgeted for its client id is shown only then). */
  isAccepted(c: Credentials): Promise<boolean> {
    return this.reads.keys.has(c);
  }

  /** Credits this deployment spent under the client, and the last balance JobsPikr reported (accepted pairs only). */
  async credits(c: Credentials): Promise<CreditBalance> {
    // The ledger is the client's business: a pair the upstream has not accepted learns nothing of it.
    if (!(await this.isAccepted(c))) return { used: 0, remaining: null };
    return this.ledger.read(c);
  }

  private async note(op: OpContext, creditsRemaining: number | null): Promise<void> {
    if (creditsRemaining === null) return;
    op.usage.creditsRemaining = creditsRemaining;
    await this.ledger.note(op.credentials, creditsRemaining);
  }

  /**
   * Every record bought fills the record cache, so it is never bought again while fresh. A record equal
   * to the one already held takes its place in `records` (the page just read, not yet shared with
   * anyone), so pages that bought the same job hold one copy of it. Only an expired (or maybe-expired)
   * record can join the client's expired list now; a default search buys no expired jobs, so it leaves
   * the list cached.
   */
  private async rememberRecords(op: OpContext, records: JobRecord[]): Promise<void> {
    const ch = clientHash(op.credentials);
    const entries = records.map((r, i) => {
      const key = `record:${ch}:${r.uniqId}`;
      const held = this.o.cache.intern(key, r);
      records[i] = held;
      return [key, held] as const;
    });
    await this.o.cache.setMany(entries, this.o.ttl.recordMs);
    if (records.some((r) => r.hasExpired !== false)) await this.consumed.bump(ch);
  }
}

/** A deep page takes the background lane; anything else keeps the operation's budget (a refresh already is background). */
function laneFor(q: { deep?: boolean | undefined }, budget: CallBudget | undefined): CallBudget | undefined {
  return q.deep ? { ...budget, lane: 'background' } : budget;
}
