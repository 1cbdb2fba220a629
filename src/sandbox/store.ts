import { type RawJobRecord, generateJobs } from './data.js';
import { JobIndex, and } from './job-index.js';
import { evaluateQuery } from './query.js';
import { F500_COMPANIES } from './vocab-places.js';

export type Dataset = 'job_board' | 'f500';

export interface SearchOptions {
  datasets: ReadonlySet<Dataset>;
  excludeDuplicates: boolean;
}

/** Distinct queries whose hit lists are kept; paging re-sends one query many times. */
const SEARCH_CACHE_SIZE = 256;
const F500 = new Set(F500_COMPANIES);

/**
 * The immutable data set plus everything derived from it once: the field index, the dataset of each record,
 * expiry dates, serialised records, and a small LRU of hit lists keyed by the canonical query.
 */
export class JobStore {
  readonly jobs: readonly RawJobRecord[];
  readonly cursors: Float64Array;
  /** For /expired_jobs: record indices (ascending) that have expired, and the day each expired. */
  readonly expired: readonly number[];
  readonly expiredDate: readonly (string | null)[];
  private readonly index: JobIndex;
  private readonly f500: Uint8Array;
  private readonly duplicate: Uint8Array;
  private readonly json: (string | undefined)[] = [];
  private readonly cache = new Map<string, Int32Array>();

  constructor(seed: number, count: number) {
    this.jobs = generateJobs(seed, count);
    this.index = new JobIndex(this.jobs);
    this.cursors = Float64Array.from(this.jobs, (job) => Number(job.cursor));
    this.f500 = Uint8Array.from(this.jobs, (job) => (F500.has(String(job.company_name)) ? 1 : 0));
    this.duplicate = Uint8Array.from(this.jobs, (job) => (job.duplicate_status === 'true' ? 1 : 0));
    this.expiredDate = this.jobs.map(expiryDay);
    this.expired = this.expiredDate.flatMap((day, i) => (day === null ? [] : [i]));
  }

  /** Ascending record indices matching the query (all records when `query` is undefined); throws QueryError. */
  search(query: unknown, options: SearchOptions): Int32Array {
    const key = JSON.stringify([query ?? null, [...options.datasets].sort(), options.excludeDuplicates]);
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const bits = query === undefined ? this.index.all() : evaluateQuery(this.index, query);
    if (options.datasets.size < 2) {
      const wantF500 = options.datasets.has('f500') ? 1 : 0;
      and(bits, this.f500.map((v) => (v === wantF500 ? 1 : 0)));
    }
    const hits: number[] = [];
    bits.forEach((bit, i) => {
      if (bit && !(options.excludeDuplicates && this.duplicate[i])) hits.push(i);
    });
    const result = Int32Array.from(hits);
    this.cache.set(key, result);
    if (this.cache.size > SEARCH_CACHE_SIZE) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return result;
  }

  /** The record serialised once; responses splice these strings instead of re-serialising. */
  recordJson(i: number): string {
    let text = this.json[i];
    if (text === undefined) {
      text = JSON.stringify(this.jobs[i]);
      this.json[i] = text;
    }
    return text;
  }
}

/**
 * A record counts as expired for /expired_jobs when `has_expired` is true (or "true") and
 * `latest_expiry_check_date` is a date: the check that found it gone is its `expired_date`.
 */
function expiryDay(job: RawJobRecord): string | null {
  const expired = job.has_expired === true || job.has_expired === 'true';
  const day = job.latest_expiry_check_date;
  return expired && typeof day === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : null;
}
