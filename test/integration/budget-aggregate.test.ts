import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AggregateCountsDocument as AGG, type AggregateCountsQueryVariables, BudgetResetsDocument } from '../generated/graphql.js';
import { dataOf, usageOf } from '../helpers/results.js';
import { type GqlResult, startStack, type Stack } from '../helpers/stack.js';

// A "minute" long enough that the whole file runs inside one window, short enough to keep the
// Retry-After values small. Refused calls must not queue: they fail at once with RATE_LIMITED.
const MINUTE_MS = 20_000;
const ENV = { RATE_WINDOW_MINUTE_MS: String(MINUTE_MS), RATE_LIMIT_MAX_WAIT_MS: '50' };

/** Five shapes, each written in several ways that mean the same (filter key order, letter case, spacing). */
const SHAPES: AggregateCountsQueryVariables[][] = [
  [{ field: 'CATEGORY' }, { field: 'CATEGORY', filter: {} }, { field: 'CATEGORY', filter: { includeExpired: false } }],
  [
    { field: 'JOB_TYPE', filter: { city: 'San Francisco', remote: false } },
    { field: 'JOB_TYPE', filter: { remote: false, city: 'SAN FRANCISCO' } },
    { field: 'JOB_TYPE', filter: { city: '  san   francisco ', remote: false } },
  ],
  [
    { field: 'SENIORITY', filter: { seniority: ['MID', 'SENIOR'], skills: ['Python', 'sql'] } },
    { field: 'SENIORITY', filter: { skills: ['SQL', 'python'], seniority: ['SENIOR', 'MID'] } },
  ],
  [
    { field: 'COUNTRY', groupBy: 'REMOTE' },
    { groupBy: 'REMOTE', field: 'COUNTRY' },
  ],
  [
    { field: 'JOB_BOARD', filter: { keywords: 'Software Engineer', salary: { min: 50000, currency: 'usd' } } },
    { field: 'JOB_BOARD', filter: { salary: { currency: 'USD', min: 50000 }, keywords: 'software engineer' } },
  ],
];

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ env: ENV, sandbox: { minuteMs: MINUTE_MS } });
});
afterAll(async () => {
  await stack.close();
});

const aggregateCalls = () => stack.sandbox.log.filter((e) => e.endpoint === 'aggregate_data');
const errorsOf = (r: GqlResult<unknown>) => r.body.errors ?? [];
const isNonEmptyList = (v: unknown): boolean => Array.isArray(v) && v.length > 0;

