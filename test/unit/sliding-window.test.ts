import { describe, expect, it } from 'vitest';
import { MemorySlidingWindow, type WindowLimit } from '../../src/budget/sliding-window.js';

const minute: WindowLimit = { name: 'minute', limit: 1_000, windowMs: 60_000 };
const hour: WindowLimit = { name: 'hour', limit: 5_000, windowMs: 3_600_000 };

describe('MemorySlidingWindow counts exactly while it cuts expired calls off in batches', () => {
  it('counts, admits and refuses by the calls inside each window, one call expiring at a time', () => {
    let now = 0;
    const w = new MemorySlidingWindow(() => now);
    // 1,000 calls, one every 60 ms: the minute window is full at the end
    for (let i = 0; i < 1_000; i++) {
      expect(w.takeSync('k', [minute, hour], `c${i}`).ok).toBe(true);
      now += 60;
    }
    // now = 60,000: the first call (at 0) has left the minute window
    expect(w.counts('k', [minute, hour])).toEqual([
      { used: 999, resetAt: 60 + 60_000 },
      { used: 1_000, resetAt: 3_600_000 },
    ]);
    // every further call that expires frees exactly one slot: never more, never less
    for (let i = 0; i < 600; i++) {
      const r = w.takeSync('k', [minute, hour], `d${i}`);
      expect(r).toEqual({ ok: true, used: [1_000, 1_001 + i] });
      const refused = w.takeSync('k', [minute, hour], `x${i}`);
      expect(refused.ok).toBe(false);
      if (!refused.ok) expect(refused.retryAfterMs).toBe(60);
      now += 60;
    }
    // the loop's last step moved past c600's minute: 399 of the first calls and the 600 new ones are left
    expect(w.stamps('k', minute)).toHaveLength(999);
    expect(w.stamps('k', minute)[0]?.id).toBe('c601');
    expect(w.stamps('k', hour)).toHaveLength(1_600);
  });

  it('forgets a key once every call has left its windows', () => {
    let now = 0;
    const w = new MemorySlidingWindow(() => now);
    for (let i = 0; i < 300; i++) w.takeSync('k', [minute], `c${i}`);
    now = 60_001;
    expect(w.counts('k', [minute])).toEqual([{ used: 0, resetAt: null }]);
    expect(w.keys()).toEqual([]);
  });
});
