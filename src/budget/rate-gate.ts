import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Credentials } from '../upstream/credentials.js';
import { UpstreamError } from '../upstream/errors.js';
import type { CallBudget, Endpoint, GateSlot, RequestGate } from '../upstream/http.js';
import { PROBE_LIMITS } from '../limits.js';
import { traced } from '../telemetry/spans.js';
import { LocalShare } from './local-share.js';
import { type EndpointBudget, limiterKey, type RateGateOptions, reserved, UPSTREAM_LIMITS, windowsOf, yieldTo } from './rate-limits.js';
import { MemorySlidingWindow, type SlidingWindowStore, type TakeResult, type WindowCount, type WindowLimit } from './sliding-window.js';

// The limits, options and per-call helpers live in rate-limits.ts; re-exported so importers keep this path.
export { UPSTREAM_LIMITS } from './rate-limits.js';
export type { EndpointBudget, RateGateOptions } from './rate-limits.js';

/**
 * The limiter in front of every upstream attempt, per client id and endpoint (the limiter key is a
 * hash of the client id, never the id itself). With a shared store every replica draws from one
 * budget. Each replica also keeps its own log of what it sent and what it last saw the others use,
 * so while the shared store is down it goes on within a conservative share of the limit, and when
 * the store returns (perhaps empty, after a restart) it writes its calls back before sharing again.
 */
export class RateGate implements RequestGate {
  private readonly local = new MemorySlidingWindow();
  /** This replica's share of the budget while the shared store is down (see LocalShare). */
  private readonly down: LocalShare;
  /** Interactive calls per limiter key waiting for budget in this process: background calls let them go first. */
  private readonly waiting = new Map<string, number>();
  private sharedDown = false;
  private resyncing: Promise<void> | undefined;
  readonly limits: Record<Endpoint, { perMinute: number; perHour: number }>;

  constructor(private readonly o: RateGateOptions) {
    this.limits = o.limits ?? UPSTREAM_LIMITS;
    this.down = new LocalShare(this.local, o);
    // A restarted Redis is empty: write this replica's calls back as soon as it answers, not at the
    // next call, so a peer that calls first already sees them.
    const shared = o.shared;
    shared?.onReconnect?.(() => {
      this.resync(shared).catch(() => this.markDown());
    });
  }

  /** Limiter keys this process holds calls for (bounded by MAX_LIMITER_KEYS). */
  get trackedKeys(): number {
    return this.local.size;
  }

  /** True while the shared store is unreachable and this replica runs on its local share. */
  get degraded(): boolean {
    return this.sharedDown;
  }

  /** Resolves once the shared budget answers (at once without one): a readiness check for start-up. */
  async whenShared(): Promise<void> {
    await this.o.shared?.ready?.();
  }

  windows(endpoint: Endpoint, share = 1): WindowLimit[] {
    return windowsOf(this.o, this.limits[endpoint], share);
  }

  /**
   * Wait (bounded) for budget, or fail with RATE_LIMITED and the seconds until it returns. The slot
   * counts until released: an attempt the upstream did not count (401, never sent) gives it back.
   */
  async acquire(credentials: Credentials, endpoint: Endpoint, signal: AbortSignal, budget: CallBudget = {}): Promise<GateSlot> {
    const id = limiterKey(credentials, endpoint);
    // A probe (a pair not accepted yet) draws on its pair's own bucket only, never on the id's budget.
    const key = budget.probe ? `${id}:probe:${budget.probe}` : id;
    const background = budget.lane === 'background';
    const giveUpAt = Date.now() + Math.min(this.o.maxWaitMs, budget.maxWaitMs ?? this.o.maxWaitMs);
    const full = budget.probe ? windowsOf(this.o, PROBE_LIMITS) : this.windows(endpoint);
    const main = background ? reserved(full) : full;
    const shares = budget.probe ? [] : (budget.shares ?? []).map((s) => ({ key: `${id}:share:${s.key}`, windows: this.windows(endpoint, s.share) }));
    let counted = false;
    try {
      for (;;) {
        // A probe waits out a Retry-After the upstream gave its client id like any other call.
        const blocked = budget.probe ? this.local.blockedFor(id) : 0;
        const r =
          blocked > 0
            ? { ok: false as const, retryAfterMs: blocked }
            : background && (this.waiting.get(key) ?? 0) > 0
              ? yieldTo()
              : await this.takeAll(key, main, shares);
        if (r.ok) return budget.probe ? this.probeSlot(r.id, key, main, id, endpoint) : { release: () => this.releaseAll(r.id, key, main, shares) };
        if (Date.now() + r.retryAfterMs > giveUpAt) {
          this.o.metrics.rateLimited.inc({ endpoint });
          const retryAfter = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
          throw new UpstreamError('RATE_LIMITED', `The JobsPikr ${endpoint} rate budget of this key is spent; retry in ${retryAfter}s`, { retryAfter });
        }
        if (!background && !counted) {
          counted = true;
          this.waiting.set(key, (this.waiting.get(key) ?? 0) + 1);
        }
        await sleep(r.retryAfterMs + 5, undefined, { signal });
      }
    } finally {
      if (counted) {
        const n = (this.waiting.get(key) ?? 1) - 1;
        if (n > 0) this.waiting.set(key, n);
        else this.waiting.delete(key);
      }
    }
  }

