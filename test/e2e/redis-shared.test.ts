import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Sandbox } from '../../src/sandbox/server.js';
import { ExpiredCountDocument, JobsByIdsDocument, RateBudgetsDocument } from '../generated/graphql.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { dataOf, readData } from '../helpers/results.js';
import type { GqlResult, Stack } from '../helpers/stack.js';

// Two replicas of one deployment over one upstream key, sharing one real redis-server.
const MINUTE_MS = 20_000;
const AGG = `query Agg($field: AggregateField!, $filter: JobFilter) { aggregate(field: $field, filter: $filter) { key count } }`;
const SHAPES = [
  { field: 'CATEGORY' },
  { field: 'JOB_TYPE', filter: { city: 'San Francisco', remote: false } },
  { field: 'SENIORITY', filter: { skills: ['Python', 'SQL'] } },
  { field: 'COUNTRY' },
  { field: 'JOB_BOARD', filter: { keywords: 'engineer' } },
];
/** The same five shapes written differently (key order, case), so replicas must normalise alike. */
const SPELLINGS = [
  { field: 'CATEGORY', filter: {} },
  { filter: { remote: false, city: 'SAN FRANCISCO' }, field: 'JOB_TYPE' },
  { field: 'SENIORITY', filter: { skills: ['sql', 'python'] } },
  { field: 'COUNTRY', filter: { includeExpired: false } },
  { field: 'JOB_BOARD', filter: { keywords: 'Engineer' } },
];

let replicas: Replicas;
let sandbox: Sandbox;
let a: Stack;
let b: Stack;
let inspect: Redis;

beforeAll(async () => {
  replicas = await startReplicas({
    sandbox: { minuteMs: MINUTE_MS, delayMs: 50 },
    env: { RATE_WINDOW_MINUTE_MS: String(MINUTE_MS), RATE_LIMIT_MAX_WAIT_MS: '50', UPSTREAM_DEADLINE_MS: '3000' },
    redisPrefix: 'shared-test:',
  });
  sandbox = replicas.sandbox;
  [a, b] = replicas.stacks as [Stack, Stack];
  inspect = new Redis(replicas.redis.url);
});
afterAll(async () => {
  inspect.disconnect();
  await replicas.close();
});

const errorsOf = (r: GqlResult<unknown>) => r.body.errors ?? [];
const JobIds = z.object({ jobs: z.object({ nodes: z.array(z.looseObject({ uniqId: z.string() })) }) });
const idsOf = (r: GqlResult) => readData(r, JobIds).jobs.nodes.map((n) => n.uniqId);
const aggregateLog = () => sandbox.log.filter((e) => e.endpoint === 'aggregate_data');

