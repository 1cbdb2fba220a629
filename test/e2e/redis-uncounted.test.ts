import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MinuteBudgetsDocument } from '../generated/graphql.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { dataOf } from '../helpers/results.js';
import type { GqlResult, Stack } from '../helpers/stack.js';

// Two replicas sharing one Redis budget: a 401 (which the upstream does not count) gives back the
// exact member the Lua TAKE added to each shared window, and nothing else.

const MINUTE_MS = 20_000;
const TENANT = { clientId: 'redis_wrongkeys_jp_sandbox_0001', authKey: 'tenant-right-key' };
const AGG = 'query($f: JobFilter) { aggregate(field: CATEGORY, filter: $f) { key count } }';

let replicas: Replicas;
let a: Stack;
let b: Stack;
let inspect: Redis;

beforeAll(async () => {
  replicas = await startReplicas({
    sandbox: { minuteMs: MINUTE_MS },
    env: { RATE_WINDOW_MINUTE_MS: String(MINUTE_MS), RATE_LIMIT_MAX_WAIT_MS: '50', UPSTREAM_DEADLINE_MS: '3000' },
    redisPrefix: 'uncounted:',
  });
  replicas.sandbox.addKey(TENANT, 'sandbox');
  [a, b] = replicas.stacks as [Stack, Stack];
  inspect = new Redis(replicas.redis.url);
});
afterAll(async () => {
  inspect.disconnect();
  await replicas.close();
});

const codes = (r: GqlResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);
const shape = (tag: string, i: number) => ({ f: { company: `${tag}-${i}` } });
const keys = (authKey: string) => ({ client_id: TENANT.clientId, client_auth_key: authKey });
const statuses = () => replicas.sandbox.log.map((e) => e.status);

/** The members of each shared aggregate window of the client id (one per admitted call), window by window. */
async function members(): Promise<Record<string, string[]>> {
  // Unaccepted pairs probe from buckets of their own (`...:aggregate_data:probe:<pair>:<window>`): not the id's windows.
  const windowKeys = (await inspect.keys('uncounted:win:*:aggregate_data:*')).filter((k) => !k.includes(':probe:')).sort();
  return Object.fromEntries(await Promise.all(windowKeys.map(async (k) => [k.slice(k.lastIndexOf(':') + 1), await inspect.zrange(k, '0', '-1')] as const)));
}

describe('wrong keys on two replicas sharing Redis', () => {
  it('leave exactly the members of accepted calls in the shared windows', async () => {
    expect(codes(await a.gql(AGG, shape('right', 0), keys(TENANT.authKey)))).toEqual([]);
    const before = await members();
    expect(Object.keys(before)).toEqual(['hour', 'minute']);
    expect(before.minute).toHaveLength(1);
    expect(before.hour).toEqual(before.minute);

    // 12 in turn (more than the 9 slots left), then 8 at once (each holds a slot until its 401).
    for (let i = 0; i < 12; i++) expect(codes(await (i % 2 ? a : b).gql(AGG, shape('wrong', i), keys(`guess-${i}`)))).toEqual(['UNAUTHENTICATED']);
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).gql(AGG, shape('burst', i), keys(`burst-${i}`))));
    for (const r of burst) expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(statuses().filter((s) => s === 401)).toHaveLength(20);
    expect(await members()).toEqual(before);

    const usage = await b.gql(MinuteBudgetsDocument, {}, keys(TENANT.authKey));
    const { limits } = dataOf(usage).apiUsage;
    expect(limits.find((l) => l.endpoint === '/v2/aggregate_data')?.remainingThisMinute).toBe(9);
  });

  it('so the right key keeps its whole minute across both replicas, and no more', async () => {
    for (let i = 1; i < 10; i++) expect(codes(await (i % 2 ? b : a).gql(AGG, shape('right', i), keys(TENANT.authKey)))).toEqual([]);
    expect(codes(await a.gql(AGG, shape('right', 10), keys(TENANT.authKey)))).toEqual(['RATE_LIMITED']);
    expect(codes(await b.gql(AGG, shape('right', 11), keys(TENANT.authKey)))).toEqual(['RATE_LIMITED']);
    expect(statuses().filter((s) => s === 200)).toHaveLength(10);
    expect(statuses()).not.toContain(429);
    expect((await members()).minute).toHaveLength(10);
  });
});
