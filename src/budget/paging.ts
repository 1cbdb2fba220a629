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
