import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateGate } from '../../src/budget/rate-gate.js';
import { RedisSlidingWindow } from '../../src/budget/sliding-window.js';
import { createMetrics } from '../../src/metrics.js';
import type { Credentials } from '../../src/upstream/credentials.js';
import type { CallBudget } from '../../src/upstream/http.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

// Lanes and shares of the rate gate: what a background call may take, and what one party's share caps.

const key: Credentials = { clientId: 'acme_prod_lanes', authKey: 'k', scheme: 'headers' };
const noWait: CallBudget = { maxWaitMs: 0 };

function gate(perMinute: number, o: { minuteMs?: number; shared?: RedisSlidingWindow } = {}) {
  return new RateGate({
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    minuteMs: o.minuteMs ?? 60_000,
    hourMs: 3_600_000,
    maxWaitMs: 5_000,
    downShare: 0.5,
    windowMargin: { ratio: 0, maxMs: 0 },
    limits: { data: { perMinute, perHour: 10_000 }, expired_jobs: { perMinute, perHour: 10_000 }, aggregate_data: { perMinute, perHour: 10_000 } },
    ...(o.shared && { shared: o.shared }),
  });
}

/** How many slots `budget` gets before the gate refuses (never waiting). */
async function takeUntilRefused(g: RateGate, budget: CallBudget, max = 100): Promise<number> {
  const signal = new AbortController().signal;
  for (let n = 0; n < max; n++) {
    try {
      await g.acquire(key, 'data', signal, { ...noWait, ...budget });
    } catch (e) {
      expect(e).toHaveProperty('code', 'RATE_LIMITED');
      return n;
    }
  }
  return max;
}

describe('rate gate lanes and shares (memory)', () => {
  it('a share caps one party at share x limit; another party still finds the rest', async () => {
    const g = gate(10);
    expect(await takeUntilRefused(g, { shares: [{ key: 'noisy', share: 0.5 }] })).toBe(5);
    expect(await takeUntilRefused(g, { shares: [{ key: 'quiet', share: 0.5 }] })).toBe(5);
    expect(await takeUntilRefused(g, {})).toBe(0);
  });

  it('a refused share gives back what it took, so the key budget is not lost', async () => {
    const g = gate(4);
    expect(
      await takeUntilRefused(g, {
        shares: [
          { key: 'a', share: 1 },
          { key: 'b', share: 0.5 },
        ],
      }),
    ).toBe(2);
    expect(await takeUntilRefused(g, {})).toBe(2);
  });

  it('a background call leaves the last slots of a window to interactive calls', async () => {
    const g = gate(10);
    expect(await takeUntilRefused(g, { lane: 'background' })).toBe(9);
    expect(await takeUntilRefused(g, { lane: 'interactive' })).toBe(1);
  });

  it('a background call waits while an interactive call waits, and goes after it', async () => {
    const g = gate(2, { minuteMs: 300 });
    const signal = new AbortController().signal;
    await g.acquire(key, 'data', signal);
    await g.acquire(key, 'data', signal);
    const order: string[] = [];
    const interactive = g.acquire(key, 'data', signal).then(() => order.push('interactive'));
    await new Promise((r) => setTimeout(r, 20));
    const background = g.acquire(key, 'data', signal, { lane: 'background' }).then(() => order.push('background'));
    await Promise.all([interactive, background]);
    expect(order).toEqual(['interactive', 'background']);
  });

  it('release gives back the slot in the key and in every share', async () => {
    const g = gate(2);
    const signal = new AbortController().signal;
    const slot = await g.acquire(key, 'data', signal, { shares: [{ key: 'x', share: 0.5 }] });
    expect(await takeUntilRefused(g, { shares: [{ key: 'x', share: 0.5 }] })).toBe(0);
    await slot.release();
    expect(await takeUntilRefused(g, { shares: [{ key: 'x', share: 0.5 }] })).toBe(1);
  });
});

describe('rate gate shares across replicas (real redis-server)', () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  it('two replicas together give one party no more than its share', async () => {
    const replica = () => {
      const c = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      clients.push(c);
      return gate(10, { shared: new RedisSlidingWindow(c, 'lanes:') });
    };
    const a = replica();
    const b = replica();
    const budget = { shares: [{ key: 'caller-1', share: 0.3 }] };
    const first = await takeUntilRefused(a, budget);
    const second = await takeUntilRefused(b, budget);
    expect(first + second).toBe(3);
    expect(await takeUntilRefused(b, {})).toBe(7);
  });
});
