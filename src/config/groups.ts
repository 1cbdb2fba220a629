import type { RevalidatorOptions } from '../budget/revalidate.js';
import type { ShutdownOptions } from '../ops/shutdown.js';
import type { TracingOptions } from '../telemetry/tracing.js';
import type { RateGateOptions } from '../budget/rate-gate.js';
import type { CallerQuotasOptions } from '../callers/caller-quotas.js';
import type { CallerOptions } from '../callers/resolve-caller.js';
import type { UpstreamOptions } from '../upstream/client.js';
import type { FailoverOptions } from '../upstream/hosts.js';
import { parseCallerTokens } from './caller-tokens.js';
import type { Env, LogLevel } from './env.js';

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
  /** OpenTelemetry tracing (telemetry/tracing.ts); off without an endpoint. */
  tracing: TracingOptions;
  /** Trusted documents: the manifest's path, and whether only its documents run. */
  trustedDocuments: { file: string | undefined; only: boolean };
  /** SIGTERM: how long /readyz says 503 before the listener closes, and how long in-flight requests may take. */
  shutdown: Pick<ShutdownOptions, 'delayMs' | 'graceMs'>;
  cache: {
    maxBytes: number;
    answerMaxBytes: number;
    staleMaxAgeMs: number;
    ttl: { searchMs: number; aggregateMs: number; expiredMs: number; recordMs: number };
  };
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
  /** Live job alerts (jobPosted): polling inside the budget, replay, and the bounds on subscribers. */
  live: {
    poll: { share: number; minPollMs: number; maxPollMs: number; leaseMs: number };
    replayMs: number;
    limits: { perConnection: number; perCaller: number; topics: number; buffer: number };
  };
  /** The embedded sandbox (no keys configured). */
  sandbox: { postingsPerMinute: number };
  /** Who calls (callers/resolve-caller.ts), the quota period (callers/caller-quotas.ts), and each caller's most of a rate window. */
  callers: CallerOptions & Pick<CallerQuotasOptions, 'periodMs'> & { maxRateShare: number };
  /** undefined = any origin, without credentials. */
  cors: { origins: string[] | undefined };
}

/** `key1=value1,key2=value2` (values URL-encoded), as the OpenTelemetry specification writes OTEL_EXPORTER_OTLP_HEADERS. */
function otlpHeaders(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw?.split(',') ?? []) {
    const i = pair.indexOf('=');
    if (i > 0) out[decodeURIComponent(pair.slice(0, i).trim())] = decodeURIComponent(pair.slice(i + 1).trim());
  }
  return out;
}

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** Env (already checked by loadConfig) to the groups of Config. */
export function group(e: Env): Config {
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
    tracing: {
      endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT,
      tracesEndpoint: e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
      protocol: e.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? e.OTEL_EXPORTER_OTLP_PROTOCOL,
      headers: otlpHeaders(e.OTEL_EXPORTER_OTLP_HEADERS),
      serviceName: e.OTEL_SERVICE_NAME,
      sampler: e.OTEL_TRACES_SAMPLER,
      samplerArg: e.OTEL_TRACES_SAMPLER_ARG,
      batchDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    },
    trustedDocuments: { file: e.TRUSTED_DOCUMENTS_FILE, only: e.TRUSTED_DOCUMENTS_ONLY },
    shutdown: { delayMs: e.SHUTDOWN_DELAY_MS, graceMs: e.SHUTDOWN_GRACE_MS },
    cache: {
      maxBytes: e.CACHE_MAX_BYTES,
      answerMaxBytes: e.ANSWER_CACHE_MAX_BYTES,
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
    live: {
      poll: { share: e.LIVE_MAX_RATE_SHARE, minPollMs: e.LIVE_MIN_POLL_MS, maxPollMs: e.LIVE_MAX_POLL_MS, leaseMs: e.LIVE_LEASE_MS },
      replayMs: e.LIVE_REPLAY_MS,
      limits: {
        perConnection: e.LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION,
        perCaller: e.LIVE_MAX_SUBSCRIPTIONS_PER_CALLER,
        topics: e.LIVE_MAX_TOPICS,
        buffer: e.LIVE_SUBSCRIBER_BUFFER,
      },
    },
    sandbox: { postingsPerMinute: e.SANDBOX_POSTINGS_PER_MINUTE },
    callers: {
      tokens: parseCallerTokens(e.CALLER_TOKENS ?? '').tokens,
      jwt: e.AUTH_JWKS_URL
        ? {
            jwksUrl: e.AUTH_JWKS_URL,
            issuer: e.AUTH_ISSUER,
            audience: e.AUTH_AUDIENCE,
            callerClaim: e.AUTH_CALLER_CLAIM,
            quotaClaim: e.AUTH_QUOTA_CLAIM,
            cacheMs: e.AUTH_JWKS_CACHE_MS,
            cooldownMs: e.AUTH_JWKS_COOLDOWN_MS,
            timeoutMs: e.AUTH_JWKS_TIMEOUT_MS,
          }
        : undefined,
      required: e.AUTH_REQUIRED,
      trustProxy: e.TRUST_PROXY,
      creditsPerDay: e.CALLER_CREDITS_PER_DAY,
      anonymousCreditsPerDay: e.ANONYMOUS_CREDITS_PER_DAY ?? e.CALLER_CREDITS_PER_DAY,
      periodMs: e.CALLER_QUOTA_PERIOD_MS,
      maxRateShare: e.CALLER_MAX_RATE_SHARE,
    },
    cors: {
      origins: e.CORS_ORIGINS?.split(',')
        .map((o) => o.trim().replace(/\/+$/, ''))
        .filter(Boolean),
    },
  };
}
