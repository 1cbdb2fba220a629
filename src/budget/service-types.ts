// The options and query shapes of JobsService (jobs-service.ts), apart from how it answers them.
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { NormalizedFilter } from '../filter.js';
import type { Metrics } from '../metrics.js';
import type { AggregateFieldName } from '../upstream/adapters.js';
import type { JobsPikrClient } from '../upstream/client.js';
import type { TieredCache } from './cache.js';
import type { OpContext, ReadThroughOptions } from './read-types.js';

export interface Ttls {
  searchMs: number;
  aggregateMs: number;
  expiredMs: number;
  recordMs: number;
}

export interface JobsServiceOptions {
  client: JobsPikrClient;
  cache: TieredCache;
  ttl: Ttls;
  logger: Logger;
  metrics: Metrics;
  redis?: Redis | undefined;
  prefix: string;
  verified: ReadThroughOptions['verified'];
  peer: ReadThroughOptions['peer'];
  upstreamAvailable: ReadThroughOptions['upstreamAvailable'];
  /** stale-while-revalidate of counts and expired lists: the late part of a lifetime in which a hit refreshes. */
  revalidate: { windowRatio: number };
}

export interface SearchQuery {
  filter: NormalizedFilter;
  size: number;
  /** Upstream cursor to resume after; null = first page. */
  cursor: string | null;
  op: OpContext;
  /** A page beyond the third: it waits behind interactive calls when the budget is tight. */
  deep?: boolean;
}

export interface FollowQuery {
  filter: NormalizedFilter;
  /** Where the followed search stands: the last next_cursor (or last record's cursor + 1). */
  cursor: string;
  /** A background op: polls yield to interactive calls and stay inside their share (op.budget). */
  op: OpContext;
}

export interface ExpiredQuery {
  from: string;
  to: string;
  size: number;
  cursor: string | null;
  op: OpContext;
  /** A page beyond the third (see SearchQuery). */
  deep?: boolean;
}

export interface AggregateQuery {
  field: AggregateFieldName;
  groupBy?: AggregateFieldName | undefined;
  filter: NormalizedFilter;
  /** Buckets per level. */
  limit: number;
  op: OpContext;
}

export interface LookupQuery {
  /** uniq_ids, at most one upstream lookup's worth. */
  ids: readonly string[];
  op: OpContext;
}
