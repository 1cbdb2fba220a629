/**
 * Fixed bounds: numbers that are not settings but keep one request, caller or record within what
 * the upstream contract (docs/CONTRACT.md) or this process can serve. Settings live in config.ts.
 */

/** Most records one upstream page or `terms` lookup returns (CONTRACT §3: size 1..100). */
export const MAX_PAGE_SIZE = 100;

/** `first` when a client leaves it out: a screenful, cheap in credits. */
export const DEFAULT_PAGE_SIZE = 10;

/** Most buckets one aggregation level may ask for (CONTRACT §4: size 1..1000). */
export const MAX_BUCKETS = 1000;

/** Buckets per level when `limit` is left out. */
export const DEFAULT_BUCKETS = 10;

/** Longest free-text filter value: longer is no search a person types, and it bloats the Lucene query. */
export const MAX_FILTER_TEXT = 200;

/** Most skills one filter may name: each becomes a clause of the upstream query. */
export const MAX_FILTER_SKILLS = 20;

/** Longest cursor we try to read: ours are far shorter, so anything longer is not ours. */
export const MAX_CURSOR_LENGTH = 512;

/** Longest JobsPikr client id or key we pass on; anything longer is not a JobsPikr key. */
export const MAX_KEY_LENGTH = 256;

/** Most ids (`nodes`, `jobsByUniqIds`) or entity representations one field takes: one upstream lookup's worth. */
export const MAX_IDS_PER_FIELD = MAX_PAGE_SIZE;

/** Pothos complexity breadth: fields one selection set may list (well above any honest query). */
export const MAX_BREADTH = 1000;

/** Idle upstream keep-alive sockets close after this: below JobsPikr's own idle timeout, so we never write to a closed one. */
export const UPSTREAM_KEEP_ALIVE_MS = 10_000;

/** A Redis command that takes longer fails: the limiter falls back to its local share, caches miss. */
export const REDIS_COMMAND_TIMEOUT_MS = 1_000;

/** Longest pause between Redis reconnect attempts. */
export const REDIS_RECONNECT_MAX_MS = 1_000;

/** A background probe of a failed host gives up after this (never longer than the headers timeout). */
export const PROBE_TIMEOUT_MS = 2_000;

/** Share of each rate window a background call (refresh, live poll, deep page) leaves to interactive calls; at least one slot. */
export const BACKGROUND_RESERVE_RATIO = 0.1;

/** How often a background call that stepped back for waiting interactive calls looks again. */
export const YIELD_POLL_MS = 50;

/**
 * Rate budget of one key pair the upstream has not accepted (its probes), per endpoint: its own small
 * bucket beside (never inside) its client id's budget. A tenant's first call after a restart is such a
 * probe; a flood of wrong keys for the id gets this much per pair, and one call in flight per pair.
 */
export const PROBE_LIMITS = { perMinute: 3, perHour: 30 } as const;

/** Most limiter keys (client id x endpoint, and probe buckets) a process keeps; least recently used go first. */
export const MAX_LIMITER_KEYS = 20_000;

/** Most key pairs a process remembers as accepted (and client ids with their accepted pairs). */
export const MAX_VERIFIED_PAIRS = 20_000;

/** Pages a client reads before its paging counts as background (a first page, or the next two, is someone looking). */
export const INTERACTIVE_PAGES = 3;

/** Most of each rate window background refreshes may use together: the rest stays for questions not cached yet. */
export const REFRESH_SHARE = 0.5;

/** Events kept per live topic for Last-Event-ID replay, whatever their age: a burst cannot make the replay list huge. */
export const LIVE_REPLAY_MAX_EVENTS = 1_000;
/** /readyz re-checks at most this often: load balancers ask every few seconds, and a flood of /readyz is not a flood of probes. */
export const READINESS_CACHE_MS = 1_000;

/** Longest bearer token read: far above any JWT a gateway forwards; longer is not hashed or parsed. */
export const MAX_CALLER_TOKEN_LENGTH = 8_192;

/** Callers named in /metrics labels beyond the configured service tokens; the rest count as `other`. */
export const MAX_CALLER_METRIC_LABELS = 50;

/** Callers whose quota count a replica remembers between operations (for `extensions.jobspikr`); LRU beyond. */
export const MAX_CALLERS_REMEMBERED = 10_000;

/** A verified caller JWT is trusted again without a signature check for at most this long (never past its `exp`). */
export const VERIFIED_TOKEN_TTL_MS = 60_000;

/** Verified caller JWTs remembered at once (LRU beyond): one per active user behind a gateway. */
export const MAX_VERIFIED_TOKENS = 10_000;

/** JSON answers from this size on are compressed for clients that take it: a search page of 10-20 jobs stays below (no CPU spent), introspection and big pages are packed. */
export const RESPONSE_COMPRESSION_MIN_BYTES = 16_384;
