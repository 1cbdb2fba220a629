/**
 * How the last page of a result ends. The real API has been seen ending both ways (contract §2), so the
 * sandbox alternates deterministically on `total_count`:
 * - odd total → 'null': the last page answers `next_cursor: null`;
 * - even total → 'no_data': the last page answers the last record's cursor, and the request with that
 *   cursor answers `{"status":"no_data"}`.
 * The rule applies to /data and /expired_jobs alike.
 */
export function lastPageEnding(totalCount: number): 'null' | 'no_data' {
  return totalCount % 2 === 1 ? 'null' : 'no_data';
}

/** Position in `hits` (ascending record indices, so ascending cursors) of the first record after `cursor`. */
export function pageStart(hits: Int32Array, cursors: Float64Array, cursor: number | undefined): number {
  let lo = 0;
  if (cursor !== undefined) {
    let hi = hits.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cursors[hits[mid] ?? 0] ?? 0) > cursor) hi = mid;
      else lo = mid + 1;
    }
  }
  return lo;
}

/** `next_cursor` for a page of `length` hits starting at `start` (see lastPageEnding). */
export function nextCursorOf(hits: Int32Array, cursors: Float64Array, start: number, length: number): number | null {
  if (length === 0) return null;
  const last = cursors[hits[start + length - 1] ?? 0] ?? 0;
  const isLast = start + length >= hits.length;
  return isLast && lastPageEnding(hits.length) === 'null' ? null : last;
}
