import type { Account } from './account.js';
import { nextCursorOf, pageStart } from './paging.js';
import { ParamError, parseCursor, parseDay, parseFormat, parseSize, queryInt } from './params.js';
import { NO_DATA, type Reply, okReply } from './reply.js';
import type { JobStore } from './store.js';

/** Most records one /expired_jobs page holds (contract §3). */
export const MAX_EXPIRED_SIZE = 100;

/**
 * GET /v2/expired_jobs: the records this client received from /data that expired between start_date and
 * end_date (inclusive), as short records, paged like /data. Throws ParamError for 400s.
 */
export function handleExpired(store: JobStore, account: Account, params: Readonly<Record<string, string>>): Reply {
  const startDate = parseDay(params.start_date, 'start_date');
  const endDate = parseDay(params.end_date, 'end_date');
  if (startDate > endDate) throw new ParamError('start_date must not be after end_date');
  const size = parseSize(queryInt(params.size), MAX_EXPIRED_SIZE, 10);
  const cursor = parseCursor(queryInt(params.cursor));
  const format = parseFormat(params.format);
  const matching: number[] = [];
  for (const i of store.expired) {
    const day = store.expiredDate[i];
    if (day != null && day >= startDate && day <= endDate && account.consumed.has(i)) matching.push(i);
  }
  const hits = Int32Array.from(matching);
  const start = pageStart(hits, store.cursors, cursor);
  const items = hits.subarray(start, start + size);
  if (items.length === 0) return okReply(format, { ...NO_DATA });
  const jobData = Array.from(items, (i) => {
    const job = store.jobs[i];
    return {
      uniq_id: job?.uniq_id,
      url: job?.url ?? null,
      has_expired: true,
      expired_date: store.expiredDate[i],
      latest_expiry_check_date: job?.latest_expiry_check_date,
      cursor: store.cursors[i],
    };
  });
  return okReply(
    format,
    {
      status: 'success',
      message: 'Data present.',
      total_count: hits.length,
      size: items.length,
      next_cursor: nextCursorOf(hits, store.cursors, start, items.length),
      job_data: jobData,
    },
    items.length,
  );
}
