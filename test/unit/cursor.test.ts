import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pageRequest, toConnection } from '../../src/schema/connection.js';
import { createCursorCodec, type CursorState } from '../../src/schema/cursor.js';
import type { Page } from '../../src/upstream/adapters.js';
import { AppError } from '../../src/errors.js';

const SECRET = 'unit-secret';
const CODEC = createCursorCodec(SECRET);
const encodeCursor = (state: CursorState, secret: string) => createCursorCodec(secret).encode(state);
const decodeCursor = (token: string, q: string, secret: string) => createCursorCodec(secret).decode(token, q);
const Q = 'query-digest_1';

/** The error code a call throws, or 'none'. */
function codeOf(f: () => unknown): string {
  try {
    f();
    return 'none';
  } catch (e) {
    return e instanceof AppError ? e.code : `not an AppError: ${String(e)}`;
  }
}

/** A token with a valid signature over any payload (what a leaked secret would allow). */
const signRaw = (payload: unknown): string => {
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${p}.${createHmac('sha256', SECRET).update(p).digest('base64url').slice(0, 22)}`;
};

describe('signed cursor', () => {
  const state: CursorState = { q: Q, c: '1749973251825111', n: 20 };

  it('round-trips its state for the same query and secret', () => {
    expect(decodeCursor(encodeCursor(state, SECRET), Q, SECRET)).toEqual(state);
    const withSkip: CursorState = { q: Q, c: null, n: 3, k: 3 };
    expect(decodeCursor(encodeCursor(withSkip, SECRET), Q, SECRET)).toEqual(withSkip);
  });

  it('is opaque text safe in URLs and JSON', () => {
    expect(encodeCursor(state, SECRET)).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
  });

  it('refuses a cursor of another query, or signed with another secret', () => {
    const token = encodeCursor(state, SECRET);
    expect(codeOf(() => decodeCursor(token, 'another-query', SECRET))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(token, Q, 'another-secret'))).toBe('BAD_USER_INPUT');
  });

  it('refuses any tampering with payload or signature', () => {
    const token = encodeCursor(state, SECRET);
    const [payload = '', mac = ''] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...state, n: 0 })).toString('base64url');
    expect(codeOf(() => decodeCursor(`${forged}.${mac}`, Q, SECRET))).toBe('BAD_USER_INPUT');
    const flip = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
    for (let i = 0; i < payload.length; i += 7) {
      expect(codeOf(() => decodeCursor(`${flip(payload, i)}.${mac}`, Q, SECRET))).toBe('BAD_USER_INPUT');
    }
    for (let i = 0; i < mac.length; i++) {
      expect(codeOf(() => decodeCursor(`${payload}.${flip(mac, i)}`, Q, SECRET))).toBe('BAD_USER_INPUT');
    }
    expect(codeOf(() => decodeCursor(`${payload}.${mac}x`, Q, SECRET))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(`${payload}.${mac.slice(1)}`, Q, SECRET))).toBe('BAD_USER_INPUT');
  });

  it('refuses garbage of every shape', () => {
    for (const g of ['', '.', 'abc', 'abc.def', 'a.b.c', `${'x'.repeat(600)}.${'y'.repeat(22)}`, '1749973251825111', 'null', '👻.👻']) {
      expect(
        codeOf(() => decodeCursor(g, Q, SECRET)),
        g,
      ).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses a correctly signed state that is not a cursor state (nothing odd reaches upstream)', () => {
    expect(codeOf(() => decodeCursor(signRaw({ q: Q, c: '12; DROP', n: 1 }), Q, SECRET))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(signRaw({ q: Q, c: '1', n: -1 }), Q, SECRET))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(signRaw({ q: Q, c: '1', n: 1, k: 1000 }), Q, SECRET))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => decodeCursor(signRaw([1, 2]), Q, SECRET))).toBe('BAD_USER_INPUT');
    const notJson = Buffer.from('{not json').toString('base64url');
    const mac = createHmac('sha256', SECRET).update(notJson).digest('base64url').slice(0, 22);
    expect(codeOf(() => decodeCursor(`${notJson}.${mac}`, Q, SECRET))).toBe('BAD_USER_INPUT');
  });
});

describe('pageRequest', () => {
  it('takes first in 1..100, default 10', () => {
    expect(pageRequest({}, Q, CODEC)).toEqual({ size: 10, cursor: null, skip: 0, seen: 0 });
    expect(pageRequest({ first: 1 }, Q, CODEC).size).toBe(1);
    expect(pageRequest({ first: 100 }, Q, CODEC).size).toBe(100);
    for (const first of [0, -1, 101, 1.5]) expect(codeOf(() => pageRequest({ first }, Q, CODEC))).toBe('BAD_USER_INPUT');
  });

  it('refuses last and before', () => {
    expect(codeOf(() => pageRequest({ last: 5 }, Q, CODEC))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => pageRequest({ before: 'x' }, Q, CODEC))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => pageRequest({ first: 5, last: 5 }, Q, CODEC))).toBe('BAD_USER_INPUT');
  });

  it('resumes from the cursor it issued', () => {
    const after = encodeCursor({ q: Q, c: '42', n: 7 }, SECRET);
    expect(pageRequest({ first: 5, after }, Q, CODEC)).toEqual({ size: 5, cursor: '42', skip: 0, seen: 7 });
    const skipping = encodeCursor({ q: Q, c: '42', n: 9, k: 2 }, SECRET);
    expect(pageRequest({ first: 5, after: skipping }, Q, CODEC)).toEqual({ size: 7, cursor: '42', skip: 2, seen: 9 });
  });
});

describe('toConnection', () => {
  type Rec = { id: string; cursor: string | null };
  const recs = (from: number, n: number): Rec[] => Array.from({ length: n }, (_, i) => ({ id: `r${from + i}`, cursor: String(1000 + from + i) }));
  const page = (records: Rec[], o: Partial<Page<Rec>> = {}): Page<Rec> => ({
    records,
    totalCount: 25,
    nextCursor: records.at(-1)?.cursor ?? null,
    creditsRemaining: null,
    dropped: 0,
    received: records.length,
    ...o,
  });
  const state = (token: string | null | undefined): CursorState => decodeCursor(token ?? '', Q, SECRET);

  it('hasNextPage from total_count: never an extra record, whichever way the data ends', () => {
    const first = toConnection(page(recs(0, 10)), pageRequest({ first: 10 }, Q, CODEC), Q, CODEC);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const req2 = pageRequest({ first: 10, after: first.pageInfo.endCursor }, Q, CODEC);
    expect(req2).toMatchObject({ cursor: '1009', seen: 10 });
    const req3 = { ...req2, seen: 20 };
    // Ending 1: the last page still carries a next_cursor (a no_data page would follow).
    const lastWithCursor = toConnection(page(recs(20, 5)), req3, Q, CODEC);
    expect(lastWithCursor.pageInfo.hasNextPage).toBe(false);
    expect(lastWithCursor.pageInfo.hasPreviousPage).toBe(true);
    // Ending 2: next_cursor null.
    const lastNull = toConnection(page(recs(20, 5), { nextCursor: null }), req3, Q, CODEC);
    expect(lastNull.pageInfo.hasNextPage).toBe(false);
    // Ending 3: the no_data page itself.
    const empty = toConnection(page([], { totalCount: null, received: 0 }), req3, Q, CODEC);
    expect(empty).toMatchObject({ edges: [], totalCount: 20, pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } });
    // A first page answered no_data: nothing matches.
    const none = toConnection(page([], { totalCount: null, received: 0 }), pageRequest({ first: 10 }, Q, CODEC), Q, CODEC);
    expect(none).toMatchObject({ edges: [], totalCount: 0, pageInfo: { hasNextPage: false, hasPreviousPage: false } });
  });

  it('without total_count, a full page with a cursor means there may be more', () => {
    const req = pageRequest({ first: 5 }, Q, CODEC);
    expect(toConnection(page(recs(0, 5), { totalCount: null }), req, Q, CODEC).pageInfo.hasNextPage).toBe(true);
    expect(toConnection(page(recs(0, 4), { totalCount: null }), req, Q, CODEC).pageInfo.hasNextPage).toBe(false);
  });

  it('issues an edge cursor per record that resumes right after it', () => {
    const c = toConnection(page(recs(0, 10)), pageRequest({ first: 10 }, Q, CODEC), Q, CODEC);
    c.edges.forEach((e, i) => {
      expect(state(e.cursor)).toEqual({ q: Q, c: String(1000 + i), n: i + 1 });
    });
    expect(c.pageInfo.startCursor).toBe(c.edges[0]?.cursor);
    expect(c.pageInfo.endCursor).toBe(c.edges[9]?.cursor);
  });

  it('a record without a cursor resumes by skipping from the page start', () => {
    const rs = recs(0, 4);
    const noCursor = rs.map((r, i) => (i === 1 ? { ...r, cursor: null } : r));
    const c = toConnection(page(noCursor, { nextCursor: '1003' }), pageRequest({ first: 4 }, Q, CODEC), Q, CODEC);
    expect(state(c.edges[1]?.cursor)).toEqual({ q: Q, c: null, n: 2, k: 2 });
    const req = pageRequest({ first: 3, after: c.edges[1]?.cursor }, Q, CODEC);
    expect(req).toEqual({ size: 5, cursor: null, skip: 2, seen: 2 });
    const resumed = toConnection(page(recs(0, 5), { nextCursor: '1004' }), req, Q, CODEC);
    expect(resumed.edges.map((e) => e.node.id)).toEqual(['r2', 'r3', 'r4']);
  });

  it('counts dropped records as seen so hasNextPage stays exact', () => {
    // 10 sent, 1 unreadable: the page shows 9, and 10 are behind us.
    const c = toConnection(page(recs(0, 9), { received: 10, dropped: 1, nextCursor: '1009', totalCount: 10 }), pageRequest({ first: 10 }, Q, CODEC), Q, CODEC);
    expect(c.edges).toHaveLength(9);
    expect(c.pageInfo.hasNextPage).toBe(false);
    expect(state(c.pageInfo.endCursor).n).toBe(10);
  });
});
