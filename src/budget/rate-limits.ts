import { clientHash, type Credentials } from '../upstream/credentials.js';
import type { Endpoint } from '../upstream/http-types.js';
import { BACKGROUND_RESERVE_RATIO, YIELD_POLL_MS } from '../limits.js';
import type { Metrics } from '../metrics.js';
import type { Logger } from 'pino';
import type { SlidingWindowStore, WindowCount, WindowLimit } from './sliding-window.js';

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
  /**
   * Our windows are this much longer than the upstream's: our stamp is taken before the request
   * leaves, the upstream's when it arrives, so a slow earlier request could otherwise still be inside
   * the upstream's window when ours has let it go. `ratio` of the window, at most `maxMs`.
   */
  windowMargin: { ratio: number; maxMs: number };
  limits?: Record<Endpoint, { perMinute: number; perHour: number }>;
}

export interface EndpointBudget {
  endpoint: Endpoint;
  limitPerMinute: number;
  limitPerHour: number;
  minute: WindowCount;
  hour: WindowCount;
}

/** The minute and hour windows of `l` at `share` of the limit, each widened by the options' margin. */
export function windowsOf(
  o: Pick<RateGateOptions, 'minuteMs' | 'hourMs' | 'windowMargin'>,
  l: { perMinute: number; perHour: number },
  share = 1,
): WindowLimit[] {
  const { ratio, maxMs } = o.windowMargin;
  const widened = (ms: number) => ms + Math.min(maxMs, Math.ceil(ms * ratio));
  return [
    { name: 'minute', limit: Math.max(1, Math.floor(l.perMinute * share)), windowMs: widened(o.minuteMs) },
    { name: 'hour', limit: Math.max(1, Math.floor(l.perHour * share)), windowMs: widened(o.hourMs) },
  ];
}

/** The windows less the slots kept for interactive calls: a background call never takes the last ones. */
export function reserved(windows: WindowLimit[]): WindowLimit[] {
  return windows.map((w) => ({ ...w, limit: w.limit - Math.max(1, Math.ceil(w.limit * BACKGROUND_RESERVE_RATIO)) }));
}

/** A background call finds interactive calls waiting: it steps back and looks again shortly. */
export const yieldTo = () => ({ ok: false as const, retryAfterMs: YIELD_POLL_MS });

/** The limiter's key: a hash of the client id (limits are per client id, CONTRACT §5) and the endpoint. */
export const limiterKey = (c: Credentials, endpoint: Endpoint): string => `${clientHash(c)}:${endpoint}`;
