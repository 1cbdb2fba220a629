import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawJobRecord } from '../../src/sandbox/data.js';
import { print } from 'graphql';
import { z } from 'zod';
import {
  type AggregateField,
  AggregateTreeDocument,
  type AggregateTreeQuery,
  type AggregateTreeQueryVariables,
  ExpiredPageDocument,
  type ExpiredPageQuery,
  type ExpiredPageQueryVariables,
  type JobFilter,
  JobIdsPageDocument,
  type JobIdsPageQuery,
} from '../generated/graphql.js';
import { AGGREGATE_FIELD, AGGREGATE_FIELDS, expectedBuckets as oracle } from '../helpers/aggregate-oracle.js';
import { codeOf as code, dataOf } from '../helpers/results.js';
import { isTrue } from '../helpers/search-oracle.js';
import { dataBodies, queryParams } from '../helpers/sent.js';
import { type GqlResult, startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ unlimited: true, sandbox: { jobCount: 1500, seed: 7 } });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.sandbox.clearLog());

const params = (endpoint: 'expired_jobs' | 'aggregate_data') => queryParams(stack.sandbox, endpoint);

/** Every job of a search, paged to the end (what the server bought, and the sandbox marked consumed). */
async function searchAll(s: Stack, filter: JobFilter): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const r: GqlResult<JobIdsPageQuery> = await s.gql(JobIdsPageDocument, { filter, first: 100, after });
    expect(r.body.errors).toBeUndefined();
    const c = dataOf(r).jobs;
    ids.push(...c.nodes.map((n) => n.uniqId));
    if (!c.pageInfo.hasNextPage) return ids;
    after = c.pageInfo.endCursor;
  }
}

// ---- expiredJobs --------------------------------------------------------------------------------

type ExpiredConn = ExpiredPageQuery['expiredJobs'];
async function expired(s: Stack, vars: ExpiredPageQueryVariables): Promise<ExpiredConn> {
  const r = await s.gql(ExpiredPageDocument, vars);
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return dataOf(r).expiredJobs;
}

/** The sandbox's rule: consumed, has_expired, and the expiry check that found it gone inside [from, to]. */
function expectedExpired(consumed: ReadonlySet<string>, from: string, to: string): RawJobRecord[] {
  return stack.sandbox.jobs.filter((r) => {
    const d = r.latest_expiry_check_date;
    return consumed.has(r.uniq_id) && isTrue(r.has_expired) && typeof d === 'string' && d >= from && d <= to;
  });
}

