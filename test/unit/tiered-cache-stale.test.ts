import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { TieredCache } from '../../src/budget/cache.js';
import { createLogger } from '../../src/logger.js';

const logger = createLogger('silent');
const value = (c: string) => c.repeat(1_000);
/** Room for three such entries and a little more: a fourth evicts one. */
const BYTES = 3 * (64 + 2 * 2 + 16 + 2_000) + 100;

describe('TieredCache keeps entries past their lifetime, stale ones evicted first', () => {
  it('an entry past its lifetime is held as stale (entry) but is no fresh hit (get)', async () => {
    const c = new TieredCache({ maxBytes: BYTES, prefix: '', logger, staleMaxAgeMs: 60_000 });
    await c.set('a', value('a'), 20);
    expect(await c.get('a')).toBe(value('a'));
    await sleep(30);
    expect(await c.get('a')).toBeUndefined();
    const held = await c.entry<string>('a');
    expect(held?.value).toBe(value('a'));
    expect(held && held.freshUntil <= Date.now()).toBe(true);
    expect(c.staleBytes).toBeGreaterThan(0);
  });

  it('without a stale age nothing outlives its lifetime', async () => {
    const c = new TieredCache({ maxBytes: BYTES, prefix: '', logger, staleMaxAgeMs: 0 });
    await c.set('a', value('a'), 20);
    await sleep(30);
    expect(await c.entry('a')).toBeUndefined();
  });

  it('when space runs out a stale entry goes before the least recently used fresh one', async () => {
    const c = new TieredCache({ maxBytes: BYTES, prefix: '', logger, staleMaxAgeMs: 60_000 });
    await c.set('old', value('o'), 60_000);
    await c.set('short', value('s'), 20);
    await c.set('new', value('n'), 60_000);
    await sleep(30);
    // 'short' is now stale and the most recently read; 'old' is the least recently used fresh entry.
    expect((await c.entry('short'))?.value).toBe(value('s'));
    await c.set('more', value('m'), 60_000);
    expect(await c.entry('short')).toBeUndefined();
    for (const k of ['old', 'new', 'more']) expect(await c.get(k)).toBeDefined();
  });

  it('a stale entry nobody read since it expired is found by the sweep and goes first too', async () => {
    const c = new TieredCache({ maxBytes: BYTES, prefix: '', logger, staleMaxAgeMs: 60_000 });
    await c.set('short', value('s'), 20);
    await c.set('old', value('o'), 60_000);
    await c.set('new', value('n'), 60_000);
    await c.get('short'); // recently used, still fresh
    await sleep(30);
    await c.set('more', value('m'), 60_000);
    expect(await c.entry('short')).toBeUndefined();
    for (const k of ['old', 'new', 'more']) expect(await c.get(k)).toBeDefined();
  });
});
