import { describe, expect, it } from 'vitest';
import { eventOrder } from '../../src/live/events.js';
import { budgetFloor, isTight, nextInterval } from '../../src/live/schedule.js';
import { isFailure, Subscriber } from '../../src/live/subscriber.js';
import type { JobRecord } from '../../src/upstream/records.js';

const bounds = { minMs: 1_000, maxMs: 30_000 };
const windows = [
  { name: 'minute' as const, limit: 100, windowMs: 60_000 },
  { name: 'hour' as const, limit: 5_000, windowMs: 3_600_000 },
];

describe('poll interval', () => {
  it('news brings it back to the minimum; quiet and tight double it up to the maximum', () => {
    expect(nextInterval(8_000, 'news', bounds, 0)).toBe(1_000);
    expect(nextInterval(1_000, 'quiet', bounds, 0)).toBe(2_000);
    expect(nextInterval(2_000, 'tight', bounds, 0)).toBe(4_000);
    expect(nextInterval(20_000, 'quiet', bounds, 0)).toBe(30_000);
  });

  it('never under the floor that keeps every topic inside the share (the hour is the tighter window)', () => {
    // 0.2 of 100/min = 20 polls a minute; 0.2 of 5,000/h = 1,000 an hour = 16.7 a minute.
    expect(budgetFloor(windows, 0.2, 1)).toBe(3_600);
    expect(budgetFloor(windows, 0.2, 10)).toBe(36_000);
    expect(nextInterval(1_000, 'news', bounds, budgetFloor(windows, 0.2, 5))).toBe(18_000);
  });

  it('the budget is tight when no more than the live share of a window is left', () => {
    expect(isTight(20, 100, 0.2)).toBe(true);
    expect(isTight(21, 100, 0.2)).toBe(false);
  });
});

const job = (cursor: string): { id: string; record: JobRecord } => ({ id: cursor, record: { uniqId: cursor.padStart(32, '0'), cursor } as JobRecord });

describe('subscriber queue', () => {
  it('delivers each event once, in id order, nothing at or before Last-Event-ID', async () => {
    const sub = new Subscriber({ caller: 'c', connection: 'k' }, 100, '1796000000000001');
    sub.resume([job('1796000000000001'), job('1796000000000002')]);
    sub.push([job('1796000000000002'), job('1796000000000003')]);
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await sub.next();
      if (!r.done && !isFailure(r.value)) ids.push(r.value.id);
    }
    expect(ids).toEqual(['1796000000000002', '1796000000000003']);
    expect(sub.pending).toBe(0);
  });

  it('a subscriber past its bound is cut off: its queue is emptied and SLOW_CONSUMER is its last item', async () => {
    let cut = 0;
    const sub = new Subscriber({ caller: 'c', connection: 'k', onCutOff: () => cut++ }, 3, null);
    sub.push(['1', '2', '3', '4', '5'].map((n) => job(`179600000000000${n}`)));
    expect(cut).toBe(1);
    expect(sub.pending).toBe(1);
    const r = await sub.next();
    expect(!r.done && isFailure(r.value) && r.value.failure.toExtensions()).toEqual({ code: 'SLOW_CONSUMER', bound: 3, lastEventId: '1796000000000000' });
    expect((await sub.next()).done).toBe(true);
    expect(eventOrder('1796000000000005') > eventOrder('1796000000000004')).toBe(true);
  });
});
