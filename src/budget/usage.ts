import type { Credentials } from '../upstream/credentials.js';
import { isSandboxKey } from '../upstream/credentials.js';
import { StaleAnswers } from './stale.js';

/**
 * A cache entry that answered part of an operation, as the answer cache (answer-cache.ts) needs it:
 * to check that the entry is still the one held, and to count its hit again when it answers anew.
 */
export interface CacheRead {
  /** The cache named in the lookup metrics. */
  cache: 'search' | 'record';
  key: string;
  /** The entry object read: the answer is good while the cache holds this very object, fresh. */
  entry: { readonly freshUntil: number };
  /** Lookups it answered (records, for the record cache). */
  hits: number;
  /** Records it served that would otherwise have been bought. */
  saved: number;
}

/** What one GraphQL operation cost; reported in `extensions.jobspikr`. */
export class OperationUsage {
  creditsCharged = 0;
  creditsSavedByCache = 0;
  creditsRemaining: number | null = null;
  upstreamCalls = 0;
  /** The operation's worst-case credits as read before execution (plugins/use-budget.ts); null until then. */
  worstCaseCredits: number | null = null;
  /** Fields answered from data past its lifetime (stale-if-error). */
  readonly stale = new StaleAnswers();
  /** Cache lookups of this operation by result (the operation log's cache outcome). */
  readonly lookups = { hit: 0, miss: 0, coalesced: 0 };
  /**
   * The fresh cache entries this operation was answered from; null once anything else answered part
   * of it (an upstream call, a flight, stale data, a cache with work of its own on a hit).
   */
  reads: CacheRead[] | null = [];
  /**
   * Searches of this operation still being read. Root fields run in parallel, so a lookup by id next to
   * a search waits for these first: a record the search's page holds is then taken from the cache, not
   * bought a second time (jobs-service.ts). Created on the first search.
   */
  private searching: Set<Promise<unknown>> | undefined;

  constructor(readonly credentials: Credentials) {}

  /** Track a search of this operation until it settles (see `searchesSettled`). */
  searchStarted(search: Promise<unknown>): void {
    if (!this.searching) this.searching = new Set();
    const pending = this.searching;
    pending.add(search);
    const done = () => pending.delete(search);
    search.then(done, done);
  }

  /** Resolves once every search this operation has started so far has settled (never rejects). */
  searchesSettled(): Promise<void> | undefined {
    if (!this.searching?.size) return undefined;
    return Promise.allSettled([...this.searching]).then(() => undefined);
  }

  get sandbox(): boolean {
    return isSandboxKey(this.credentials);
  }

  /** Records bought from the upstream: a credit each under a production key. */
  charged(records: number): number {
    const cost = this.sandbox ? 0 : records;
    this.creditsCharged += cost;
    return cost;
  }

  /** Records served from cache that would otherwise have been bought. */
  saved(records: number): void {
    if (!this.sandbox) this.creditsSavedByCache += records;
  }

  /** A fresh cache hit: counted in the lookups and the credits saved, and kept for the answer cache. */
  servedFromCache(read: CacheRead): void {
    this.countHit(read.hits, read.saved);
    this.reads?.push(read);
  }

  /** `hits` cache lookups answered, `saved` records among them that would otherwise have been bought. */
  countHit(hits: number, saved: number): void {
    this.lookups.hit += hits;
    this.saved(saved);
  }

  /** Part of the answer came from somewhere the answer cache cannot re-check: it is not remembered. */
  notRemembered(): void {
    this.reads = null;
  }

  toJSON() {
    const stale = this.stale.toJSON();
    return {
      creditsCharged: this.creditsCharged,
      creditsSavedByCache: this.creditsSavedByCache,
      creditsRemaining: this.creditsRemaining,
      upstreamCalls: this.upstreamCalls,
      ...(stale && { stale }),
    };
  }
}
