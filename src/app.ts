import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import type { Logger } from 'pino';
import { TieredCache } from './budget/cache.js';
import { JobsService } from './budget/jobs-service.js';
import { RateGate, UPSTREAM_LIMITS } from './budget/rate-gate.js';
import { RedisSlidingWindow } from './budget/sliding-window.js';
import type { Config } from './config.js';
import { createMetrics } from './metrics.js';
import { createServer } from './server.js';
import { createJobsPikrClient } from './upstream/client.js';
import type { Credentials } from './upstream/credentials.js';

export interface AppOptions {
  config: Config;
  logger: Logger;
  /** The server's own keys (from config, or the embedded sandbox's); undefined = multi-tenant. */
  serverKeys: Credentials | undefined;
  /** Upstream limits when they differ from the contract (tests shrink them). */
  limits?: typeof UPSTREAM_LIMITS;
  /** Key prefix in Redis; replicas of one deployment share it. */
  redisPrefix?: string;
}

/** Wire every part from a Config: dispatcher, metrics, Redis, limiter, caches, client, yoga. */
export function createApp(o: AppOptions) {
  const c = o.config;
  const dispatcher = new Agent({
    connect: { timeout: c.UPSTREAM_CONNECT_TIMEOUT_MS },
    connections: c.UPSTREAM_CONNECTIONS,
    keepAliveTimeout: 10_000,
    headersTimeout: c.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeout: c.UPSTREAM_BODY_TIMEOUT_MS,
  });
  const metrics = createMetrics({ defaultMetrics: c.NODE_ENV !== 'test' });
  const prefix = o.redisPrefix ?? 'jpg:';
  const redis = c.REDIS_URL
    ? new Redis(c.REDIS_URL, {
        // Fail fast while Redis is away: the limiter falls back to its local share, caches miss.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        commandTimeout: 1_000,
        retryStrategy: (times) => Math.min(times * 100, 1_000),
        lazyConnect: false,
      })
    : undefined;
  redis?.on('error', (e: Error) => o.logger.debug({ err: e.message }, 'redis error'));
  const gate = new RateGate({
    ...(redis && { shared: new RedisSlidingWindow(redis, prefix) }),
    logger: o.logger,
    metrics,
    minuteMs: c.RATE_WINDOW_MINUTE_MS,
    hourMs: c.RATE_WINDOW_HOUR_MS,
    maxWaitMs: c.RATE_LIMIT_MAX_WAIT_MS,
    downShare: c.REDIS_DOWN_BUDGET_SHARE,
    windowMargin: { ratio: c.RATE_WINDOW_MARGIN_RATIO, maxMs: c.RATE_WINDOW_MARGIN_MAX_MS },
    ...(o.limits && { limits: o.limits }),
  });
  const client = createJobsPikrClient({
    baseUrl: c.JOBSPIKR_BASE_URL.replace(/\/+$/, ''),
    fallbackBaseUrl: c.JOBSPIKR_FALLBACK_BASE_URL.replace(/\/+$/, ''),
    dispatcher,
    logger: o.logger,
    metrics,
    gate,
    headersTimeoutMs: c.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: c.UPSTREAM_BODY_TIMEOUT_MS,
    deadlineMs: c.UPSTREAM_DEADLINE_MS,
    maxAttempts: c.UPSTREAM_MAX_ATTEMPTS,
    backoffBaseMs: c.UPSTREAM_BACKOFF_BASE_MS,
    backoffMaxMs: c.UPSTREAM_BACKOFF_MAX_MS,
    failover: {
      failureThreshold: c.FAILOVER_THRESHOLD,
      cooldownMs: c.FAILOVER_COOLDOWN_MS,
      failureRate:
        c.FAILOVER_RATE_RATIO > 0 ? { windowMs: c.FAILOVER_RATE_WINDOW_MS, minCalls: c.FAILOVER_RATE_MIN_CALLS, ratio: c.FAILOVER_RATE_RATIO } : undefined,
      probeIntervalMs: c.FAILOVER_PROBE_INTERVAL_MS,
      probeTimeoutMs: Math.min(2_000, c.UPSTREAM_HEADERS_TIMEOUT_MS),
    },
  });
  const cache = new TieredCache({ maxBytes: c.CACHE_MAX_BYTES, redis, prefix: `${prefix}cache:`, logger: o.logger });
  // Verified-key and peer single-flight timings; JobsService forwards them to VerifiedKeys / PeerFlight
  // (spread: jobs-service.ts declares them in JobsServiceOptions once the pending change there lands).
  const jobs = new JobsService({
    verified: { ttlMs: c.VERIFIED_KEY_TTL_MS, recheckMs: c.VERIFIED_KEY_RECHECK_MS },
    peer: { pollMs: c.PEER_FLIGHT_POLL_MS, resultTtlMs: c.PEER_FLIGHT_RESULT_TTL_MS },
    client,
    cache,
    gate,
    redis,
    prefix,
    logger: o.logger,
    metrics,
    peerWaitMs: c.UPSTREAM_DEADLINE_MS,
    ttl: { searchMs: c.CACHE_TTL_SEARCH_MS, aggregateMs: c.CACHE_TTL_AGGREGATE_MS, expiredMs: c.CACHE_TTL_EXPIRED_MS, recordMs: c.CACHE_TTL_RECORD_MS },
  });
  if (!c.CURSOR_SECRET && c.REDIS_URL) o.logger.warn('CURSOR_SECRET is not set: cursors issued by one replica will not work on another');
  const yoga = createServer({
    jobs,
    gate,
    serverKeys: o.serverKeys,
    cursorSecret: c.CURSOR_SECRET ?? randomBytes(32).toString('hex'),
    logger: o.logger,
    metrics,
    hosts: client.hosts,
    production: c.NODE_ENV === 'production',
    limits: {
      maxDepth: c.MAX_DEPTH,
      maxAliases: c.MAX_ALIASES,
      maxTokens: c.MAX_TOKENS,
      maxDirectives: c.MAX_DIRECTIVES,
      maxCost: c.MAX_COST,
      maxBodyBytes: c.MAX_BODY_BYTES,
      maxBatch: c.MAX_BATCH,
      maxCreditsPerOperation: c.MAX_CREDITS_PER_OPERATION,
    },
  });
  return {
    yoga,
    metrics,
    jobs,
    gate,
    cache,
    client,
    async close(): Promise<void> {
      client.close();
      redis?.disconnect();
      await dispatcher.close();
    },
  };
}
export type App = ReturnType<typeof createApp>;
