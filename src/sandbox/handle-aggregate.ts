import { Lru } from './lru.js';
import { ParamError, parseFormat, parseSize, queryInt } from './params.js';
import { isObject } from './query.js';
import { NO_DATA, type Reply, okReply } from './reply.js';
import { type JobStore, SEARCH_CACHE_SIZE } from './store.js';

/** Most buckets per level (contract §4). */
export const MAX_BUCKETS = 1000;

/** Countable fields (contract §4) and the seed's alias names. */
const FIELDS: Readonly<Record<string, string>> = {
  category: 'category',
  job_type: 'job_type',
  job_board: 'job_board',
  company_name: 'company_name',
  inferred_city: 'inferred_city',
  inferred_state: 'inferred_state',
  inferred_country: 'inferred_country',
  inferred_seniority_level: 'inferred_seniority_level',
  is_remote: 'is_remote',
  post_date: 'post_date',
  job_category: 'category',
  location: 'inferred_city',
};

export interface Bucket {
  key: string;
  doc_count: number;
  buckets?: Bucket[];
}

/**
 * GET /v2/aggregate_data: terms counts over the records matching `search_query_json` (all when absent).
 * `total_count` is the number of matching records; records whose field is missing or null are left out of
 * that field's buckets; keys are the raw values as strings (booleans "true"/"false", placeholders such as
 * "Unspecified" kept). No matching record → no_data. Throws ParamError / QueryError for 400s.
 */
export function handleAggregate(store: JobStore, params: Readonly<Record<string, string>>): Reply {
  const query = field(params.query, 'query');
  if (query === undefined) throw new ParamError('query is required');
  const groupBy = field(params.group_by, 'group_by');
  const size = parseSize(queryInt(params.size), MAX_BUCKETS, 10);
  const format = parseFormat(params.format);
  let search: unknown;
  if (params.search_query_json !== undefined) {
    try {
      search = JSON.parse(params.search_query_json);
    } catch {
      throw new ParamError('search_query_json is not valid JSON');
    }
    if (!isObject(search)) throw new ParamError('search_query_json must be an object');
  }
  // The record count keys the data set's version: published postings only ever append.
  const key = JSON.stringify([store.jobs.length, query, groupBy ?? null, size, search ?? null]);
  const result = cacheOf(store).get(key, () => aggregate(store, search, query, groupBy, size));
  if (result.total === 0) return okReply(format, { ...NO_DATA });
  return okReply(format, { status: 'success', message: 'Data present.', total_count: result.total, aggregations: result.aggregations });
}

interface Aggregation {
  total: number;
  aggregations: Bucket[];
}

/** Aggregations are pure functions of the data set (at its size), so they are memoised per store. */
const caches = new WeakMap<JobStore, Lru<Aggregation>>();

function cacheOf(store: JobStore): Lru<Aggregation> {
  let cache = caches.get(store);
  if (!cache) {
    cache = new Lru(SEARCH_CACHE_SIZE);
    caches.set(store, cache);
  }
  return cache;
}

function aggregate(store: JobStore, search: unknown, query: string, groupBy: string | undefined, size: number): Aggregation {
  const hits = store.search(search, { datasets: new Set(['job_board', 'f500']), excludeDuplicates: false });
  const outer = new Map<string, { count: number; inner: Map<string, number> }>();
  const groupField = groupBy ?? query;
  for (const i of hits) {
    const job = store.jobs[i];
    const key = bucketKey(job?.[groupField]);
    if (key === undefined) continue;
    let bucket = outer.get(key);
    if (!bucket) {
      bucket = { count: 0, inner: new Map() };
      outer.set(key, bucket);
    }
    bucket.count += 1;
    if (groupBy === undefined) continue;
    const innerKey = bucketKey(job?.[query]);
    if (innerKey !== undefined) bucket.inner.set(innerKey, (bucket.inner.get(innerKey) ?? 0) + 1);
  }
  const aggregations = top(
    [...outer].map(([key, b]) => ({ key, doc_count: b.count, inner: b.inner })),
    size,
  ).map(
    ({ key, doc_count, inner }): Bucket =>
      groupBy === undefined
        ? { key, doc_count }
        : {
            key,
            doc_count,
            buckets: top(
              [...inner].map(([k, n]) => ({ key: k, doc_count: n })),
              size,
            ),
          },
  );
  return { total: hits.length, aggregations };
}

function field(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const resolved = FIELDS[value];
  if (resolved === undefined) throw new ParamError(`${name}: unknown field "${value}"`);
  return resolved;
}

function bucketKey(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** doc_count descending, then key ascending (code-unit order, locale-independent). */
function top<T extends { key: string; doc_count: number }>(buckets: T[], size: number): T[] {
  return buckets.sort((a, b) => b.doc_count - a.doc_count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, size);
}
