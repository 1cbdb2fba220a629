import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { UPSTREAM_LIMITS } from '../../src/budget/rate-gate.js';
import { startSandbox, type Sandbox } from '../../src/sandbox/server.js';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// Lifetimes and windows are shrunk by configuration; what is asserted is the calls the sandbox saw
// and what the clients got.

const COUNTS = '{ aggregate(field: JOB_BOARD, limit: 5) { key count } }';
const SEARCH = '{ jobs(first: 3, filter: { city: "Austin" }) { nodes { uniqId } } }';
const expired = (from: string) => `{ expiredJobs(from: "${from}", to: "2030-01-01", first: 2) { totalCount nodes { uniqId } } }`;
const stale = (r: GqlResult) => (r.body.extensions?.jobspikr as { stale?: unknown[] } | undefined)?.stale;

/** Sum of a counter's samples whose labels contain `labels`. */
function counter(text: string, name: string, labels: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labels))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Wait (bounded) until `f` holds; the assertion after it says what was expected. */
async function until(f: () => Promise<boolean> | boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end && !(await f())) await sleep(20);
}

describe('stale-while-revalidate across replicas', () => {
  let replicas: Replicas;
  beforeAll(async () => {
    replicas = await startReplicas({
      sandbox: { jobCount: 200, seed: 21 },
      // A hit more than 30% into a lifetime refreshes; the lifetime is long enough for the hits to land inside it.
      env: { CACHE_TTL_AGGREGATE_MS: '3000', CACHE_TTL_SEARCH_MS: '3000', CACHE_TTL_RECORD_MS: '3000', SWR_WINDOW_RATIO: '0.7' },
      redisPrefix: 'swr-test:',
    });
  });
  afterAll(async () => {
    await replicas.close();
  });

  it('20 concurrent hits late in a count’s lifetime, on two replicas: answered at once, refreshed by one call', async () => {
    const [a, b] = replicas.stacks as [Stack, Stack];
    const first = await a.gql(COUNTS);
    expect((await a.gql(SEARCH)).body.errors).toBeUndefined();
    expect(replicas.sandbox.log.length).toBe(2);
    await sleep(1_000); // into the last 70% of the 3 s lifetime
    const hits = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).gql(COUNTS)));
    for (const r of hits) {
      expect(r.body.errors).toBeUndefined();
      expect(r.body.data).toEqual(first.body.data);
      expect(stale(r)).toBeUndefined();
    }
    // A search hit in the same part of its lifetime is never refreshed: it costs credits.
    expect((await b.gql(SEARCH)).body.errors).toBeUndefined();
    const made = async () =>
      counter(await a.metrics(), 'jobspikr_background_refreshes_total', 'outcome="made"') +
      counter(await b.metrics(), 'jobspikr_background_refreshes_total', 'outcome="made"');
    await until(async () => (await made()) >= 1);
    expect(await made()).toBe(1);
    expect(replicas.sandbox.log.filter((e) => e.endpoint === 'aggregate_data').length).toBe(2);
    expect(replicas.sandbox.log.filter((e) => e.endpoint === 'data').length).toBe(1);
    // The refreshed count is a new version: hits on it now are plain hits, no further refresh.
    await Promise.all([a.gql(COUNTS), b.gql(COUNTS)]);
    await sleep(100);
    expect(replicas.sandbox.log.filter((e) => e.endpoint === 'aggregate_data').length).toBe(2);
  });
});

