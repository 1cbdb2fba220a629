import type { Page } from '../upstream/adapters.js';

/** A cached page remembers the size it was fetched with. */
export interface CachedPage<T> {
  size: number;
  page: Page<T>;
}

/**
 * Serve a request of `size` from a page fetched with another size, when that can be done exactly:
 * a smaller page is a prefix of the larger one (resuming after its last record's cursor [chosen:
 * CONTRACT §2, records ascend by cursor]); a larger request is served only when the page was the end.
 */
export function servePage<T extends { cursor: string | null }>(c: CachedPage<T>, size: number): Page<T> | undefined {
  const { page } = c;
  if (size === c.size) return page;
  if (size > c.size) return page.nextCursor === null ? page : undefined;
  if (page.received <= size) return page;
  if (page.dropped > 0) return undefined;
  const records = page.records.slice(0, size);
  const last = records[records.length - 1];
  if (!last?.cursor) return undefined;
  return { ...page, records, nextCursor: last.cursor, received: size };
}

/**
 * What a page cut to `size` left over, as a page of its own: it answers the request that resumes
 * after the cut (at the last served record's cursor), ending where the big page ended, with the
 * upstream's own next_cursor. Without it, paging on would buy those records a second time.
 */
export function restOfPage<T extends { cursor: string | null }>(c: CachedPage<T>, size: number): { cursor: string; rest: CachedPage<T> } | undefined {
  const { page } = c;
  const cursor = page.records[size - 1]?.cursor;
  if (size >= c.size || page.received <= size || page.dropped > 0 || !cursor) return undefined;
  return { cursor, rest: { size: c.size - size, page: { ...page, records: page.records.slice(size), received: page.received - size } } };
}