describe('expiredJobs', () => {
  const FROM = '2024-11-01';
  const TO = '2027-01-31';
  const consumed = new Set<string>();

  it('nothing consumed yet: an empty connection', async () => {
    const c = await expired(stack, { from: '2024-06-01', to: '2027-01-31' });
    expect(c).toMatchObject({ edges: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } });
    expect(params('expired_jobs')).toEqual([{ start_date: '2024-06-01', end_date: '2027-01-31', size: '10' }]);
  });

  it('lists exactly the consumed jobs that expired in the range, job batched from the search cache (0 /data calls)', async () => {
    for (const id of await searchAll(stack, { category: 'Healthcare', includeExpired: true })) consumed.add(id);
    const want = expectedExpired(consumed, FROM, TO);
    expect(want.length).toBeGreaterThan(5);
    stack.sandbox.clearLog();
    const c = await expired(stack, { from: FROM, to: TO, first: 100 });
    expect(c.edges.map((e) => e.node.uniqId)).toEqual(want.map((r) => r.uniq_id));
    expect(c.totalCount).toBe(want.length);
    c.edges.forEach((e, i) => {
      const raw = want[i];
      expect(e.node.expiredOn).toBe(raw?.latest_expiry_check_date);
      expect(e.node.url).toBe(raw?.url ?? null);
      expect(e.node.job).toMatchObject({ uniqId: raw?.uniq_id, hasExpired: true });
    });
    expect(stack.calls('expired_jobs')).toBe(1);
    // Every job was bought by the search moments ago: the record cache answers, nothing is bought twice.
    expect(stack.calls('data')).toBe(0);
  });

  it('on a server that has not seen the records, `job` for a whole page is one /data call', async () => {
    const other = await startStack({ shared: stack.sandbox, unlimited: true });
    try {
      const want = expectedExpired(consumed, FROM, TO).slice(0, 7);
      stack.sandbox.clearLog();
      const c = await expired(other, { from: FROM, to: TO, first: 7 });
      expect(c.edges.map((e) => e.node.job?.uniqId)).toEqual(want.map((r) => r.uniq_id));
      expect(stack.calls('expired_jobs')).toBe(1);
      expect(stack.calls('data')).toBe(1);
      const [body] = dataBodies(stack.sandbox);
      expect(body?.search_query_json).toEqual({ terms: { uniq_id: want.map((r) => r.uniq_id).sort() } });
    } finally {
      await other.close();
    }
  });

  it('pages to the end with no duplicate and no gap, pages = ceil(total/first)', async () => {
    const want = expectedExpired(consumed, FROM, TO).map((r) => r.uniq_id);
    const other = await startStack({ shared: stack.sandbox, unlimited: true });
    try {
      stack.sandbox.clearLog();
      const seen: string[] = [];
      let after: string | null = null;
      for (let i = 0; i < 50; i++) {
        const c = await expired(other, { from: FROM, to: TO, first: 4, after });
        seen.push(...c.edges.map((e) => e.node.uniqId));
        if (!c.pageInfo.hasNextPage) break;
        after = c.pageInfo.endCursor;
      }
      expect(seen).toEqual(want);
      expect(stack.calls('expired_jobs')).toBe(Math.ceil(want.length / 4));
    } finally {
      await other.close();
    }
  });

  it('a narrower range narrows the list', async () => {
    const all = expectedExpired(consumed, FROM, TO);
    const mid = all[Math.floor(all.length / 2)]?.latest_expiry_check_date as string;
    const c = await expired(stack, { from: FROM, to: mid, first: 100 });
    expect(c.edges.map((e) => e.node.uniqId)).toEqual(expectedExpired(consumed, FROM, mid).map((r) => r.uniq_id));
    expect(params('expired_jobs')[0]).toMatchObject({ start_date: FROM, end_date: mid });
  });

  it('jobs consumed after a first look show up on the next look (consumed set grows)', async () => {
    const range = { from: '2024-11-01', to: '2026-12-31', first: 100 };
    const before = await expired(stack, range);
    expect(before.edges.map((e) => e.node.uniqId)).toEqual(expectedExpired(consumed, range.from, range.to).map((r) => r.uniq_id));
    for (const id of await searchAll(stack, { category: 'Retail', includeExpired: true })) consumed.add(id);
    const want = expectedExpired(consumed, range.from, range.to).map((r) => r.uniq_id);
    expect(want.length).toBeGreaterThan(before.edges.length);
    // The upstream lists them (a server with empty caches sees them) ...
    const other = await startStack({ shared: stack.sandbox, unlimited: true });
    try {
      expect((await expired(other, range)).edges.map((e) => e.node.uniqId)).toEqual(want);
    } finally {
      await other.close();
    }
    // ... so the server that consumed them must not answer from a list cached before it did.
    const after = await expired(stack, range);
    expect(after.edges.map((e) => e.node.uniqId)).toEqual(want);
  });

  it('an ExpiredJob id works with node', async () => {
    const c = await expired(stack, { from: FROM, to: TO, first: 1 });
    const id = c.edges[0]?.node.id;
    const r = await stack.gql('query($id: ID!) { node(id: $id) { __typename ... on ExpiredJob { uniqId } } }', { id });
    expect(r.body.data).toEqual({ node: { __typename: 'ExpiredJob', uniqId: c.edges[0]?.node.uniqId } });
  });

  it('from after to, a bad date, or a cursor of another range: BAD_USER_INPUT and no upstream call', async () => {
    const c = await expired(stack, { from: FROM, to: TO, first: 1 });
    stack.sandbox.clearLog();
    for (const vars of [
      { from: '2025-02-01', to: '2025-01-31' },
      { from: '2025-02-30', to: '2025-03-01' },
      { from: '2025/01/01', to: '2025-03-01' },
      { from: FROM, to: '2027-01-30', after: c.pageInfo.endCursor },
      { from: FROM, to: TO, first: 0 },
      { from: FROM, to: TO, first: 101 },
    ]) {
      const r = await stack.gql(ExpiredPageDocument, vars);
      expect(code(r), JSON.stringify(vars)).toBe('BAD_USER_INPUT');
    }
    expect(stack.sandbox.log).toHaveLength(0);
  });

  it('any valid range is asked for as it is: the contract sets no longest range', async () => {
    stack.sandbox.clearLog();
    const r = await stack.gql(ExpiredPageDocument, { from: '2015-01-01', to: '2030-12-31' });
    expect(r.body.errors).toBeUndefined();
    expect(stack.sandbox.log.map((e) => e.body)).toEqual([expect.objectContaining({ start_date: '2015-01-01', end_date: '2030-12-31' })]);
  });
});