describe('priority when the budget is tight', () => {
  let sandbox: Sandbox;
  const stacks: Stack[] = [];
  beforeAll(async () => {
    sandbox = await startSandbox({ jobCount: 200, seed: 22 });
  });
  beforeEach(() => sandbox.reset());
  afterEach(async () => {
    await Promise.all(stacks.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('a first page waiting for budget goes ahead of a background refresh, which is skipped', async () => {
    const s = await startStack({
      shared: sandbox,
      // Three expired-list calls a 1.5 s window; a hit after the first 10% (0.2 s) of a list's 2 s lifetime is due for a refresh.
      env: {
        RATE_WINDOW_MINUTE_MS: '1500',
        RATE_LIMIT_MAX_WAIT_MS: '5000',
        UPSTREAM_DEADLINE_MS: '8000',
        CACHE_TTL_EXPIRED_MS: '2000',
        SWR_WINDOW_RATIO: '0.9',
      },
      limits: { ...UPSTREAM_LIMITS, expired_jobs: { perMinute: 3, perHour: 1000 } },
    });
    stacks.push(s);
    for (const from of ['2020-01-01', '2020-02-01', '2020-03-01']) expect((await s.gql(expired(from))).body.errors).toBeUndefined();
    const log = () => sandbox.log.filter((e) => e.endpoint === 'expired_jobs').map((e) => (e.body as { start_date?: string }).start_date);
    expect(log()).toEqual(['2020-01-01', '2020-02-01', '2020-03-01']);
    // The window is full: a first page of another list waits for a slot.
    const waiting = s.gql(expired('2020-04-01'));
    await sleep(300);
    // Meanwhile a hit on a cached list is due for a refresh: answered from cache, its refresh yields.
    const hit = await s.gql(expired('2020-01-01'));
    expect(hit.body.errors).toBeUndefined();
    const r = await waiting;
    expect(r.body.errors).toBeUndefined();
    const metrics = await s.metrics();
    expect(counter(metrics, 'jobspikr_background_refreshes_total', 'outcome="skipped_budget"')).toBe(1);
    expect(counter(metrics, 'jobspikr_background_refreshes_total', 'outcome="made"')).toBe(0);
    expect(log()).toEqual(['2020-01-01', '2020-02-01', '2020-03-01', '2020-04-01']);
  });

  it('a refresh never takes the last slot of a window', async () => {
    const s = await startStack({
      shared: sandbox,
      env: { CACHE_TTL_AGGREGATE_MS: '20000', SWR_WINDOW_RATIO: '0.99' },
      limits: { ...UPSTREAM_LIMITS, aggregate_data: { perMinute: 3, perHour: 100 } },
    });
    stacks.push(s);
    expect((await s.gql(COUNTS)).body.errors).toBeUndefined();
    expect((await s.gql('{ aggregate(field: COUNTRY) { key } }')).body.errors).toBeUndefined();
    // Two of three slots used: a refresh would take the last one, so it is skipped.
    await sleep(250); // past the first 1% of the lifetime: due
    expect((await s.gql(COUNTS)).body.errors).toBeUndefined();
    await sleep(100);
    expect(counter(await s.metrics(), 'jobspikr_background_refreshes_total', 'outcome="skipped_budget"')).toBeGreaterThanOrEqual(1);
    expect(sandbox.log.filter((e) => e.endpoint === 'aggregate_data').length).toBe(2);
    // The last slot is still there for a caller.
    expect((await s.gql('{ aggregate(field: CATEGORY) { key } }')).body.errors).toBeUndefined();
    expect(sandbox.log.filter((e) => e.endpoint === 'aggregate_data').length).toBe(3);
  });

  it('a page beyond the third waits behind a first page for the last slot', async () => {
    const s = await startStack({
      shared: sandbox,
      env: { RATE_WINDOW_MINUTE_MS: '1500', RATE_LIMIT_MAX_WAIT_MS: '5000', UPSTREAM_DEADLINE_MS: '8000' },
      limits: { ...UPSTREAM_LIMITS, data: { perMinute: 4, perHour: 1000 } },
    });
    stacks.push(s);
    const page = '($after: String) { jobs(first: 2, after: $after) { pageInfo { endCursor } nodes { uniqId } } }';
    let after: string | null = null;
    for (let i = 0; i < 3; i++) {
      const r: GqlResult = await s.gql(`query Page${page}`, { after });
      after = (r.body.data?.jobs as { pageInfo: { endCursor: string } } | undefined)?.pageInfo.endCursor ?? null;
    }
    expect(sandbox.log.filter((e) => e.endpoint === 'data').length).toBe(3);
    // Page 4 is background: the window's last slot is not for it. A first page asked after it goes first.
    const deep = s.gql(`query Page${page}`, { after });
    await sleep(100);
    const firstPage = await s.gql('{ jobs(first: 2, filter: { city: "Boston" }) { nodes { uniqId } } }');
    expect(firstPage.body.errors).toBeUndefined();
    expect((await deep).body.errors).toBeUndefined();
    const order = sandbox.log.filter((e) => e.endpoint === 'data').map((e) => ('cursor' in (e.body as object) ? 'deep' : 'first'));
    expect(order).toEqual(['first', 'deep', 'deep', 'first', 'deep']);
  });
});
