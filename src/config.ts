import { z } from 'zod';

// Every number that limits something lives here, with the reason for its default.
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
  /** Default worst-case credits one operation may spend (x-max-credits overrides downward or upward). */
  MAX_CREDITS_PER_OPERATION: int(500, 0),
  // Operation limits: the biggest honest query a dashboard sends stays far below each.
  MAX_DEPTH: int(12, 1),
  MAX_ALIASES: int(30, 1),
  MAX_TOKENS: int(2_000, 1),
  MAX_DIRECTIVES: int(20, 1),
  MAX_COST: int(5_000, 1),
  MAX_BODY_BYTES: int(100_000, 1),
  MAX_BATCH: int(10, 0),
});

export type Env = z.output<typeof EnvSchema>;

export interface Config extends Env {
  /** No keys configured: the server runs the embedded sandbox and uses its keys. */
  useSandbox: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
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
  return { ...r.data, useSandbox: r.data.JOBSPIKR_CLIENT_ID === undefined && !r.data.REQUIRE_CLIENT_CREDENTIALS };
}

/**
 * The server's own JobsPikr keys from the configuration, or undefined when callers must bring theirs:
 * in multi-tenant mode configured keys are never spent on a caller's behalf.
 */
export function configuredKeys(c: Config): { clientId: string; authKey: string; scheme: 'headers' | 'basic' } | undefined {
  if (c.REQUIRE_CLIENT_CREDENTIALS || !c.JOBSPIKR_CLIENT_ID || !c.JOBSPIKR_CLIENT_AUTH_KEY) return undefined;
  return { clientId: c.JOBSPIKR_CLIENT_ID, authKey: c.JOBSPIKR_CLIENT_AUTH_KEY, scheme: c.JOBSPIKR_AUTH_SCHEME };
}