// ---- aggregate ----------------------------------------------------------------------------------

const expectedBuckets = (keep: (r: RawJobRecord) => boolean, field: AggregateField, groupBy: AggregateField | undefined, limit: number) =>
  oracle(stack.sandbox.jobs, keep, field, groupBy, limit);
const notExpired = (r: RawJobRecord) => !isTrue(r.has_expired);

async function aggregate(vars: AggregateTreeQueryVariables): Promise<AggregateTreeQuery['aggregate']> {
  const r = await stack.gql(AggregateTreeDocument, vars);
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return dataOf(r).aggregate;
}

describe('aggregate', () => {
  it('without groupBy: counts of the field over jobs not expired, default limit 10', async () => {
    const got = await aggregate({ field: 'CATEGORY' });
    expect(got).toEqual(expectedBuckets(notExpired, 'CATEGORY', undefined, 10));
    expect(got).toHaveLength(10);
    const [p] = params('aggregate_data');
    expect(p).toMatchObject({ query: 'category', size: '10' });
    expect(p).not.toHaveProperty('group_by');
    expect(JSON.parse(p?.search_query_json ?? 'null')).toEqual({
      bool: { must: [{ query_string: { default_field: 'job_title', query: '*' } }], must_not: [{ terms: { has_expired: [true] } }] },
    });
  });

  it('with groupBy: outer buckets are the groupBy values, inner the field values; limit on both levels', async () => {
    const got = await aggregate({ field: 'SENIORITY', groupBy: 'COUNTRY', limit: 3 });
    expect(got).toEqual(expectedBuckets(notExpired, 'SENIORITY', 'COUNTRY', 3));
    expect(got).toHaveLength(3);
    expect(got.every((b) => b.buckets.length > 0 && b.buckets.length <= 3)).toBe(true);
    expect(params('aggregate_data')[0]).toMatchObject({ query: 'inferred_seniority_level', group_by: 'inferred_country', size: '3' });
  });

  it('a filter narrows the counts with the same semantics as search', async () => {
    const got = await aggregate({ field: 'CITY', groupBy: 'REMOTE', filter: { category: 'Software Development', includeExpired: true }, limit: 50 });
    const keep = (r: RawJobRecord) => r.category === 'Software Development';
    expect(got).toEqual(expectedBuckets(keep, 'CITY', 'REMOTE', 50));
    expect(got.map((b) => b.key).sort()).toEqual(['false', 'true']);
    const sent = z.looseObject({ bool: z.unknown() }).parse(JSON.parse(params('aggregate_data')[0]?.search_query_json ?? 'null'));
    expect(sent.bool).toEqual({ must: [{ query_string: { default_field: 'category', query: '"software development"' } }] });
  });

  it('every AggregateField maps onto its contract field', async () => {
    for (const field of AGGREGATE_FIELDS) {
      stack.sandbox.clearLog();
      const got = await aggregate({ field, filter: { country: 'Canada' }, limit: 5 });
      const keep = (r: RawJobRecord) => notExpired(r) && [r.country, r.inferred_country].some((v) => typeof v === 'string' && /\bcanada\b/i.test(v));
      expect(got, field).toEqual(expectedBuckets(keep, field, undefined, 5));
      expect(got.length, field).toBeGreaterThan(0);
      expect(params('aggregate_data')[0]?.query, field).toBe(AGGREGATE_FIELD[field]);
    }
  });

  it('limit respected up to 1000; bad limits and groupBy = field refused before any call', async () => {
    const many = await aggregate({ field: 'POST_DATE', limit: 1000 });
    expect(many).toEqual(expectedBuckets(notExpired, 'POST_DATE', undefined, 1000));
    expect(many.length).toBeGreaterThan(100);
    stack.sandbox.clearLog();
    for (const vars of [{ field: 'CATEGORY', limit: 0 }, { field: 'CATEGORY', limit: 1001 }, { field: 'CITY', groupBy: 'CITY' }, { field: 'NOPE' }]) {
      // As text: `NOPE` is a value the generated types would not let a client send.
      const r = await stack.gql(print(AggregateTreeDocument), vars);
      expect(code(r), JSON.stringify(vars)).toBe('BAD_USER_INPUT');
    }
    expect(stack.sandbox.log).toHaveLength(0);
  });

  it('no matching job: an empty list', async () => {
    const got = await aggregate({ field: 'CATEGORY', filter: { company: 'no such company anywhere' } });
    expect(got).toEqual([]);
  });
});