describe('two replicas sharing one Redis', () => {
  it('60 concurrent aggregate queries of 5 shapes spread over both replicas: 5 upstream calls', async () => {
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const variables = (i % 2 === 0 ? SHAPES : SPELLINGS)[i % 5] ?? {};
        return (i % 4 < 2 ? a : b).gql(AGG, variables);
      }),
    );
    for (const r of results) expect(errorsOf(r)).toEqual([]);
    for (const [i, r] of results.entries()) expect(r.body.data).toEqual(results[i % 5]?.body.data);
    expect(aggregateLog()).toHaveLength(5);
  });

  it('12 more shapes in the same minute, 6 on each replica: at most 10 calls combined, no upstream 429', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).gql(AGG, { field: 'CATEGORY', filter: { company: `company ${i}` } })),
    );
    expect(aggregateLog()).toHaveLength(10);
    expect(aggregateLog().some((e) => e.status === 429)).toBe(false);
    const limited = results.filter((r) => errorsOf(r).some((e) => e.extensions?.code === 'RATE_LIMITED' && typeof e.extensions.retryAfter === 'number'));
    expect(limited).toHaveLength(7);
    // Both replicas report the one shared budget.
    for (const s of [a, b]) {
      const { limits } = dataOf(await s.gql(RateBudgetsDocument)).apiUsage;
      expect(limits.find((l) => l.endpoint === '/v2/aggregate_data')).toMatchObject({ remainingThisMinute: 0, remainingThisHour: 90 });
    }
  });

  it('what one replica bought the other serves: pages, smaller pages and job records', async () => {
    const page = await a.gql('{ jobs(filter: { city: "Boston" }, first: 8) { nodes { uniqId title } } }');
    expect(page.body.errors).toBeUndefined();
    const ids = idsOf(page);
    const before = sandbox.log.length;
    const same = await b.gql('{ jobs(filter: { city: "boston" }, first: 8) { nodes { uniqId title } } }');
    expect(same.body.data).toEqual(page.body.data);
    const smaller = await b.gql('{ jobs(filter: { city: "BOSTON" }, first: 3) { nodes { uniqId } } }');
    expect(idsOf(smaller)).toEqual(ids.slice(0, 3));
    const records = await b.gql(JobsByIdsDocument, { ids });
    expect(dataOf(records).jobsByUniqIds.map((j) => j?.uniqId)).toEqual(ids);
    expect(sandbox.log.length).toBe(before);
  });

  it('identical pages asked of both replicas at once are bought once', async () => {
    const before = sandbox.log.filter((e) => e.endpoint === 'data').length;
    sandbox.setDelay(200);
    try {
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).gql('{ jobs(filter: { city: "Chicago" }, first: 6) { nodes { uniqId } } }')),
      );
      for (const r of results) expect(errorsOf(r)).toEqual([]);
      for (const r of results) expect(r.body.data).toEqual(results[0]?.body.data);
    } finally {
      sandbox.setDelay(50);
    }
    expect(sandbox.log.filter((e) => e.endpoint === 'data').length).toBe(before + 1);
  });

  it("jobs consumed through one replica show up in the other's next expiredJobs list", async () => {
    const q = { from: '2024-01-01', to: '2026-12-31', first: 100 };
    const count = async (s: Stack) => {
      const r = await s.gql(ExpiredCountDocument, q);
      expect(errorsOf(r)).toEqual([]);
      return dataOf(r).expiredJobs.totalCount ?? 0;
    };
    const before = await count(a);
    const bought = await b.gql('{ jobs(filter: { includeExpired: true, category: "Retail" }, first: 100) { nodes { uniqId } } }', undefined, {
      'x-max-credits': '100',
    });
    expect(errorsOf(bought)).toEqual([]);
    expect(await count(a)).toBeGreaterThan(before);
  });

  it('a 429 seen by one replica blocks the credential on the other', async () => {
    sandbox.clearLog();
    sandbox.injectFault({ kind: 'rate429', endpoint: 'expired_jobs', times: 1, retryAfterSeconds: 30 });
    const q = 'query($to: Date!) { expiredJobs(from: "2024-01-01", to: $to) { totalCount } }';
    const onA = await a.gql(q, { to: '2024-06-01' });
    expect(onA.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 30 });
    const onB = await b.gql(q, { to: '2024-07-01' });
    expect(onB.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(sandbox.log.filter((e) => e.endpoint === 'expired_jobs').map((e) => e.status)).toEqual([429]);
  });

  it('nothing in Redis holds a credential in clear', async () => {
    const keys = await inspect.keys('*');
    expect(keys.some((k) => k.startsWith('shared-test:win:'))).toBe(true);
    expect(keys.some((k) => k.startsWith('shared-test:cache:record:'))).toBe(true);
    const { clientId, authKey } = sandbox.keys.sandbox;
    for (const k of keys) {
      expect(k).not.toContain(clientId);
      expect(k).not.toContain(authKey);
    }
    const values = await Promise.all(keys.filter((k) => !k.includes(':win:')).map((k) => inspect.get(k).catch(() => '')));
    for (const v of values) expect(v ?? '').not.toContain(authKey);
  });
});
