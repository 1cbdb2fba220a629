import { type RawJobRecord, generateJobs } from './data.js';
import { JobIndex, and } from './job-index.js';
import { Lru } from './lru.js';
import { evaluateQuery } from './query.js';
import { F500_COMPANIES } from './vocab-places.js';

export type Dataset = 'job_board' | 'f500';

export interface SearchOptions {
  datasets: ReadonlySet<Dataset>;
  excludeDuplicates: boolean;
}

/** Distinct queries whose hit lists are kept; paging re-sends one query many times. */
export const SEARCH_CACHE_SIZE = 256;
const F500 = new Set(F500_COMPANIES);

/**
 * The immutable data set plus everything derived from it once: the field index, the dataset of each record,
 * expiry dates, serialised records, and a small LRU of hit lists keyed by the canonical query.
 */
export class JobStore {
  jobs: readonly RawJobRecord[] = [];
  cursors = new Float64Array(0);
  /** For /expired_jobs: record indices (ascending) that have expired, and the day each expired. */
  expired: readonly number[] = [];
  expiredDate: readonly (string | null)[] = [];
  private index = new JobIndex([]);
  private f500 = new Uint8Array(0);
  private duplicate = new Uint8Array(0);
  private readonly json: (string | undefined)[] = [];
  private searches = new Lru<Int32Array>(SEARCH_CACHE_SIZE);

  constructor(seed: number, count: number) {
    this.load(generateJobs(seed, count));
  }

  /**
   * New postings (the sandbox publishing over time): appended in cursor order, so record indices and
   * what accounts consumed stay valid; everything derived is rebuilt and cached hit lists are dropped.
   */
  append(records: readonly RawJobRecord[]): void {
    this.load([...this.jobs, ...records]);
  }

  private load(jobs: readonly RawJobRecord[]): void {
    // Frozen: tests read `sandbox.jobs` for expectations, and serialised copies are cached per record.
    this.jobs = Object.freeze(jobs.map(freezeRecord));
    this.index = new JobIndex(this.jobs);
    this.cursors = Float64Array.from(this.jobs, (job) => Number(job.cursor));
    this.f500 = Uint8Array.from(this.jobs, (job) => (F500.has(String(job.company_name)) ? 1 : 0));
    this.duplicate = Uint8Array.from(this.jobs, (job) => (job.duplicate_status === 'true' ? 1 : 0));
    this.expiredDate = this.jobs.map(expiryDay);
    this.expired = this.expiredDate.flatMap((day, i) => (day === null ? [] : [i]));
    this.searches = new Lru<Int32Array>(SEARCH_CACHE_SIZE);
  }

  /** Ascending record indices matching the query (all records when `query` is undefined); throws QueryError. */
  search(query: unknown, options: SearchOptions): Int32Array {
    const key = JSON.stringify([query ?? null, [...options.datasets].sort(), options.excludeDuplicates]);
    return this.searches.get(key, () => {
      const bits = query === undefined ? this.index.all() : evaluateQuery(this.index, query);
      if (options.datasets.size < 2) {
        const wantF500 = options.datasets.has('f500') ? 1 : 0;
        and(
          bits,
          this.f500.map((v) => (v === wantF500 ? 1 : 0)),
        );
      }
      const hits: number[] = [];
      bits.forEach((bit, i) => {
        if (bit && !(options.excludeDuplicates && this.duplicate[i])) hits.push(i);
      });
      return Int32Array.from(hits);
    });
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

function freezeRecord(job: RawJobRecord): RawJobRecord {
  if (Object.isFrozen(job)) return job;
  for (const value of Object.values(job)) if (typeof value === 'object' && value !== null) Object.freeze(value);
  return Object.freeze(job);
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
