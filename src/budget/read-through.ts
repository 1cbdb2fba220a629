import type { Redis } from 'ioredis';
import { isAppError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import type { Page } from '../upstream/adapters.js';
import type { CallBudget } from '../upstream/http.js';
import { keyHash, type Credentials } from '../upstream/credentials.js';
import type { TieredCache } from './cache.js';
import type { CreditLedger } from './credit-ledger.js';
import { restOfPage, servePage, type CachedPage } from './paging.js';
import { PeerFlight } from './peer-flight.js';
import { SingleFlight } from './single-flight.js';
import type { OperationUsage } from './usage.js';
import { VerifiedKeys } from './verified-keys.js';

/** One operation's view: whose keys, its cancel signal, its usage counters. */
export interface OpContext {
  credentials: Credentials;
  signal?: AbortSignal | undefined;
  usage: OperationUsage;
  /** How this operation's upstream calls draw on the rate budget (lane, shares). */
  budget?: CallBudget | undefined;
}

export interface Fetched<T> {
  value: T;
  /** Records the upstream charged for this value (0 for free endpoints). */
  records: number;
}

/** The upstream call itself, under the flight's signal and the rate budget it is to draw on. */
export type Call<T> = (signal: AbortSignal, budget: CallBudget | undefined) => Promise<Fetched<T>>;

export type CacheKind = 'search' | 'expired' | 'aggregate' | 'lookup';

export interface FetchRequest<T> {
  /** Identity of the call: equal keys share one upstream call. */
  key: string;
  op: OpContext;
  /** Whether the caller's pair is accepted (then it may share a call with other accepted pairs). */
  trusted: boolean;
  kind: CacheKind;
  call: Call<T>;
  /** Cache writes: run once, by the caller that made the call, before the others resume. */
  store?: (r: Fetched<T>) => Promise<void>;
}

export interface PageRequest<T> {
  /** The cache key of the page that starts at `cursor`. */
  keyAt: (cursor: string | null) => string;
  cursor: string | null;
  size: number;
  ttlMs: number;
  op: OpContext;
  kind: 'search' | 'expired';
  call: Call<Page<T>>;
}

export interface ReadThroughOptions {
  cache: TieredCache;
  ledger: CreditLedger;
  metrics: Metrics;
  redis?: Redis | undefined;
  prefix: string;
  verified: { ttlMs: number; recheckMs: number };
  /** Cross-replica single-flight: how long to wait for a peer, how often to look, how long a result stays. */
  peer: { waitMs: number; pollMs: number; resultTtlMs: number };
}

/** Resolves when `p` settles, or rejects when `signal` aborts first (the waiter's client left). */
function settled(p: Promise<unknown>, signal: AbortSignal | undefined): Promise<void> {
  const done = p.then(
    () => undefined,
    () => undefined,
  );
  if (!signal) return done;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const leave = () => reject(signal.reason);
    signal.addEventListener('abort', leave, { once: true });
    void done.then(() => {
      signal.removeEventListener('abort', leave);
      resolve();
    });
  });
}

/**
 * Cache, then single-flight (in process and across replicas), then the call. Cached or coalesced
 * data is served only under a key pair the upstream has accepted; the caller that makes the call is
 * charged, everyone else saved what it would have bought.
 */
export class ReadThrough {
  private readonly flight = new SingleFlight();
  /** keyHash → the call an unaccepted pair has in flight (its probe). */
  private readonly probes = new Map<string, Promise<unknown>>();
  private readonly peers: PeerFlight | undefined;
  readonly keys: VerifiedKeys;

  constructor(private readonly o: ReadThroughOptions) {
    this.peers = o.redis && new PeerFlight({ redis: o.redis, prefix: o.prefix, ...o.peer });
    this.keys = new VerifiedKeys({ redis: o.redis, prefix: o.prefix, ...o.verified });
  }

  /** Upstream calls in flight in this process (each may have many waiters, or none). */
  get inFlight(): number {
    return this.flight.size;
  }

