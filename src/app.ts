import { randomBytes, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Agent } from 'undici';
import { TieredCache } from './budget/cache.js';
import { AnswerCache } from './plugins/answer-cache.js';
import { JobsService } from './budget/jobs-service.js';
import { RateGate, type UPSTREAM_LIMITS } from './budget/rate-gate.js';
import { RedisSlidingWindow } from './budget/sliding-window.js';
import { createCallerMetrics } from './callers/caller-metrics.js';
import { CallerQuotas } from './callers/caller-quotas.js';
import { createCallerResolver } from './callers/resolve-caller.js';
import type { Config } from './config.js';
import { PROBE_TIMEOUT_MS, READINESS_CACHE_MS, REDIS_COMMAND_TIMEOUT_MS, REDIS_RECONNECT_MAX_MS, UPSTREAM_KEEP_ALIVE_MS } from './limits.js';
import { createMetrics } from './metrics.js';
import { createCursorCodec } from './schema/cursor.js';
import { Readiness } from './ops/readiness.js';
import { loadTrustedDocuments } from './ops/trusted-documents.js';
import { createServer } from './server.js';
import { createJobsPikrClient } from './upstream/client.js';
import { createLiveHub } from './live/create.js';
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
  /** A tracer provider is registered (index.ts started tracing): serve operation spans. */
  tracing?: boolean;
}

function connectRedis(url: string, logger: Logger): Redis {
  // Loaded only here: a single replica without Redis does not pay for ioredis at start-up.
  const { Redis: Client } = createRequire(import.meta.url)('ioredis') as typeof import('ioredis');
  const redis = new Client(url, {
    // Fail fast while Redis is away: the limiter falls back to its local share, caches miss.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
    retryStrategy: (times) => Math.min(times * 100, REDIS_RECONNECT_MAX_MS),
    lazyConnect: false,
  });
  redis.on('error', (e: Error) => logger.debug({ err: e.message }, 'redis error'));
  return redis;
}

/** Composition: every part built once from its config group, nothing read from the environment. */
export function createApp(o: AppOptions) {
  const c = o.config;
  const { logger } = o;
  const dispatcher = new Agent({
    connect: { timeout: c.upstream.connectTimeoutMs },
    connections: c.upstream.connections,
    keepAliveTimeout: UPSTREAM_KEEP_ALIVE_MS,
    headersTimeout: c.upstream.headersTimeoutMs,
    bodyTimeout: c.upstream.bodyTimeoutMs,
  });
  const metrics = createMetrics({ defaultMetrics: c.env !== 'test' });
  const prefix = o.redisPrefix ?? 'jpg:';
  const redis = c.redis.url ? connectRedis(c.redis.url, logger) : undefined;
  const gate = new RateGate({
    ...c.rateGate,
    ...(redis && { shared: new RedisSlidingWindow(redis, prefix) }),
    logger,
    metrics,
    ...(o.limits && { limits: o.limits }),
  });
  const client = createJobsPikrClient({
    ...c.upstream,
    dispatcher,
    logger,
    metrics,
    gate,
    failover: { ...c.failover, probeTimeoutMs: Math.min(PROBE_TIMEOUT_MS, c.upstream.headersTimeoutMs) },
  });
  const cache = new TieredCache({ maxBytes: c.cache.maxBytes, staleMaxAgeMs: c.cache.staleMaxAgeMs, redis, prefix: `${prefix}cache:`, logger });
  const jobs = new JobsService({
    client,
    cache,
    redis,
    prefix,
    logger,
    metrics,
    ttl: c.cache.ttl,
    verified: c.verifiedKeys,
    peer: { ...c.peerFlight, waitMs: c.upstream.deadlineMs },
    upstreamAvailable: () => client.hosts.available(),
    revalidate: c.revalidate,
  });
  const answers = c.cache.answerMaxBytes > 0 ? new AnswerCache({ cache, metrics, maxBytes: c.cache.answerMaxBytes }) : undefined;
  if (!c.cursor.secret && redis) logger.warn('CURSOR_SECRET is not set: cursors issued by one replica will not work on another');
  const live = createLiveHub({ ...c.live, redis, prefix, jobs, gate, logger, replica: randomUUID() });
  const readiness = new Readiness({
    hosts: client.hosts.hosts,
    dispatcher,
    redis,
    probeTimeoutMs: Math.min(PROBE_TIMEOUT_MS, c.upstream.headersTimeoutMs),
    cacheMs: READINESS_CACHE_MS,
  });
  const yoga = createServer({
    live,
    readiness,
    tracing: o.tracing ?? false,
    trustedDocuments: { documents: c.trustedDocuments.file ? loadTrustedDocuments(c.trustedDocuments.file) : new Map(), only: c.trustedDocuments.only },
    jobs,
    gate,
    serverKeys: o.serverKeys,
    cursors: createCursorCodec(c.cursor.secret ?? randomBytes(32).toString('hex')),
    logger,
    metrics,
    hosts: client.hosts,
    production: c.production,
    graphiql: c.graphiql,
    limits: c.operationLimits,
    callerRateShare: c.callers.maxRateShare,
    quotas: new CallerQuotas({ redis, prefix, periodMs: c.callers.periodMs, logger }),
    resolveCaller: createCallerResolver(c.callers),
    callerMetrics: createCallerMetrics(
      metrics.registry,
      c.callers.tokens.map((t) => t.id),
    ),
    cors: c.cors,
    answers,
  });
  return {
    yoga,
    readiness,
    metrics,
    jobs,
    gate,
    cache,
    client,
    live,
    async close(): Promise<void> {
      await live.close();
      client.close();
      redis?.disconnect();
      await dispatcher.close();
    },
  };
}
export type App = ReturnType<typeof createApp>;
