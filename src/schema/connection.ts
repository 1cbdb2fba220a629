import type { Page } from '../upstream/adapters.js';
import { badInput } from '../errors.js';
import { DEFAULT_PAGE_SIZE, INTERACTIVE_PAGES, MAX_PAGE_SIZE } from '../limits.js';
import type { CursorCodec, CursorState } from './cursor.js';

export interface ConnectionArgs {
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
}

export interface PageRequest {
  size: number;
  /** Upstream cursor to resume from (null = first page). */
  cursor: string | null;
  /** Records to drop from the front of the upstream page (resuming after a cursor-less record). */
  skip: number;
  /** Records the client saw before this page. */
  seen: number;
}

/** Check the paging arguments before anything leaves; BAD_USER_INPUT for every misuse. */
export function pageRequest(args: ConnectionArgs, q: string, cursors: CursorCodec): PageRequest {
  if (args.last != null || args.before != null) {
    throw badInput('`last` and `before` are not supported: JobsPikr cursors run forward only; page with `first` and `after`');
  }
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) throw badInput(`\`first\` must be between 1 and ${MAX_PAGE_SIZE}`);
  if (args.after == null) return { size: first, cursor: null, skip: 0, seen: 0 };
  const s = cursors.decode(args.after, q);
  const skip = s.k ?? 0;
  return { size: Math.min(MAX_PAGE_SIZE, first + skip), cursor: s.c, skip, seen: s.n };
}

/** A page after the first INTERACTIVE_PAGES pages' worth of records. */
export const isDeepPage = (req: PageRequest): boolean => req.seen >= INTERACTIVE_PAGES * Math.max(1, req.size - req.skip);

/**
 * An edge whose cursor is signed when a client reads it: most queries select `pageInfo.endCursor`
 * and `nodes`, so signing every edge's cursor up front would be HMAC work thrown away.
 */
class Edge<T> {
  #cursor: string | undefined;
  constructor(
    readonly node: T,
    private readonly state: CursorState,
    private readonly cursors: CursorCodec,
  ) {}

  get cursor(): string {
    this.#cursor ??= this.cursors.encode(this.state);
    return this.#cursor;
  }
}

/** A Relay connection over one upstream page. hasNextPage comes from total_count, never an extra record. */
export function toConnection<T extends { cursor: string | null }>(page: Page<T>, req: PageRequest, q: string, cursors: CursorCodec) {
  const records = page.records.slice(req.skip);
  const seenAfter = req.seen + Math.max(0, page.received - req.skip);
  const hasNextPage = page.nextCursor !== null && (page.totalCount !== null ? seenAfter < page.totalCount : page.received >= req.size);
  const edges = records.map((node, i) => {
    const last = i === records.length - 1;
    const state: CursorState =
      last && page.nextCursor !== null
        ? { q, c: page.nextCursor, n: seenAfter }
        : node.cursor !== null
          ? { q, c: node.cursor, n: req.seen + i + 1 }
          : { q, c: req.cursor, n: req.seen + i + 1, k: req.skip + i + 1 };
    return new Edge(node, state, cursors);
  });
  // A no_data answer carries no total_count, but says that nothing follows what was seen.
  const ended = page.received === 0 && page.nextCursor === null;
  const first = edges[0];
  const last = edges[edges.length - 1];
  return {
    edges,
    totalCount: page.totalCount ?? (ended ? req.seen : null),
    pageInfo: {
      hasNextPage,
      hasPreviousPage: req.seen > 0,
      get startCursor() {
        return first?.cursor ?? null;
      },
      get endCursor() {
        return last?.cursor ?? null;
      },
    },
  };
}
