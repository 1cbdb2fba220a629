import { describe, expect, it } from 'vitest';
import { lastPageEnding, nextCursorOf, pageStart } from '../../src/sandbox/paging.js';
import { RateLimiter, RollingWindow } from '../../src/sandbox/rate-limit.js';

describe('sandbox rolling window', () => {
  const limits = { perMinute: 3, perHour: 5, minuteMs: 60_000, hourMs: 3_600_000 };

  it('admits up to the minute limit, then says when the oldest request leaves the window', () => {
    const window = new RollingWindow();
    expect(window.take(0, limits)).toBe(0);
    expect(window.take(10_000, limits)).toBe(0);
    expect(window.take(20_000, limits)).toBe(0);
    expect(window.take(30_000, limits)).toBe(30_000); // the request at 0 leaves at 60 000
    expect(window.take(59_999, limits)).toBe(1);
    expect(window.take(60_001, limits)).toBe(0); // refusals were not counted
  });

  it('applies the hour limit on top, counting only admitted requests', () => {
    const window = new RollingWindow();
    for (const t of [0, 1, 2, 70_000, 70_001]) expect(window.take(t, limits)).toBe(0);
    expect(window.take(140_000, limits)).toBe(3_600_000 - 140_000);
    expect(window.take(3_600_001, limits)).toBe(0);
  });

  it('reports whole seconds, rounded up and at least 1, per key', () => {
    const limiter = new RateLimiter();
    const tight = { perMinute: 1, perHour: 10, minuteMs: 1500, hourMs: 10_000 };
    expect(limiter.take('a', 1000, tight)).toBe(0);
    expect(limiter.take('a', 1100, tight)).toBe(2); // 1400 ms → 2 s
    expect(limiter.take('a', 2450, tight)).toBe(1); // 50 ms → 1 s
    expect(limiter.take('b', 1100, tight)).toBe(0);
    limiter.reset();
    expect(limiter.take('a', 1200, tight)).toBe(0);
  });
});

describe('sandbox paging', () => {
  const cursors = Float64Array.from([100, 200, 300, 400, 500, 600]);

  it('ends odd totals with next_cursor null and even totals with a cursor then no_data', () => {
    expect(lastPageEnding(3)).toBe('null');
    expect(lastPageEnding(4)).toBe('no_data');
    const odd = Int32Array.from([0, 2, 4]);
    expect(nextCursorOf(odd, cursors, 0, 2)).toBe(300);
    expect(nextCursorOf(odd, cursors, 2, 1)).toBeNull();
    const even = Int32Array.from([1, 3, 4, 5]);
    expect(nextCursorOf(even, cursors, 2, 2)).toBe(600);
    expect(pageStart(even, cursors, 600)).toBe(4);
  });

  it('starts after the cursor, whatever value it has', () => {
    const hits = Int32Array.from([0, 1, 2, 3, 4, 5]);
    expect(pageStart(hits, cursors, undefined)).toBe(0);
    expect(pageStart(hits, cursors, 300)).toBe(3);
    expect(pageStart(hits, cursors, 350)).toBe(3);
    expect(pageStart(hits, cursors, 0)).toBe(0);
    expect(pageStart(hits, cursors, 9999)).toBe(6);
  });
});
