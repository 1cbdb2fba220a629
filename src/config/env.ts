import { z } from 'zod';

// Every setting, with the reason for its default; fixed bounds that are not settings are in limits.ts.
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(def ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optional = z.string().trim().min(1).optional();

/** The env variables loadConfig reads; config.ts adds the checks that span several of them. */
export const EnvSchema = z.object({
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
  // OpenTelemetry, by the specification's names: tracing is off unless an OTLP endpoint is set.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /** grpc is not offered: these are the two OTLP/HTTP encodings (protobuf is the specification's default). */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(['http/protobuf', 'http/json']).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: z.enum(['http/protobuf', 'http/json']).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: optional,
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('jobspikr-graphql'),
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** How long finished spans wait to be sent together (the specification's default). */
  OTEL_BSP_SCHEDULE_DELAY: int(5_000, 1),
  /** A persisted-documents.json (graphql-codegen client preset): requests may send {"documentId": ...} from it. */
  TRUSTED_DOCUMENTS_FILE: optional,
  /** Refuse every document that is not in TRUSTED_DOCUMENTS_FILE (PERSISTED_QUERY_ONLY), before parsing it. */
  TRUSTED_DOCUMENTS_ONLY: bool(false),
  /** On SIGTERM, /readyz answers 503 this long before the listener closes (let the load balancer notice first). */
  SHUTDOWN_DELAY_MS: int(0),
  /** Longest a shutdown waits for in-flight operations; longer than UPSTREAM_DEADLINE_MS so an upstream call can end. */
  SHUTDOWN_GRACE_MS: int(30_000, 1),
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
  /** Whole answers of operations served wholly from cache, remembered in this process (plugins/answer-cache.ts; 0 = off). */
  ANSWER_CACHE_MAX_BYTES: int(4 * 1024 * 1024, 0),
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
  // Live job alerts (subscription jobPosted): one poll per distinct filter, inside the /data budget.
  /** Most of each /data window polls may take; interactive calls keep the rest and go first. */
  LIVE_MAX_RATE_SHARE: z.coerce.number().gt(0).max(1).default(0.2),
  /** Poll interval bounds: the fastest a topic with news is polled, the slowest a quiet or squeezed one. */
  LIVE_MIN_POLL_MS: int(3_000, 1),
  LIVE_MAX_POLL_MS: int(60_000, 1),
  /** How long delivered events stay replayable for a client reconnecting with Last-Event-ID. */
  LIVE_REPLAY_MS: int(5 * 60_000, 1),
  /** A replica's claim on polling a topic lasts this long unless renewed (a crashed poller is replaced after it). */
  LIVE_LEASE_MS: int(10_000, 1),
  /** Subscriptions one connection (an SSE stream, or a TCP connection) may hold: a browser tab needs a handful. */
  LIVE_MAX_SUBSCRIPTIONS_PER_CONNECTION: int(10, 1),
  /** Subscriptions one caller may hold across its connections on this server. */
  LIVE_MAX_SUBSCRIPTIONS_PER_CALLER: int(25, 1),
  /** Distinct topics (filter + key pair) this server follows: each costs a poll stream inside the share. */
  LIVE_MAX_TOPICS: int(100, 1),
  /** Events queued for a subscriber that is not reading; past this it is cut off. At least a page: one poll delivers up to 100 at once. */
  LIVE_SUBSCRIBER_BUFFER: int(256, 100),
  /** The embedded sandbox publishes this many new postings a minute (npm start shows live jobs; 0 = none). */
  SANDBOX_POSTINGS_PER_MINUTE: z.coerce.number().min(0).max(6_000).default(3),
  // Callers: who spends the server's keys, how much, and how fast (README "Callers").
  /** Service tokens: comma-separated `id:sha256hex[:creditsPerDay]` (the token's SHA-256, never the token). */
  CALLER_TOKENS: optional,
  AUTH_JWKS_URL: z.url().optional(),
  AUTH_ISSUER: optional,
  AUTH_AUDIENCE: optional,
  AUTH_CALLER_CLAIM: z.string().trim().min(1).default('sub'),
  AUTH_QUOTA_CLAIM: z.string().trim().min(1).default('jobspikr_credits_per_day'),
  /** A fetched key set is used this long before it is fetched again (an unknown `kid` refetches sooner). */
  AUTH_JWKS_CACHE_MS: int(10 * 60_000, 1),
  /** Least time between two fetches of the key set: a flood of unknown `kid`s cannot hammer the issuer. */
  AUTH_JWKS_COOLDOWN_MS: int(30_000, 0),
  AUTH_JWKS_TIMEOUT_MS: int(5_000, 1),
  /** Refuse requests without a valid caller token (UNAUTHENTICATED) instead of serving them as anonymous. */
  AUTH_REQUIRED: bool(false),
  /** Read the client address from X-Forwarded-For (its last entry, set by the nearest proxy). */
  TRUST_PROXY: bool(false),
  CALLER_CREDITS_PER_DAY: z.coerce.number().int().min(0).optional(),
  /** Each anonymous address's quota; defaults to CALLER_CREDITS_PER_DAY. */
  ANONYMOUS_CREDITS_PER_DAY: z.coerce.number().int().min(0).optional(),
  /** Length of a quota period (a day; tests shrink it). */
  CALLER_QUOTA_PERIOD_MS: int(86_400_000, 1),
  /** Most of any upstream rate window one caller may hold (1 = no fair share). */
  CALLER_MAX_RATE_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  /** Browser origins allowed with credentials; unset = any origin, never with credentials. */
  CORS_ORIGINS: optional,
  /** GraphiQL on GET /graphql; off in a deployment that wants no page (it ships ~9 MB of assets, compressed to ~2 MB). */
  GRAPHIQL: bool(true),
});

export type Env = z.output<typeof EnvSchema>;

export type LogLevel = Env['LOG_LEVEL'];
