import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Redis } from 'ioredis';
import { callerKey, type Caller } from '../../src/callers/caller.js';
import { CallerQuotas } from '../../src/callers/caller-quotas.js';
import { isAppError } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { freePort } from '../helpers/free-port.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';
import { captureLogs } from '../helpers/stack.js';

const caller = (id: string, quota: number | null): Caller => ({ id, kind: 'token', creditsPerPeriod: quota, key: callerKey(id) });
const logger = createLogger('silent');

describe('CallerQuotas periods (in memory, a fake clock)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses past the quota with the seconds until the period ends, and serves again in the next period', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T23:59:00Z'));
    const q = new CallerQuotas({ prefix: 'u:', periodMs: 86_400_000, logger });
    const c = caller('etl', 10);
    const held = await q.reserve(c, 10);
    expect(isAppError(held)).toBe(false);
    const refused = await q.reserve(c, 1);
    expect(isAppError(refused) && [refused.code, refused.retryAfter]).toEqual(['QUOTA_EXCEEDED', 60]);
    expect((await q.standing(c)).resetsAt).toBe(Date.parse('2026-12-02T00:00:00Z'));
    vi.setSystemTime(new Date('2026-12-02T00:00:01Z'));
    expect(await q.standing(c)).toMatchObject({ creditsUsed: 0, creditsLeft: 10 });
    expect(isAppError(await q.reserve(c, 10))).toBe(false);
  });

  it('settling gives back what was held beyond the real cost, and adds what went beyond it', async () => {
    const q = new CallerQuotas({ prefix: 'u:', periodMs: 86_400_000, logger });
    const c = caller('bi', 100);
    const a = await q.reserve(c, 40);
    if (isAppError(a)) throw a;
    expect(await q.settle(a, 7)).toBe(7);
    const b = await q.reserve(c, 0);
    if (isAppError(b)) throw b;
    expect(await q.settle(b, 3)).toBe(10);
    expect(await q.creditsLeft(c)).toBe(90);
  });
});

describe('CallerQuotas in Redis', () => {
  let redis: TestRedis;
  let clients: Redis[];
  beforeAll(async () => {
    redis = await startRedis();
    clients = [new Redis(redis.url), new Redis(redis.url)];
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  it('many reservations at once from two connections never pass the quota together', async () => {
    const [r1, r2] = clients as [Redis, Redis];
    const q1 = new CallerQuotas({ redis: r1, prefix: 'race:', periodMs: 86_400_000, logger });
    const q2 = new CallerQuotas({ redis: r2, prefix: 'race:', periodMs: 86_400_000, logger });
    const c = caller('racer', 100);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => (i % 2 ? q1 : q2).reserve(c, 7)));
    expect(results.filter((r) => !isAppError(r))).toHaveLength(14);
    expect((await q1.standing(c)).creditsUsed).toBe(98);
  });

  it('with Redis unreachable, each replica counts on its own (logged once) and still holds the quota', async () => {
    const port = await freePort([6379]);
    const dead = new Redis({ port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    const logs = captureLogs('warn');
    try {
      const q = new CallerQuotas({ redis: dead, prefix: 'down:', periodMs: 86_400_000, logger: logs.logger });
      const c = caller('offline', 10);
      expect(isAppError(await q.reserve(c, 6))).toBe(false);
      const refused = await q.reserve(c, 6);
      expect(isAppError(refused) && refused.code).toBe('QUOTA_EXCEEDED');
      expect(logs.lines.filter((l) => l.includes('caller quotas: Redis unreachable'))).toHaveLength(1);
    } finally {
      dead.disconnect();
    }
  });
});
