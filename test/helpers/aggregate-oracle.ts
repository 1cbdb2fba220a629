import type { RawJobRecord } from '../../src/sandbox/data.js';
import type { AggregateField } from '../generated/graphql.js';

// Aggregate counts the way the contract describes them, computed from the sandbox's raw records:
// the oracle aggregate tests compare the server's buckets with.

/** The contract field each AggregateField counts (typed by the schema's enum, so a new value must be mapped). */
export const AGGREGATE_FIELD: Record<AggregateField, string> = {
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
export const AGGREGATE_FIELDS = Object.keys(AGGREGATE_FIELD) as AggregateField[];

export interface Bucket {
  key: string;
  count: number;
  buckets: Bucket[];
}

const keyOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined);
const top = (m: Map<string, number>, n: number): [string, number][] =>
  [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, n);

/** The buckets of `field` (inside those of `groupBy`, if given) over the records `keep` selects, `limit` per level. */
export function expectedBuckets(
  jobs: readonly RawJobRecord[],
  keep: (r: RawJobRecord) => boolean,
  field: AggregateField,
  groupBy: AggregateField | undefined,
  limit: number,
): Bucket[] {
  const outer = new Map<string, number>();
  const inner = new Map<string, Map<string, number>>();
  for (const r of jobs.filter(keep)) {
    const k = keyOf(r[AGGREGATE_FIELD[groupBy ?? field]]);
    if (k === undefined) continue;
    outer.set(k, (outer.get(k) ?? 0) + 1);
    if (!groupBy) continue;
    const ik = keyOf(r[AGGREGATE_FIELD[field]]);
    if (ik === undefined) continue;
    const m = inner.get(k) ?? new Map<string, number>();
    m.set(ik, (m.get(ik) ?? 0) + 1);
    inner.set(k, m);
  }
  return top(outer, limit).map(([key, count]) => ({
    key,
    count,
    buckets: groupBy ? top(inner.get(key) ?? new Map(), limit).map(([k, c]) => ({ key: k, count: c, buckets: [] })) : [],
  }));
}