describe('aggregate budget on one server', () => {
  it('answers 60 concurrent queries of 5 shapes with 5 upstream calls (filter order and case do not split keys)', async () => {
    const variables = Array.from({ length: 60 }, (_, i) => {
      const variants = SHAPES[i % SHAPES.length] ?? [];
      const v = variants[Math.floor(i / SHAPES.length) % variants.length];
      if (!v) throw new Error(`no variant for query ${i}`);
      return v;
    });
    const results = await Promise.all(variables.map((v) => stack.gql(AGG, v)));
    for (const r of results) {
      expect(errorsOf(r)).toEqual([]);
      expect(Array.isArray(r.body.data?.aggregate)).toBe(true);
    }
    // Every variant of a shape got the same answer.
    for (const [i, r] of results.entries()) expect(r.body.data).toEqual(results[i % SHAPES.length]?.body.data);
    expect(aggregateCalls()).toHaveLength(5);
    expect(aggregateCalls().every((e) => e.status === 200)).toBe(true);
    // The calls were made once and the rest was coalesced or served from cache; the usage says so.
    const calls = results.map((r) => usageOf(r).upstreamCalls);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(5);
  });

  it('a cached shape with more buckets serves a smaller limit without a call', async () => {
    const before = aggregateCalls().length;
    const r = await stack.gql(AGG, { field: 'CATEGORY', limit: 3 });
    expect(errorsOf(r)).toEqual([]);
    expect(dataOf(r).aggregate.length).toBeLessThanOrEqual(3);
    expect(aggregateCalls().length).toBe(before);
  });

  it('12 more shapes in the same minute: at most 10 upstream calls in the window, no upstream 429, the rest RATE_LIMITED with retryAfter', async () => {
    const extra = Array.from({ length: 12 }, (_, i): AggregateCountsQueryVariables => ({ field: 'CATEGORY', filter: { company: `company ${i}` } }));
    const results = await Promise.all(extra.map((v) => stack.gql(AGG, v)));
    const log = aggregateCalls();
    expect(log).toHaveLength(10);
    expect(log.some((e) => e.status === 429)).toBe(false);
    const limited = results.filter((r) => errorsOf(r).some((e) => e.extensions?.code === 'RATE_LIMITED'));
    const answered = results.filter((r) => errorsOf(r).length === 0);
    expect(answered).toHaveLength(5);
    expect(limited).toHaveLength(7);
    for (const r of limited) {
      const err = errorsOf(r)[0];
      expect(err?.path).toEqual(['aggregate']);
      const retryAfter = err?.extensions?.retryAfter;
      expect(typeof retryAfter).toBe('number');
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(Math.ceil(MINUTE_MS / 1000) + 1);
      expect(usageOf(r).upstreamCalls).toBe(1);
    }
    // Cached shapes are still answered while the budget is spent.
    const shape = SHAPES[1]?.[0];
    if (!shape) throw new Error('SHAPES[1] has no spelling');
    const cached = await stack.gql(AGG, shape);
    expect(errorsOf(cached)).toEqual([]);
    expect(aggregateCalls()).toHaveLength(10);
  });

  it('apiUsage reports the spent aggregate budget', async () => {
    const r = await stack.gql(BudgetResetsDocument);
    const agg = dataOf(r).apiUsage.limits.find((l) => l.endpoint === '/v2/aggregate_data');
    expect(agg).toMatchObject({ remainingThisMinute: 0, remainingThisHour: 90 });
    expect(agg?.resetAt).not.toBeNull();
  });
});

describe('partial results', () => {
  it('a field refused for budget is null with RATE_LIMITED; the rest of the response arrives', async () => {
    const s = await startStack({
      env: ENV,
      sandbox: { minuteMs: MINUTE_MS },
      limits: { data: { perMinute: 1, perHour: 100 }, expired_jobs: { perMinute: 100, perHour: 5000 }, aggregate_data: { perMinute: 10, perHour: 100 } },
    });
    try {
      const first = await s.gql('{ jobs(first: 2) { nodes { uniqId } } }');
      expect(first.body.errors).toBeUndefined();
      const unseen = s.sandbox.jobs.map((j) => j.uniq_id).find((id) => !JSON.stringify(first.body.data).includes(id));
      const r = await s.gql(`query($id: String!) { cats: aggregate(field: CATEGORY, limit: 2) { key } job(uniqId: $id) { title } apiUsage { sandbox } }`, {
        id: unseen,
      });
      expect(r.body.data?.job).toBeNull();
      expect(dataOf(r).cats).toSatisfy(isNonEmptyList);
      expect(r.body.data?.apiUsage).toEqual({ sandbox: true });
      expect(r.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['job'], 'RATE_LIMITED']]);
      expect(r.body.errors?.[0]?.extensions?.retryAfter).toBeGreaterThanOrEqual(1);
      expect(s.calls('data')).toBe(1);
    } finally {
      await s.close();
    }
  });
});

describe('a shared call outlives the caller that started it', () => {
  it('the first caller going away does not fail the others waiting on its call', async () => {
    const s = await startStack({ env: ENV, sandbox: { minuteMs: MINUTE_MS, delayMs: 300 } });
    try {
      const query = '{ aggregate(field: STATE) { key count } }';
      const gone = new AbortController();
      const first = Promise.resolve(
        s.app.yoga.fetch('http://localhost/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query }),
          signal: gone.signal,
        }),
      ).then(
        () => 'answered',
        () => 'aborted',
      );
      await sleep(50);
      const second = s.gql(query);
      await sleep(50);
      gone.abort();
      const r = await second;
      expect(r.body.errors).toBeUndefined();
      expect(dataOf(r).aggregate).toSatisfy(isNonEmptyList);
      await first;
      expect(s.calls('aggregate_data')).toBe(1);
      expect(s.sandbox.log[0]?.status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
