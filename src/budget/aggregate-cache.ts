// How counts are cached: one result, cut down to serve any smaller `limit` (jobs-service.ts aggregate).
import type { AggregateResult } from '../upstream/adapters.js';
import type { AggregateBucket } from '../upstream/records.js';

export interface CachedAggregate {
  size: number;
  /** Every level held fewer buckets than asked: the result answers any `limit`. */
  complete: boolean;
  result: AggregateResult;
}

export function topBuckets(buckets: readonly AggregateBucket[], size: number): AggregateBucket[] {
  return buckets.slice(0, size).map((b) => ({ ...b, buckets: topBuckets(b.buckets, size) }));
}

/** Fewer buckets than asked on every level: nothing was cut off. */
export function isComplete(buckets: readonly AggregateBucket[], size: number): boolean {
  return buckets.length < size && buckets.every((b) => isComplete(b.buckets, size));
}