  /** A cached page when one serves this size exactly; else one (coalesced) upstream call. */
  async page<T extends { cursor: string | null }>(r: PageRequest<T>): Promise<Page<T>> {
    const key = r.keyAt(r.cursor);
    const trusted = await this.keys.has(r.op.credentials);
    if (trusted) {
      const cached = await this.o.cache.get<CachedPage<T>>(key);
      const served = cached && servePage(cached, r.size);
      if (cached && served) {
        this.o.metrics.cacheLookups.inc({ cache: r.kind, result: 'hit' });
        r.op.usage.saved(r.kind === 'search' ? served.received : 0);
        const left = restOfPage(cached, r.size);
        if (left) await this.o.cache.set(r.keyAt(left.cursor), left.rest, r.ttlMs);
        return served;
      }
    }
    this.o.metrics.cacheLookups.inc({ cache: r.kind, result: 'miss' });
    return this.fetch({
      key: `${key}:${r.size}`,
      op: r.op,
      trusted,
      kind: r.kind,
      call: r.call,
      store: async ({ value }) => {
        // Keep the larger page: it serves every smaller `first` too.
        const prev = await this.o.cache.get<CachedPage<T>>(key);
        if (prev && prev.size > r.size) return;
        await this.o.cache.set(key, { size: r.size, page: value } satisfies CachedPage<T>, r.ttlMs);
      },
    });
  }

  /**
   * Make the call once for everyone asking the same thing now: callers in this process join one
   * flight; other replicas wait for the one holding the Redis lock (peer-flight.ts). A pair the
   * upstream has not accepted yet shares a flight only with requests bearing that very pair (on any
   * replica), never one of an accepted pair: what it gets is what the upstream says to it.
   */
  async fetch<T>(r: FetchRequest<T>): Promise<T> {
    const pairKey = `${r.key}:pair:${keyHash(r.op.credentials)}`;
    // A pair not accepted yet sends one call at a time (its probe); its others wait for the verdict.
    if (!r.trusted && !this.flight.has(pairKey)) return this.probe(r);
    return this.fly(r, pairKey);
  }

  /**
   * One call in flight per unaccepted pair: later calls of the pair wait for it, then go on as an
   * accepted pair (the pool, the cache of what others bought) or become the next probe. The check
   * and the claim of the slot are one synchronous step, so two waiters never both probe.
   */
  private async probe<T>(r: FetchRequest<T>): Promise<T> {
    const kh = keyHash(r.op.credentials);
    for (let p = this.probes.get(kh); p; p = this.probes.get(kh)) {
      await settled(p, r.op.signal);
      // Accepted now: the pool's budget, but still the pair's own flight key, so it meets the calls
      // its pair started before acceptance (here or on a peer) instead of making them again.
      if (await this.keys.has(r.op.credentials)) return this.fly(r, `${r.key}:pair:${kh}`);
    }
    const mine = this.fly(r, `${r.key}:pair:${kh}`, kh);
    this.probes.set(kh, mine);
    try {
      return await mine;
    } finally {
      if (this.probes.get(kh) === mine) this.probes.delete(kh);
    }
  }

  private async fly<T>(r: FetchRequest<T>, pairKey: string, probe?: string): Promise<T> {
    const { op } = r;
    const budget = probe ? { ...op.budget, probe } : op.budget;
    const own = async (signal: AbortSignal): Promise<Fetched<T>> => {
      op.usage.upstreamCalls++;
      let got: Fetched<T>;
      try {
        got = await r.call(signal, budget);
      } catch (e) {
        if (isAppError(e) && e.code === 'UNAUTHENTICATED') await this.keys.reject(op.credentials);
        throw e;
      }
      await this.keys.accept(op.credentials);
      await this.o.ledger.charge(op.credentials, op.usage.charged(got.records));
      await r.store?.(got);
      return got;
    };
    // A pair not yet accepted flies alone (with its own pair only). Once accepted, it still joins a
    // call it started before acceptance: same keys, so sharing is safe, and the call is not made twice.
    const flightKey = !r.trusted || this.flight.has(pairKey) ? pairKey : r.key;
    const { value, joined } = await this.flight.run(flightKey, op.signal, async (signal) => {
      if (!this.peers) return { fetched: await own(signal), byPeer: false };
      const p = await this.peers.run(flightKey, signal, () => own(signal));
      return { fetched: p.value, byPeer: p.byPeer };
    });
    if (joined || value.byPeer) {
      this.o.metrics.cacheLookups.inc({ cache: r.kind, result: 'coalesced' });
      op.usage.saved(value.fetched.records);
    }
    return value.fetched.value;
  }
}
