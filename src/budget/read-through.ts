import { isAppError } from '../errors.js';
import { REFRESH_SHARE } from '../limits.js';
import type { Page } from '../upstream/adapters.js';
import { keyHash } from '../upstream/credentials.js';
import type { Held } from './cache.js';
import { restOfPage, servePage, type CachedPage } from './paging.js';
import { PeerFlight } from './peer-flight.js';
import { Probes } from './probes.js';
import type { CacheKind, Fetched, FetchRequest, OpContext, PageRequest, ReadThroughOptions } from './read-types.js';
import type { Revalidator } from './revalidate.js';
import { SingleFlight } from './single-flight.js';
import { staleReason, type StaleReason } from './stale.js';
import { OperationUsage } from './usage.js';
import { VerifiedKeys } from './verified-keys.js';
import { annotate, linkToShared, shareActiveSpan, traced } from '../telemetry/spans.js';

// The shapes moved to read-types.ts; re-exported so importers of this module keep working.
export type { CacheKind, Call, Fetched, FetchRequest, OpContext, PageRequest, ReadThroughOptions } from './read-types.js';

/** What one flight hands its participants: the call's result, or its leader's refusal to make it. */
type Flown<T> = { fetched: Fetched<T>; byPeer: boolean } | { refused: unknown };

/**
 * Cache, then single-flight (in process and across replicas), then the call. Cached or coalesced
 * data is served only under a key pair the upstream has accepted; the caller that makes the call is
 * charged, everyone else saved what it would have bought.
 */
export class ReadThrough {
  private readonly flight = new SingleFlight();
  private readonly probes = new Probes();
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

  /**
   * A cached page when one serves this size exactly; else one (coalesced) upstream call, and when
   * that fails for a reason stale data may answer, the page past its lifetime (stale-if-error).
   */
  async page<T extends { cursor: string | null }>(r: PageRequest<T>): Promise<Page<T>> {
    const key = r.keyAt(r.cursor);
    const trusted = await this.keys.has(r.op.credentials);
    const request = (op: OpContext, shared: boolean): FetchRequest<Page<T>> => ({
      key: `${key}:${r.size}`,
      op,
      trusted: shared,
      kind: r.kind,
      call: r.call,
      store: async ({ value }) => {
        // Keep the larger page: it serves every smaller `first` too.
        const prev = await this.o.cache.get<CachedPage<T>>(key);
        if (prev && prev.size > r.size) return;
        await this.o.cache.set(key, { size: r.size, page: value } satisfies CachedPage<T>, r.ttlMs);
        if (r.lastKeyAt) await this.o.cache.set(r.lastKeyAt(r.cursor), key, r.ttlMs);
      },
    });
    let fallback: Held<Page<T>> | undefined;
    if (trusted) {
      const held = await this.o.cache.entry<CachedPage<T>>(key);
      const served = held && servePage(held.value, r.size);
      if (held && served && Date.now() < held.freshUntil) {
        this.o.metrics.cacheLookups.inc({ cache: r.kind, result: 'hit' });
        await traced(`jobspikr.${r.kind}`, { 'jobspikr.cache': 'hit', 'jobspikr.records': served.received }, () => Promise.resolve());
        // A search hit is only read; an expired list's hit may start a refresh (below), which a remembered answer would skip.
        if (r.kind === 'search') r.op.usage.servedFromCache({ cache: 'search', key, entry: held, hits: 1, saved: served.received });
        else {
          r.op.usage.lookups.hit++;
          r.op.usage.notRemembered();
        }
        const left = restOfPage(held.value, r.size);
        // The rest of a larger page is stored for the next page on every hit; a remembered answer would not store it.
        if (left) {
          r.op.usage.notRemembered();
          await this.o.cache.set(r.keyAt(left.cursor), left.rest, r.ttlMs);
        }
        // Expired lists are free: refresh one late in its lifetime (a refresh of this very size, so it replaces it).
        if (r.kind === 'expired' && held.value.size === r.size) {
          this.o.revalidator?.trigger({
            key,
            kind: 'expired',
            endpoint: 'expired_jobs',
            credentials: r.op.credentials,
            held,
            refresh: () => this.fetch(request(this.backgroundOp(r.op), true)),
          });
        }
        return served;
      }
      if (held && served) fallback = { ...held, value: served };
      if (!fallback && r.lastKeyAt) fallback = await this.olderVersion(r.lastKeyAt(r.cursor), key, r.size);
    }
    this.o.metrics.cacheLookups.inc({ cache: r.kind, result: 'miss' });
    r.op.usage.lookups.miss++;
    r.op.usage.notRemembered();
    return this.orStale(r.op, r.kind, fallback, (op) => this.fetch(request(op, trusted)));
  }

  /** The page as last stored under an older version of its key (see PageRequest.lastKeyAt): stale by definition. */
  private async olderVersion<T extends { cursor: string | null }>(lastKey: string, key: string, size: number): Promise<Held<Page<T>> | undefined> {
    const last = await this.o.cache.entry<string>(lastKey);
    if (!last || last.value === key) return undefined;
    const held = await this.o.cache.entry<CachedPage<T>>(last.value);
    const served = held && servePage(held.value, size);
    return held && served ? { value: served, storedAt: held.storedAt, freshUntil: Math.min(held.freshUntil, Date.now()) } : undefined;
  }