  /**
   * A pair's probe bucket counts its refusals (401s) and what it has in flight: wrong keys run out
   * of probes, while a right pair's retries (a 5xx, a host that could not be reached) give theirs
   * back. Once the upstream answers, the pair was the id's own and the upstream counted the call under
   * the id: so is it here, over the limit if need be.
   */
  private probeSlot(slotId: string, key: string, windows: WindowLimit[], id: string, endpoint: Endpoint): GateSlot {
    const counted = this.windows(endpoint).map((w) => ({ ...w, limit: Number.MAX_SAFE_INTEGER }));
    const giveBack = () => this.release(key, windows, slotId);
    return {
      release: (why) => (why === 'refused' ? Promise.resolve() : giveBack()),
      settled: async (outcome) => {
        await giveBack();
        if (outcome === 'answered') await this.take(id, counted, randomUUID());
      },
    };
  }

  /**
   * Every share first (each its own log, so a share's use counts on every replica), then the key's
   * own windows; anything taken is given back when a later take fails.
   */
  private async takeAll(
    key: string,
    main: WindowLimit[],
    shares: readonly { key: string; windows: WindowLimit[] }[],
  ): Promise<{ ok: true; id: string } | { ok: false; retryAfterMs: number }> {
    const id = randomUUID();
    const taken: { key: string; windows: WindowLimit[] }[] = [];
    for (const s of shares) {
      const r = await this.take(s.key, s.windows, id);
      if (!r.ok) {
        await Promise.all(taken.map((t) => this.release(t.key, t.windows, id)));
        return { ok: false, retryAfterMs: r.retryAfterMs };
      }
      taken.push(s);
    }
    const r = await this.take(key, main, id);
    if (r.ok) return { ok: true, id };
    await Promise.all(taken.map((t) => this.release(t.key, t.windows, id)));
    return { ok: false, retryAfterMs: r.retryAfterMs };
  }

  private async releaseAll(id: string, key: string, main: WindowLimit[], shares: readonly { key: string; windows: WindowLimit[] }[]): Promise<void> {
    await Promise.all([this.release(key, main, id), ...shares.map((s) => this.release(s.key, s.windows, id))]);
  }

  /** The upstream answered 429: nothing more leaves under this key (on any replica) for `retryAfterSeconds`. */
  async penalize(credentials: Credentials, endpoint: Endpoint, retryAfterSeconds: number): Promise<void> {
    const key = limiterKey(credentials, endpoint);
    this.local.block(key, retryAfterSeconds * 1000);
    if (this.o.shared && !this.sharedDown) await this.o.shared.block(key, retryAfterSeconds * 1000).catch(() => this.markDown());
  }

  /** Where each endpoint's budget stands for this key. */
  async budgets(credentials: Credentials): Promise<EndpointBudget[]> {
    const endpoints = Object.keys(this.limits) as Endpoint[];
    return Promise.all(
      endpoints.map(async (endpoint) => {
        const key = limiterKey(credentials, endpoint);
        const windows = this.windows(endpoint);
        let counts: WindowCount[] | undefined;
        if (this.o.shared && !this.sharedDown) counts = await this.o.shared.counts(key, windows).catch(() => undefined);
        counts ??= this.local.counts(key, windows);
        const empty = { used: 0, resetAt: null };
        return {
          endpoint,
          limitPerMinute: this.limits[endpoint].perMinute,
          limitPerHour: this.limits[endpoint].perHour,
          minute: counts[0] ?? empty,
          hour: counts[1] ?? empty,
        };
      }),
    );
  }

  private async take(key: string, windows: WindowLimit[], id: string): Promise<TakeResult> {
    const shared = this.o.shared;
    if (!shared) return this.local.takeSync(key, windows, id);
    try {
      if (this.sharedDown) await this.resync(shared);
      const r = await traced('redis rate-window take', { 'db.system': 'redis' }, () => shared.take(key, windows, id));
      this.down.observe(key, windows, r, id);
      return r;
    } catch {
      this.markDown();
      return this.down.take(key, windows, id);
    }
  }

  /**
   * Take back the call counted under `id`, here and in the shared log (the exact member TAKE added).
   * While the store is down the local log is enough: only what it still holds is written back.
   */
  private async release(key: string, windows: WindowLimit[], id: string): Promise<void> {
    this.local.remove(key, id);
    const shared = this.o.shared;
    if (shared && !this.sharedDown) await shared.remove(key, windows, id).catch(() => this.markDown());
  }

  /** Write back every call (and 429 block) this replica knows of; ids already there are not counted twice. */
  private resync(shared: SlidingWindowStore): Promise<void> {
    // `.finally` runs after the assignment even when the write-back has nothing to await.
    this.resyncing ??= this.writeBack(shared).finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  private async writeBack(shared: SlidingWindowStore): Promise<void> {
    for (const key of this.local.keys()) {
      const endpoint = key.slice(key.lastIndexOf(':') + 1) as Endpoint;
      if (!(endpoint in this.limits)) continue;
      for (const w of this.windows(endpoint)) await shared.replay(key, w, this.local.stamps(key, w));
      const blocked = this.local.blockedFor(key);
      if (blocked > 0) await shared.block(key, blocked);
    }
    if (this.sharedDown) this.o.logger.info('shared rate budget reachable again; calls made meanwhile written back, sharing resumed');
    this.sharedDown = false;
  }

  private markDown(): void {
    if (this.sharedDown) return;
    this.sharedDown = true;
    this.o.logger.warn({ share: this.o.downShare }, 'shared rate budget unreachable; using a conservative local share');
  }
}
