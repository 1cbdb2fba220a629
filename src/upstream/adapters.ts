import { MAX_PAGE_SIZE } from '../limits.js';
import type { Clause } from './query-dsl.js';
import type { Envelope } from './envelope.js';
import type { CallBudget, UpstreamCall } from './http.js';
import type { Credentials } from './credentials.js';
import { parseBuckets, parseRecords, type AggregateBucket, type ExpiredRecord, type JobRecord, readExpiredRecord, readJobRecord } from './records.js';
import { isSandboxKey } from './credentials.js';

// One adapter per endpoint: the [chosen] rules of CONTRACT.md live here and nowhere else.

export interface CallOptions {
  credentials: Credentials;
  signal?: AbortSignal | undefined;
  budget?: CallBudget | undefined;
}

export interface SearchRequest {
  query: Clause;
  /** 1..100 */
  size: number;
  /** The previous page's next_cursor, digits as received (opaque). */
  cursor?: string | null;
  dataset?: string[];
  exclude_duplicates?: boolean;
}

export interface Page<T> {
  records: T[];
  totalCount: number | null;
  /** Cursor of the following page; null when this was the last one. */
  nextCursor: string | null;
  creditsRemaining: number | null;
  /** Records dropped because they could not be read. */
  dropped: number;
  /** Records the upstream sent (and, under a production key, charged), dropped ones included. */
  received: number;
}

export interface ExpiredRequest {
  startDate: string;
  endDate: string;
  size: number;
  cursor?: string | null;
}

export type AggregateFieldName = 'CATEGORY' | 'JOB_TYPE' | 'JOB_BOARD' | 'COMPANY' | 'CITY' | 'STATE' | 'COUNTRY' | 'SENIORITY' | 'REMOTE' | 'POST_DATE';

/** AggregateField → the contract's field names (§4). */
export const AGGREGATE_FIELD: Record<AggregateFieldName, string> = {
  CATEGORY: 'category',
  JOB_TYPE: 'job_type',
  JOB_BOARD: 'job_board',
  COMPANY: 'company_name',
  CITY: 'inferred_city',
  STATE: 'inferred_state',
  COUNTRY: 'inferred_country',
  SENIORITY: 'inferred_seniority_level',
  REMOTE: 'is_remote',
  POST_DATE: 'post_date',
};

export interface AggregateRequest {
  field: AggregateFieldName;
  groupBy?: AggregateFieldName | undefined;
  query?: Clause | undefined;
  /** Buckets per level, 1..1000. */
  size: number;
}

export interface AggregateResult {
  totalCount: number | null;
  buckets: AggregateBucket[];
  dropped: number;
}

/** Records fetched by uniq_id: a `terms` query [chosen: CONTRACT §2]. */
export const lookupRequest = (ids: readonly string[]): SearchRequest => ({
  query: { terms: { uniq_id: [...ids] } },
  size: Math.min(MAX_PAGE_SIZE, Math.max(1, ids.length)),
});

/** POST /v2/data. The cursor goes back as the same JSON number it came as, digit for digit. */
export function searchCall(req: SearchRequest, o: CallOptions): UpstreamCall {
  const { cursor, query, ...rest } = req;
  const body = { search_query_json: query, ...rest };
  const json = JSON.stringify(cursor ? { ...body, cursor: '\u0000' } : body);
  return {
    endpoint: 'data',
    method: 'POST',
    body: cursor ? json.replace('"\\u0000"', cursor) : json,
    credentials: o.credentials,
    signal: o.signal,
    budget: o.budget,
    // Records bought under a production key cost credits; never send such a request twice.
    repeatable: isSandboxKey(o.credentials),
  };
}

/** GET /v2/expired_jobs [chosen parameters: CONTRACT §3]; free, so always repeatable. */
export function expiredCall(req: ExpiredRequest, o: CallOptions): UpstreamCall {
  return {
    endpoint: 'expired_jobs',
    method: 'GET',
    query: {
      start_date: req.startDate,
      end_date: req.endDate,
      size: String(req.size),
      ...(req.cursor ? { cursor: req.cursor } : {}),
    },
    credentials: o.credentials,
    signal: o.signal,
    budget: o.budget,
    repeatable: true,
  };
}

/** GET /v2/aggregate_data [chosen parameters: CONTRACT §4]; free, so always repeatable. */
export function aggregateCall(req: AggregateRequest, o: CallOptions): UpstreamCall {
  return {
    endpoint: 'aggregate_data',
    method: 'GET',
    query: {
      query: AGGREGATE_FIELD[req.field],
      ...(req.groupBy ? { group_by: AGGREGATE_FIELD[req.groupBy] } : {}),
      ...(req.query ? { search_query_json: JSON.stringify(req.query) } : {}),
      size: String(req.size),
    },
    credentials: o.credentials,
    signal: o.signal,
    budget: o.budget,
    repeatable: true,
  };
}

function toPage<T>(env: Envelope, records: T[], dropped: number): Page<T> {
  if (env.status === 'no_data') {
    return { records: [], totalCount: env.total_count ?? null, nextCursor: null, creditsRemaining: env.job_credit_remaining ?? null, dropped: 0, received: 0 };
  }
  return {
    records,
    totalCount: env.total_count ?? null,
    // Both observed endings: a null/absent next_cursor, or an empty page (no_data) after it.
    nextCursor: env.job_data.length === 0 ? null : (env.next_cursor ?? null),
    creditsRemaining: env.job_credit_remaining ?? null,
    dropped,
    received: env.job_data.length,
  };
}

export function searchPage(env: Envelope): Page<JobRecord> {
  const { records, dropped } = parseRecords(readJobRecord, env.job_data);
  return toPage(env, records, dropped);
}

export function expiredPage(env: Envelope): Page<ExpiredRecord> {
  const { records, dropped } = parseRecords(readExpiredRecord, env.job_data);
  return toPage(env, records, dropped);
}

export function aggregateResult(env: Envelope): AggregateResult {
  if (env.status === 'no_data') return { totalCount: 0, buckets: [], dropped: 0 };
  const { buckets, dropped } = parseBuckets(env.aggregations);
  return { totalCount: env.total_count ?? null, buckets, dropped };
}
