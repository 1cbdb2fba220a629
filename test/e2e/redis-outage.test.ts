import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../src/sandbox/server.js';
import type { TestRedis } from '../helpers/redis.js';
import { MinuteBudgetsDocument } from '../generated/graphql.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { dataOf } from '../helpers/results.js';
import type { GqlResult, Stack } from '../helpers/stack.js';

// Both endpoints limited to 10 a "minute" upstream and in our limiter; the whole file runs inside one
// window. While Redis is down each replica keeps REDIS_DOWN_BUDGET_SHARE (0.5) of each limit.
const MINUTE_MS = 30_000;
const LIMITS = { data: { perMinute: 10, perHour: 1000 }, expired_jobs: { perMinute: 10, perHour: 1000 }, aggregate_data: { perMinute: 10, perHour: 100 } };
const AGG = 'query($f: JobFilter) { aggregate(field: CATEGORY, filter: $f) { key count } }';

let replicas: Replicas;
let redis: TestRedis;
let sandbox: Sandbox;
let a: Stack;
let b: Stack;

beforeAll(async () => {
  replicas = await startReplicas({
    sandbox: { minuteMs: MINUTE_MS, limits: { dataPerMinute: 10, dataPerHour: 1000, aggregatePerMinute: 10, aggregatePerHour: 100 } },
    env: { RATE_WINDOW_MINUTE_MS: String(MINUTE_MS), RATE_LIMIT_MAX_WAIT_MS: '50', REDIS_DOWN_BUDGET_SHARE: '0.5', UPSTREAM_DEADLINE_MS: '3000' },
    limits: LIMITS,
    redisPrefix: 'outage:',
  });
  ({ redis, sandbox } = replicas);
  [a, b] = replicas.stacks as [Stack, Stack];
});
afterAll(async () => {
  await replicas.close();
});

const ok = (r: GqlResult) => (r.body.errors ?? []).length === 0;
const limited = (r: GqlResult) => (r.body.errors ?? []).some((e) => e.extensions?.code === 'RATE_LIMITED');
const aggregateLog = () => sandbox.log.filter((e) => e.endpoint === 'aggregate_data');
/** Upstream aggregate calls made for one replica's shapes (each replica filters on its own companies). */
const callsFor = (tag: string) => aggregateLog().filter((e) => JSON.stringify(e.body).includes(`${tag}-`)).length;
const shape = (tag: string, i: number) => ({ f: { company: `${tag}-${i}` } });

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await sleep(25);
  expect(condition()).toBe(true);
}

describe('Redis goes away and comes back', () => {
  it('keeps answering within budget on a local share, writes its calls back, and shares again', async () => {
    // Shared: A asks 2 shapes, B 1.
    for (const i of [0, 1]) expect(ok(await a.gql(AGG, shape('a', i)))).toBe(true);
    expect(ok(await b.gql(AGG, shape('b', 0)))).toBe(true);
    expect(aggregateLog()).toHaveLength(3);

    await redis.kill();

    // Down: 8 new shapes on each replica at once. Each stays inside half the limit, counting its own
    // calls and what it last saw the other replica use, so together they stay inside the limit.
    const down = await Promise.all([
      ...Array.from({ length: 8 }, (_, i) => a.gql(AGG, shape('a', 10 + i))),
      ...Array.from({ length: 8 }, (_, i) => b.gql(AGG, shape('b', 10 + i))),
    ]);
    expect(a.app.gate.degraded && b.app.gate.degraded).toBe(true);
    expect(down.every((r) => ok(r) || limited(r))).toBe(true);
    const aCalls = callsFor('a');
    const bCalls = callsFor('b');
    expect(aCalls).toBeGreaterThan(2);
    expect(bCalls).toBeGreaterThan(1);
    expect(aCalls).toBeLessThanOrEqual(5);
    expect(bCalls).toBeLessThanOrEqual(5);
    expect(aggregateLog().length).toBeLessThanOrEqual(10);
    expect(down.filter(ok)).toHaveLength(aCalls + bCalls - 3);
    // What a replica already has keeps being served while Redis is away.
    expect(ok(await a.gql(AGG, shape('a', 0)))).toBe(true);
    expect(callsFor('a')).toBe(aCalls);

    // Back, empty (nothing persisted): both replicas write their calls back as soon as it answers.
    await redis.restart();
    await until(() => !a.app.gate.degraded && !b.app.gate.degraded);
    const spent = aggregateLog().length;
    const usage = await b.gql(MinuteBudgetsDocument);
    const { limits } = dataOf(usage).apiUsage;
    expect(limits.find((l) => l.endpoint === '/v2/aggregate_data')?.remainingThisMinute).toBe(10 - spent);

    // Shared again: A may now use what is left of the whole limit, and no more.
    const after = await Promise.all(Array.from({ length: 8 }, (_, i) => a.gql(AGG, shape('a', 30 + i))));
    expect(after.filter(ok)).toHaveLength(10 - spent);
    expect(after.filter(limited)).toHaveLength(8 - (10 - spent));
    expect(aggregateLog()).toHaveLength(10);
    expect(sandbox.log.some((e) => e.status === 429)).toBe(false);
  });

  it('after the outage one replica can use more than its down share, and the other sees it', async () => {
    const ids = sandbox.jobs.map((j) => j.uniq_id);
    const q = 'query($id: String!) { job(uniqId: $id) { uniqId } }';
    const onA = [];
    for (const id of ids.slice(0, 7)) onA.push(await a.gql(q, { id }));
    expect(onA.every(ok)).toBe(true); // 7 > the 5 a replica may use alone
    const onB = [];
    for (const id of ids.slice(7, 12)) onB.push(await b.gql(q, { id }));
    expect(onB.filter(ok)).toHaveLength(3);
    expect(onB.filter(limited)).toHaveLength(2);
    const data = sandbox.log.filter((e) => e.endpoint === 'data');
    expect(data).toHaveLength(10);
    expect(data.every((e) => e.status === 200)).toBe(true);
  });
});
