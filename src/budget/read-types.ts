// The request and option shapes of the read-through path, apart from its mechanics (read-through.ts),
// so the callers that only build requests (jobs-service.ts) need not read how they are flown.
import type { Redis } from 'ioredis';
import type { Admission } from '../callers/admission.js';
import type { Metrics } from '../metrics.js';
import type { Page } from '../upstream/adapters.js';
import type { Credentials } from '../upstream/credentials.js';
import type { CallBudget } from '../upstream/http.js';
import type { TieredCache } from './cache.js';
import type { CreditLedger } from './credit-ledger.js';
import type { Revalidator } from './revalidate.js';
import type { OperationUsage } from './usage.js';

/** One operation's view: whose keys, its cancel signal, its usage counters. */
export interface OpContext {
  credentials: Credentials;
  signal?: AbortSignal | undefined;
  usage: OperationUsage;
  /** How this operation's upstream calls draw on the rate budget (lane, shares). */
  budget?: CallBudget | undefined;
  /** Passed before the operation's first upstream call (the caller's quota); absent = always admitted. */
  admission?: Admission | undefined;
}

export interface Fetched<T> {
  value: T;
  /** Records the upstream charged for this value (0 for free endpoints). */
  records: number;
}

/** The upstream call itself, under the flight's signal and the rate budget it is to draw on. */
export type Call<T> = (signal: AbortSignal, budget: CallBudget | undefined) => Promise<Fetched<T>>;

export type CacheKind = 'search' | 'expired' | 'aggregate' | 'lookup';

export interface FetchRequest<T> {
  /** Identity of the call: equal keys share one upstream call. */
  key: string;
  op: OpContext;
  /** Whether the caller's pair is accepted (then it may share a call with other accepted pairs). */
  trusted: boolean;
  kind: CacheKind;
  call: Call<T>;
  /** Cache writes: run once, by the caller that made the call, before the others resume. */
  store?: (r: Fetched<T>) => Promise<void>;
}

export interface PageRequest<T> {
  /** The cache key of the page that starts at `cursor`. */
  keyAt: (cursor: string | null) => string;
  cursor: string | null;
  size: number;
  ttlMs: number;
  op: OpContext;
  kind: 'search' | 'expired';
  call: Call<Page<T>>;
  /**
   * For pages whose key carries a version (expired lists): the key of a pointer to the key the page
   * was last stored under, so a page of an older version can still answer when the fresh call fails.
   */
  lastKeyAt?: (cursor: string | null) => string;
}

export interface ReadThroughOptions {
  cache: TieredCache;
  ledger: CreditLedger;
  metrics: Metrics;
  redis?: Redis | undefined;
  prefix: string;
  verified: { ttlMs: number; recheckMs: number };
  /** Cross-replica single-flight: how long to wait for a peer, how often to look, how long a result stays. */
  peer: { waitMs: number; pollMs: number; resultTtlMs: number };
  /** False while no JobsPikr host may be tried (both circuits open): stale data answers at once. */
  upstreamAvailable: () => boolean;
  /** stale-while-revalidate for the free endpoints; absent = off. */
  revalidator?: Revalidator | undefined;
}
