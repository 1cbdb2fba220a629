import type { RevalidatorOptions } from './budget/revalidate.js';
import { z } from 'zod';
import type { RateGateOptions } from './budget/rate-gate.js';
import type { UpstreamOptions } from './upstream/client.js';
import type { FailoverOptions } from './upstream/hosts.js';

// Every setting, with the reason for its default; fixed bounds that are not settings are in limits.ts.
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optional = z.string().trim().min(1).optional();

const EnvSchema = z.object({
  /** Production unless told otherwise: unexpected errors are masked (development shows their cause). */
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
  HOST: z.string().default('0.0.0.0'),
  /** Open client connections at most; more are closed at once (each holds a socket and its buffers). */
  HTTP_MAX_CONNECTIONS: int(1_000, 1),
  /** Whole request (headers and body) must arrive within this: Node's 300 s default lets slow bodies hold sockets. */
  HTTP_REQUEST_TIMEOUT_MS: int(30_000, 1),
  /** Request headers must arrive within this. */
  HTTP_HEADERS_TIMEOUT_MS: int(10_000, 1),
  /** An idle keep-alive connection closes after this. */
  HTTP_KEEP_ALIVE_TIMEOUT_MS: int(5_000, 1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JOBSPIKR_BASE_URL: z.url().default('https://api.jobspikr.com/v2'),
  JOBSPIKR_FALLBACK_BASE_URL: z.url().default('https://api-bcp.jobspikr.com/v2'),
  JOBSPIKR_CLIENT_ID: optional,
  JOBSPIKR_CLIENT_AUTH_KEY: optional,
  /** Send the server's keys as HTTP Basic instead of the documented headers. */
  JOBSPIKR_AUTH_SCHEME: z.enum(['headers', 'basic']).default('headers'),
  /** Multi-tenant: every request must bring its own JobsPikr keys. */
  REQUIRE_CLIENT_CREDENTIALS: bool(false),
  /** Signs pagination cursors; set one shared value when running several replicas. */
  CURSOR_SECRET: optional,
  REDIS_URL: optional,
  /** At start-up, wait this long for Redis before listening: a replica that listens first spends on its local share. */
  REDIS_STARTUP_WAIT_MS: int(2_000),
  // Upstream timing: undici's own defaults (300 s) would hold a browser for minutes.
  UPSTREAM_CONNECT_TIMEOUT_MS: int(3_000, 1),
  UPSTREAM_HEADERS_TIMEOUT_MS: int(10_000, 1),
  UPSTREAM_BODY_TIMEOUT_MS: int(10_000, 1),
  /** Deadline of one upstream call with all its retries. */
  UPSTREAM_DEADLINE_MS: int(15_000, 1),
  UPSTREAM_MAX_ATTEMPTS: int(4, 1),
  UPSTREAM_BACKOFF_BASE_MS: int(100, 1),
  UPSTREAM_BACKOFF_MAX_MS: int(2_000, 1),
  UPSTREAM_CONNECTIONS: int(32, 1),
  /** Consecutive host faults before calls move to the fallback host. */
  FAILOVER_THRESHOLD: int(3, 1),
  FAILOVER_COOLDOWN_MS: int(30_000, 1),
  /** Also fail over when this share of calls in the window were host faults (0 = off). */
  FAILOVER_RATE_RATIO: z.coerce.number().min(0).max(1).default(0.5),
  FAILOVER_RATE_WINDOW_MS: int(60_000, 1),
  /** Fewest calls in the window before the rate counts (a single failure is not a rate). */
  FAILOVER_RATE_MIN_CALLS: int(20, 1),
  FAILOVER_PROBE_INTERVAL_MS: int(5_000, 1),
  // Budget guard.
  /** How long a call may queue for rate budget before failing with RATE_LIMITED. */
  RATE_LIMIT_MAX_WAIT_MS: int(2_000),
  /** Share of each limit a replica keeps for itself while Redis is unreachable. */
  REDIS_DOWN_BUDGET_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  RATE_WINDOW_MINUTE_MS: int(60_000, 1),
  RATE_WINDOW_HOUR_MS: int(3_600_000, 1),
  /** Our windows outlast the upstream's by this share: we stamp a call before it leaves, it when it arrives. */
  RATE_WINDOW_MARGIN_RATIO: z.coerce.number().min(0).max(1).default(0.02),
  /** Cap on that margin, so an hour window is not held a minute longer than needed. */
  RATE_WINDOW_MARGIN_MAX_MS: int(1_000),
  /** An accepted key pair gets cached data this long without another accepted call (a revoked key stops soon). */
  VERIFIED_KEY_TTL_MS: int(60 * 60_000, 1),
  /** With Redis, a replica re-reads a pair's mark this often (a peer may have seen it refused). */
  VERIFIED_KEY_RECHECK_MS: int(30_000, 1),
  /** How often a replica waiting on a peer's identical call looks for its result: well under a round trip. */
  PEER_FLIGHT_POLL_MS: int(20, 1),
  /** A peer's published result stays readable this long: enough for every waiter to pick it up. */
  PEER_FLIGHT_RESULT_TTL_MS: int(5_000, 1),
  /** In-process cache bound (estimated bytes): ~10,000 job records; RSS grows into it under load. */
  CACHE_MAX_BYTES: int(32 * 1024 * 1024, 1024),
  CACHE_TTL_SEARCH_MS: int(5 * 60_000),
  CACHE_TTL_AGGREGATE_MS: int(10 * 60_000),
  CACHE_TTL_EXPIRED_MS: int(5 * 60_000),
  CACHE_TTL_RECORD_MS: int(60 * 60_000),
  /** Cached data is kept this long past its lifetime, to answer when a fresh call fails (stale-if-error; 0 = off). */
  STALE_MAX_AGE_MS: int(24 * 60 * 60_000),
  /** A count or expired list hit in this last part of its lifetime is refreshed in the background (0 = off). */
  SWR_WINDOW_RATIO: z.coerce.number().min(0).max(1).default(0.2),
  /** Worst-case credits one HTTP request may spend (a batch sums); x-max-credits may only lower it. */
  MAX_CREDITS_PER_OPERATION: int(500, 0),
  /**
   * Distinct upstream calls one HTTP request may start (a batch sums): a dashboard's request makes a few;
   * 10 counts alone would take a key's whole /aggregate_data minute.
   */
  MAX_UPSTREAM_CALLS_PER_REQUEST: int(8, 1),
  /**
   * Largest answer (bytes): a full page of 100 jobs with every field is ~120 KB, so a dashboard's eight
   * searches stay near 1 MB; more is an alias flood.
   */
  MAX_RESPONSE_BYTES: int(2 * 1024 * 1024, 1024),
  // Operation limits: the biggest honest query a dashboard sends stays far below each.
  MAX_DEPTH: int(12, 1),
  MAX_ALIASES: int(30, 1),
  MAX_TOKENS: int(2_000, 1),
  MAX_DIRECTIVES: int(20, 1),
  MAX_COST: int(5_000, 1),
  MAX_BODY_BYTES: int(100_000, 1),
  MAX_BATCH: int(10, 0),
  /** GraphiQL on GET /graphql; off in a deployment that wants no page (it ships ~9 MB of assets, compressed to ~2 MB). */
  GRAPHIQL: bool(true),
});

export type Env = z.output<typeof EnvSchema>;

export type LogLevel = Env['LOG_LEVEL'];

/** The server's own JobsPikr keys and how they are sent. */
export interface ServerKeys {
  clientId: string;
  authKey: string;
  scheme: 'headers' | 'basic';
}

/**
 * The settings, grouped as the factories that take them want them (each group is handed on whole).
 * Env variable names are the README's; this shape is what the code reads.
 */
export interface Config {
  env: Env['NODE_ENV'];
  /** Unexpected errors are masked in production. */
  production: boolean;
  /** GraphiQL on GET /graphql (Accept: text/html). */
  graphiql: boolean;
  log: { level: LogLevel };
  http: { port: number; host: string; maxConnections: number; requestTimeoutMs: number; headersTimeoutMs: number; keepAliveTimeoutMs: number };
  /** No keys configured: the server runs the embedded sandbox and uses its keys. */
  useSandbox: boolean;
  /** Keys configured for the server itself (never spent on a caller's behalf in multi-tenant mode). */
  serverKeys: ServerKeys | undefined;
  /** Multi-tenant: every request must bring its own JobsPikr keys. */
  requireClientCredentials: boolean;
  cursor: { secret: string | undefined };
  /** The client's options (upstream/client.ts) less what the app builds, plus the pool's connect timeout and size. */
  upstream: Omit<UpstreamOptions, 'dispatcher' | 'logger' | 'metrics' | 'gate' | 'failover'> & { connectTimeoutMs: number; connections: number };
  /** Circuit breaking per host (upstream/hosts.ts); the probe timeout follows the headers timeout. */
  failover: Omit<FailoverOptions, 'probeTimeoutMs'>;
  rateGate: Pick<RateGateOptions, 'minuteMs' | 'hourMs' | 'maxWaitMs' | 'downShare' | 'windowMargin'>;
  redis: { url: string | undefined; startupWaitMs: number };
  cache: { maxBytes: number; staleMaxAgeMs: number; ttl: { searchMs: number; aggregateMs: number; expiredMs: number; recordMs: number } };
  /** stale-while-revalidate of the free endpoints (budget/revalidate.ts). */
  revalidate: Pick<RevalidatorOptions, 'windowRatio'>;
  verifiedKeys: { ttlMs: number; recheckMs: number };
  peerFlight: { pollMs: number; resultTtlMs: number };
  /** What one request may ask for: document shape, body, batch and worst-case credits. */
  operationLimits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxDirectives: number;
    maxCost: number;
    maxBodyBytes: number;
    maxBatch: number;
    maxCreditsPerOperation: number;
    maxUpstreamCallsPerRequest: number;
    maxResponseBytes: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

function group(e: Env): Config {
  const keys =
    e.JOBSPIKR_CLIENT_ID && e.JOBSPIKR_CLIENT_AUTH_KEY
      ? { clientId: e.JOBSPIKR_CLIENT_ID, authKey: e.JOBSPIKR_CLIENT_AUTH_KEY, scheme: e.JOBSPIKR_AUTH_SCHEME }
      : undefined;
  return {
    env: e.NODE_ENV,
    production: e.NODE_ENV === 'production',
    graphiql: e.GRAPHIQL,
    log: { level: e.LOG_LEVEL },
    http: {
      port: e.PORT,
      host: e.HOST,
      maxConnections: e.HTTP_MAX_CONNECTIONS,
      // Node refuses a headers timeout longer than the request timeout.
      requestTimeoutMs: e.HTTP_REQUEST_TIMEOUT_MS,
      headersTimeoutMs: Math.min(e.HTTP_HEADERS_TIMEOUT_MS, e.HTTP_REQUEST_TIMEOUT_MS),
      keepAliveTimeoutMs: e.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    },
    useSandbox: keys === undefined && !e.REQUIRE_CLIENT_CREDENTIALS,
    // In multi-tenant mode configured keys are never spent on a caller's behalf.
    serverKeys: e.REQUIRE_CLIENT_CREDENTIALS ? undefined : keys,
    requireClientCredentials: e.REQUIRE_CLIENT_CREDENTIALS,
    cursor: { secret: e.CURSOR_SECRET },
    upstream: {
      baseUrl: trimSlash(e.JOBSPIKR_BASE_URL),
      fallbackBaseUrl: trimSlash(e.JOBSPIKR_FALLBACK_BASE_URL),
      connectTimeoutMs: e.UPSTREAM_CONNECT_TIMEOUT_MS,
      headersTimeoutMs: e.UPSTREAM_HEADERS_TIMEOUT_MS,
      bodyTimeoutMs: e.UPSTREAM_BODY_TIMEOUT_MS,
      deadlineMs: e.UPSTREAM_DEADLINE_MS,
      maxAttempts: e.UPSTREAM_MAX_ATTEMPTS,
      backoffBaseMs: e.UPSTREAM_BACKOFF_BASE_MS,
      backoffMaxMs: e.UPSTREAM_BACKOFF_MAX_MS,
      connections: e.UPSTREAM_CONNECTIONS,
    },
    failover: {
      failureThreshold: e.FAILOVER_THRESHOLD,
      cooldownMs: e.FAILOVER_COOLDOWN_MS,
      failureRate:
        e.FAILOVER_RATE_RATIO > 0 ? { windowMs: e.FAILOVER_RATE_WINDOW_MS, minCalls: e.FAILOVER_RATE_MIN_CALLS, ratio: e.FAILOVER_RATE_RATIO } : undefined,
      probeIntervalMs: e.FAILOVER_PROBE_INTERVAL_MS,
    },
    rateGate: {
      minuteMs: e.RATE_WINDOW_MINUTE_MS,
      hourMs: e.RATE_WINDOW_HOUR_MS,
      maxWaitMs: e.RATE_LIMIT_MAX_WAIT_MS,
      downShare: e.REDIS_DOWN_BUDGET_SHARE,
      windowMargin: { ratio: e.RATE_WINDOW_MARGIN_RATIO, maxMs: e.RATE_WINDOW_MARGIN_MAX_MS },
    },
    redis: { url: e.REDIS_URL, startupWaitMs: e.REDIS_STARTUP_WAIT_MS },
    cache: {
      maxBytes: e.CACHE_MAX_BYTES,
      staleMaxAgeMs: e.STALE_MAX_AGE_MS,
      ttl: { searchMs: e.CACHE_TTL_SEARCH_MS, aggregateMs: e.CACHE_TTL_AGGREGATE_MS, expiredMs: e.CACHE_TTL_EXPIRED_MS, recordMs: e.CACHE_TTL_RECORD_MS },
    },
    revalidate: { windowRatio: e.SWR_WINDOW_RATIO },
    verifiedKeys: { ttlMs: e.VERIFIED_KEY_TTL_MS, recheckMs: e.VERIFIED_KEY_RECHECK_MS },
    peerFlight: { pollMs: e.PEER_FLIGHT_POLL_MS, resultTtlMs: e.PEER_FLIGHT_RESULT_TTL_MS },
    operationLimits: {
      maxDepth: e.MAX_DEPTH,
      maxAliases: e.MAX_ALIASES,
      maxTokens: e.MAX_TOKENS,
      maxDirectives: e.MAX_DIRECTIVES,
      maxCost: e.MAX_COST,
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxBatch: e.MAX_BATCH,
      maxCreditsPerOperation: e.MAX_CREDITS_PER_OPERATION,
      maxUpstreamCallsPerRequest: e.MAX_UPSTREAM_CALLS_PER_REQUEST,
      maxResponseBytes: e.MAX_RESPONSE_BYTES,
    },
  };
}

/** Parse the environment; every problem is reported at once. Pure: no process access. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = EnvSchema.safeParse(cleaned);
  const problems = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
  // Checked outside the schema so it is reported together with every other problem.
  if ('JOBSPIKR_CLIENT_ID' in cleaned !== 'JOBSPIKR_CLIENT_AUTH_KEY' in cleaned) {
    problems.push('JOBSPIKR_CLIENT_AUTH_KEY: set both JOBSPIKR_CLIENT_ID and JOBSPIKR_CLIENT_AUTH_KEY, or neither (neither = embedded sandbox)');
  }
  if (!r.success || problems.length) throw new ConfigError(problems);
  return group(r.data);
}
