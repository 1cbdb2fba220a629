import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { clientHash, type Credentials } from '../upstream/credentials.js';
import { UpstreamError } from '../upstream/errors.js';
import type { Endpoint, RequestGate } from '../upstream/http.js';
import type { Metrics } from '../metrics.js';
import { MemorySlidingWindow, type SlidingWindowStore, type WindowCount, type WindowLimit } from './sliding-window.js';

/** JobsPikr's documented limits per client id (CONTRACT §5); /expired_jobs as /data [chosen]. */
export const UPSTREAM_LIMITS: Record<Endpoint, { perMinute: number; perHour: number }> = {
  data: { perMinute: 100, perHour: 5_000 },
  expired_jobs: { perMinute: 100, perHour: 5_000 },
  aggregate_data: { perMinute: 10, perHour: 100 },
};

export interface RateGateOptions {
  /** The shared (Redis) log; absent = this process alone holds the budget. */
  shared?: SlidingWindowStore;
  logger: Logger;
  metrics: Metrics;
  minuteMs: number;
  hourMs: number;
  /** Longest a call queues for budget before it fails with RATE_LIMITED. */
  maxWaitMs: number;
  /** Share of each limit this replica may use on its own while the shared store is unreachable. */
  downShare: number;
  limits?: Record<Endpoint, { perMinute: number; perHour: number }>;
}

export interface EndpointBudget {
  endpoint: Endpoint;
  limitPerMinute: number;
  limitPerHour: number;
  minute: WindowCount;
  hour: WindowCount;
}

/**
 * The limiter in front of every upstream attempt. With a shared store every replica draws from one
 * budget; this process also keeps its own log of what it sent, so when the shared store is down it
 * can go on within a conservative share of the limit instead of guessing.
 */
export class RateGate implements RequestGate {
  private readonly local = new MemorySlidingWindow();
  private sharedDown = false;
  readonly limits: Record<Endpoint, { perMinute: number; perHour: number }>;

  constructor(private readonly o: RateGateOptions) {
    this.limits = o.limits ?? UPSTREAM_LIMITS;
  }

  windows(endpoint: Endpoint, share = 1): WindowLimit[] {
    const l = this.limits[endpoint];
    return [
      { name: 'minute', limit: Math.max(1, Math.floor(l.perMinute * share)), windowMs: this.o.minuteMs },
      { name: 'hour', limit: Math.max(1, Math.floor(l.perHour * share)), windowMs: this.o.hourMs },
    ];
  }

  /** Wait (bounded) for budget, or fail with RATE_LIMITED and the seconds until it returns. */
  async acquire(credentials: Credentials, endpoint: Endpoint, signal: AbortSignal): Promise<void> {
    const key = `${clientHash(credentials)}:${endpoint}`;
    const giveUpAt = Date.now() + this.o.maxWaitMs;
    for (;;) {
      const r = await this.take(key, endpoint);
      if (r.ok) return;
      if (Date.now() + r.retryAfterMs > giveUpAt) {
        this.o.metrics.rateLimited.inc({ endpoint });
        const retryAfter = Math.max(1, Math.ceil(r.retryAfterMs / 1000));
        throw new UpstreamError('RATE_LIMITED', `The JobsPikr ${endpoint} rate budget of this key is spent; retry in ${retryAfter}s`, { retryAfter });
      }
      await sleep(r.retryAfterMs + 5, undefined, { signal });
    }
  }

  async penalize(credentials: Credentials, endpoint: Endpoint, retryAfterSeconds: number): Promise<void> {
    const key = `${clientHash(credentials)}:${endpoint}`;
    await this.local.block(key, retryAfterSeconds * 1000);
    await this.o.shared?.block(key, retryAfterSeconds * 1000).catch(() => this.markDown());
  }

  /** Where each endpoint's budget stands for this key. */
  async budgets(credentials: Credentials): Promise<EndpointBudget[]> {
    const endpoints = Object.keys(this.limits) as Endpoint[];
    return Promise.all(
      endpoints.map(async (endpoint) => {
        const key = `${clientHash(credentials)}:${endpoint}`;
        const windows = this.windows(endpoint);
        let counts: WindowCount[];
        try {
          counts = this.o.shared && !this.sharedDown ? await this.o.shared.counts(key, windows) : await this.local.counts(key, windows);
        } catch {
          counts = await this.local.counts(key, windows);
        }
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

  private async take(key: string, endpoint: Endpoint) {
    if (this.o.shared) {
      try {
        const r = await this.o.shared.take(key, this.windows(endpoint));
        if (this.sharedDown) {
          this.sharedDown = false;
          this.o.logger.info('shared rate budget reachable again; sharing resumed');
        }
        if (r.ok) for (const w of this.windows(endpoint)) this.local.record(`${key}:${w.name}`, Date.now());
        return r;
      } catch {
        this.markDown();
        return this.local.takeSync(key, this.windows(endpoint, this.o.downShare));
      }
    }
    return this.local.takeSync(key, this.windows(endpoint));
  }

  private markDown(): void {
    if (this.sharedDown) return;
    this.sharedDown = true;
    this.o.logger.warn({ share: this.o.downShare }, 'shared rate budget unreachable; using a conservative local share');
  }
}