  /**
   * stale-if-error: `fetch`, and when it fails with a code stale data may stand in for, `fallback`
   * (held past its lifetime, young enough for the client's x-max-stale), marked stale. With both
   * hosts' circuits open the fallback answers at once: the call could only fail. A call that has a
   * fallback takes the background lane: when the budget is tight, a question nothing else can answer
   * goes first.
   */
  async orStale<T extends object>(op: OpContext, kind: CacheKind, fallback: Held<T> | undefined, fetch: (op: OpContext) => Promise<T>): Promise<T> {
    const usable = fallback && op.usage.stale.accepts(fallback.storedAt) ? fallback : undefined;
    if (usable && !this.o.upstreamAvailable()) return this.serveStale(op, kind, usable, 'UPSTREAM_UNAVAILABLE');
    try {
      // With a stale copy to fall back on, the call yields to callers who have none (background lane).
      return await fetch(usable ? { ...op, budget: { ...op.budget, lane: 'background' } } : op);
    } catch (e) {
      const reason = staleReason(e);
      if (!usable || !reason || op.signal?.aborted) throw e;
      return this.serveStale(op, kind, usable, reason);
    }
  }

  /** Answer `held` (past its lifetime) for `reason`: marked for the response, counted in metrics. */
  serveStale<T extends object>(op: OpContext, kind: CacheKind | 'record', held: Held<T>, reason: StaleReason): T {
    const m = op.usage.stale.mark(held.value, held.storedAt, held.freshUntil, reason);
    this.o.metrics.staleAnswers.inc({ cache: kind, reason });
    this.o.metrics.staleAgeSeconds.observe({ cache: kind }, m.ageSeconds);
    return held.value;
  }

  /** Whether a fresh call could be tried now (some host's circuit is not open). */
  get upstreamAvailable(): boolean {
    return this.o.upstreamAvailable();
  }

  get revalidator(): Revalidator | undefined {
    return this.o.revalidator;
  }

  /**
   * A refresh nobody waits for: the caller's keys and shares, its own usage (the caller's answer has
   * gone), no caller's signal, the background lane without waiting (a free slot now, or none), and
   * refreshes together held to REFRESH_SHARE of each window.
   */
  backgroundOp(op: OpContext): OpContext {
    const shares = [...(op.budget?.shares ?? []), { key: 'refresh', share: REFRESH_SHARE }];
    return { credentials: op.credentials, usage: new OperationUsage(op.credentials), budget: { ...op.budget, lane: 'background', maxWaitMs: 0, shares } };
  }

  /**
   * Make the call once for everyone asking the same thing now: callers in this process join one
   * flight; other replicas wait for the one holding the Redis lock (peer-flight.ts). A pair the
   * upstream has not accepted yet shares a flight only with requests bearing that very pair (on any
   * replica), never one of an accepted pair: what it gets is what the upstream says to it.
   */
  fetch<T>(r: FetchRequest<T>): Promise<T> {
    // One span per fetch: its cache outcome, and the credits and records the call bought.
    return traced(`jobspikr.${r.kind}`, { 'jobspikr.cache': 'miss' }, () => this.fetchOnce(r));
  }

  private async fetchOnce<T>(r: FetchRequest<T>): Promise<T> {
    const pairKey = `${r.key}:pair:${keyHash(r.op.credentials)}`;
    // A pair not accepted yet sends one call at a time (its probe); its others wait for the verdict.
    if (!r.trusted && !this.flight.has(pairKey)) return this.probe(r);
    return this.fly(r, pairKey);
  }

  /** A pair's probe, or its wait for another's verdict (probes.ts). */
  private async probe<T>(r: FetchRequest<T>): Promise<T> {
    const kh = keyHash(r.op.credentials);
    return this.probes.run({
      pair: kh,
      signal: r.op.signal,
      accepted: () => this.keys.has(r.op.credentials),
      asAccepted: () => this.fly(r, `${r.key}:pair:${kh}`),
      asProbe: () => this.fly(r, `${r.key}:pair:${kh}`, kh),
    });
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
      const credits = op.usage.charged(got.records);
      annotate({ 'jobspikr.records': got.records, 'jobspikr.credits': credits });
      await this.o.ledger.charge(op.credentials, credits);
      await r.store?.(got);
      return got;
    };
    // A pair not yet accepted flies alone (with its own pair only). Once accepted, it still joins a
    // call it started before acceptance: same keys, so sharing is safe, and the call is not made twice.
    const flightKey = !r.trusted || this.flight.has(pairKey) ? pairKey : r.key;
    if (this.flight.has(flightKey)) linkToShared(flightKey);
    const { value, joined } = await this.flight.run(flightKey, op.signal, async (signal): Promise<Flown<T>> => {
      // Shared at once, so an operation joining while the leader is being admitted still links to its span.
      const unshare = shareActiveSpan(flightKey);
      try {
        // The leader's own admission (its caller's quota), inside the flight so joining stays one
        // synchronous step. Refused, it sends nothing and hands the flight back: callers that joined
        // it (perhaps other callers) go again on their own admission.
        if (op.admission) {
          try {
            await op.admission.pass();
          } catch (e) {
            return { refused: e };
          }
        }
        if (!this.peers) return { fetched: await own(signal), byPeer: false };
        const p = await this.peers.run(flightKey, signal, () => own(signal));
        return { fetched: p.value, byPeer: p.byPeer };
      } finally {
        unshare();
      }
    });
    if ('refused' in value) {
      if (!joined) throw value.refused;
      return this.fly(r, pairKey);
    }
    if (joined || value.byPeer) annotate({ 'jobspikr.cache': joined ? 'coalesced' : 'peer' });
    if (joined || value.byPeer) {
      this.o.metrics.cacheLookups.inc({ cache: r.kind, result: 'coalesced' });
      op.usage.lookups.coalesced++;
      op.usage.notRemembered();
      op.usage.saved(value.fetched.records);
    }
    return value.fetched.value;
  }
}
