import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreditPageDocument as PAGE,
  type CreditPageQuery,
  CreditsDocument,
  ExpiredWithJobsDocument,
  ExpiryOfJobsDocument,
  JobByIdDocument,
  JobsByIdsDocument,
} from '../generated/graphql.js';
import { dataOf, usageOf as usage } from '../helpers/results.js';
import { type GqlResult, startStack, type Stack } from '../helpers/stack.js';

const ids = (r: GqlResult<CreditPageQuery>): string[] => dataOf(r).jobs.nodes.map((n) => n.uniqId);
const dataCalls = (s: Stack) => s.sandbox.log.filter((e) => e.endpoint === 'data');

describe('credits under a production key', () => {
  let s: Stack;
  let prod: string;
  beforeAll(async () => {
    s = await startStack({ key: 'production', sandbox: { productionCredits: 10_000 } });
    prod = s.sandbox.keys.production.clientId;
  });
  afterAll(async () => {
    await s.close();
  });

  it('the same jobs page twice costs one upstream call and is charged once', async () => {
    const first = await s.gql(PAGE, { first: 10, filter: { keywords: 'engineer' } });
    expect(first.body.errors).toBeUndefined();
    expect(ids(first)).toHaveLength(10);
    expect(usage(first)).toEqual({ creditsCharged: 10, creditsSavedByCache: 0, creditsRemaining: 9_990, upstreamCalls: 1 });
    const again = await s.gql(PAGE, { first: 10, filter: { keywords: 'ENGINEER ' } });
    expect(again.body.data).toEqual(first.body.data);
    expect(usage(again)).toEqual({ creditsCharged: 0, creditsSavedByCache: 10, creditsRemaining: 9_990, upstreamCalls: 0 });
    expect(dataCalls(s)).toHaveLength(1);
    expect(s.sandbox.creditsRemaining(prod)).toBe(9_990);
  });

  it('a smaller first than a cached page is served from that page', async () => {
    const before = dataCalls(s).length;
    const five = await s.gql(PAGE, { first: 5, filter: { keywords: 'engineer' } });
    expect(five.body.errors).toBeUndefined();
    const ten = await s.gql(PAGE, { first: 10, filter: { keywords: 'engineer' } });
    expect(ids(five)).toEqual(ids(ten).slice(0, 5));
    expect(dataOf(five).jobs.pageInfo.hasNextPage).toBe(true);
    expect(usage(five)).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 5, upstreamCalls: 0 });
    expect(dataCalls(s).length).toBe(before);
  });

  it('job lookups read the record cache filled by search pages; only unseen jobs are bought', async () => {
    const page = await s.gql(PAGE, { first: 10, filter: { keywords: 'engineer' } });
    const seen = ids(page);
    const unseen = s.sandbox.jobs
      .map((j) => j.uniq_id)
      .filter((id) => !seen.includes(id))
      .slice(0, 1);
    const before = dataCalls(s).length;
    const one = await s.gql(JobByIdDocument, { id: seen[3] ?? '' });
    expect(dataOf(one).job?.uniqId).toBe(seen[3]);
    expect(usage(one)).toEqual({ creditsCharged: 0, creditsSavedByCache: 1, creditsRemaining: 9_990, upstreamCalls: 0 });
    expect(dataCalls(s).length).toBe(before);
    const asked = [seen[0] ?? '', ...unseen, seen[1] ?? ''];
    const mixed = await s.gql(JobsByIdsDocument, { ids: asked });
    expect(dataOf(mixed).jobsByUniqIds.map((j) => j?.uniqId)).toEqual(asked);
    expect(usage(mixed)).toEqual({ creditsCharged: 1, creditsSavedByCache: 2, creditsRemaining: 9_989, upstreamCalls: 1 });
    expect(dataCalls(s).length).toBe(before + 1);
    // The upstream was asked only for the unseen job.
    expect(JSON.stringify(dataCalls(s).at(-1)?.body)).not.toContain(seen[0]);
  });

  it('identical pages asked at once are bought once; the others are told what they saved', async () => {
    s.sandbox.setDelay(100);
    try {
      const filter = { city: 'San Francisco' };
      const results = await Promise.all(Array.from({ length: 5 }, () => s.gql(PAGE, { first: 4, filter })));
      for (const r of results) expect(r.body.errors).toBeUndefined();
      const u = results.map(usage);
      expect(u.reduce((a, x) => a + x.creditsCharged, 0)).toBe(4);
      expect(u.reduce((a, x) => a + x.creditsSavedByCache, 0)).toBe(16);
      expect(u.reduce((a, x) => a + x.upstreamCalls, 0)).toBe(1);
      expect(dataCalls(s).filter((e) => JSON.stringify(e.body).includes('san francisco'))).toHaveLength(1);
    } finally {
      s.sandbox.setDelay(0);
    }
  });

  it('apiUsage equals the upstream ledger', async () => {
    const r = await s.gql(CreditsDocument);
    const spent = dataCalls(s).reduce((a, e) => a + e.records, 0);
    expect(r.body.data?.apiUsage).toEqual({ sandbox: false, creditsRemaining: s.sandbox.creditsRemaining(prod), creditsUsedByThisServer: spent });
    expect(s.sandbox.creditsRemaining(prod)).toBe(10_000 - spent);
  });

  it('ExpiredJob.job for jobs seen on a search page makes no /data call', async () => {
    const page = await s.gql(ExpiryOfJobsDocument, { filter: { includeExpired: true, keywords: 'manager' }, first: 100 }, { 'x-max-credits': '100' });
    expect(page.body.errors).toBeUndefined();
    const expiredIds = new Set(
      dataOf(page)
        .jobs.nodes.filter((n) => n.hasExpired)
        .map((n) => n.uniqId),
    );
    expect(expiredIds.size).toBeGreaterThan(0);
    const days = s.sandbox.jobs
      .filter((j) => expiredIds.has(j.uniq_id))
      .map((j) => String(j.latest_expiry_check_date))
      .sort();
    const before = dataCalls(s).length;
    const expired = await s.gql(ExpiredWithJobsDocument, { from: days[0] ?? '', to: days.at(-1) ?? '' });
    expect(expired.body.errors).toBeUndefined();
    const nodes = dataOf(expired).expiredJobs.nodes;
    // Every job this key bought that expired in the range: the search page's, and any bought earlier.
    const returned = new Set(nodes.map((n) => n.uniqId));
    for (const id of expiredIds) expect(returned.has(id)).toBe(true);
    for (const n of nodes) expect(n.job?.uniqId).toBe(n.uniqId);
    expect(dataCalls(s).length).toBe(before);
    expect(s.calls('expired_jobs')).toBe(1);
    expect(usage(expired)).toMatchObject({ creditsCharged: 0, creditsSavedByCache: nodes.length, upstreamCalls: 1 });
  });
});

describe('the credit cap and dry runs', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ key: 'production', env: { MAX_CREDITS_PER_OPERATION: '40' } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('refuses before any upstream call an operation whose worst case exceeds the cap; x-max-credits only lowers it', async () => {
    const two = '{ a: jobs(first: 30) { nodes { uniqId } } b: jobs(first: 20, filter: { city: "x" }) { nodes { uniqId } } }';
    const r = await s.gql(two);
    expect(r.body.data ?? null).toBeNull();
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'CREDITS_LIMIT', estimatedCredits: 50, maxCredits: 40 });
    const raised = await s.gql(two, undefined, { 'x-max-credits': '1000' });
    expect(raised.body.errors?.[0]?.extensions).toMatchObject({ code: 'CREDITS_LIMIT', estimatedCredits: 50, maxCredits: 40 });
    const lowered = await s.gql('{ jobs(first: 30) { nodes { uniqId } } }', undefined, { 'x-max-credits': '25' });
    expect(lowered.body.errors?.[0]?.extensions).toMatchObject({ code: 'CREDITS_LIMIT', estimatedCredits: 30, maxCredits: 25 });
    expect(s.sandbox.log).toHaveLength(0);
  });

  it('applies the server default without a header, and counts variable defaults and nested lookups', async () => {
    const byDefault = await s.gql('query($n: Int = 45) { jobs(first: $n) { nodes { uniqId } } }');
    expect(byDefault.body.errors?.[0]?.extensions).toMatchObject({ code: 'CREDITS_LIMIT', estimatedCredits: 45, maxCredits: 40 });
    const nested = await s.gql('{ expiredJobs(from: "2024-01-01", to: "2024-12-31", first: 41) { nodes { job { uniqId } } } }');
    expect(nested.body.errors?.[0]?.extensions).toMatchObject({ code: 'CREDITS_LIMIT', estimatedCredits: 41 });
    expect(s.sandbox.log).toHaveLength(0);
    const allowed = await s.gql('{ jobs(first: 30) { nodes { uniqId } } }', undefined, { 'x-max-credits': '30' });
    expect(allowed.body.errors).toBeUndefined();
    expect(s.calls('data')).toBe(1);
  });

  it('a dry run answers with the estimate and spends nothing', async () => {
    const before = s.sandbox.creditsRemaining(s.sandbox.keys.production.clientId);
    const logged = s.sandbox.log.length;
    const r = await s.gql('{ jobs(first: 12, filter: { city: "Boston" }) { nodes { uniqId } } }', undefined, { 'x-dry-run': '1' });
    expect(r.body.data ?? null).toBeNull();
    expect(r.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: 12, maxCredits: 40, withinLimit: true, sandbox: false });
    expect(s.sandbox.log.length).toBe(logged);
    expect(s.sandbox.creditsRemaining(s.sandbox.keys.production.clientId)).toBe(before);
  });
});

describe('sandbox keys', () => {
  it('cost nothing, say so, and are never capped', async () => {
    const s = await startStack({ env: { MAX_CREDITS_PER_OPERATION: '5' } });
    try {
      const r = await s.gql(`{ jobs(first: 20) { nodes { uniqId } } apiUsage { sandbox creditsRemaining creditsUsedByThisServer } }`);
      expect(r.body.errors).toBeUndefined();
      expect(usage(r)).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 0, upstreamCalls: 1 });
      const again = await s.gql(`{ jobs(first: 20) { nodes { uniqId } } apiUsage { sandbox creditsRemaining creditsUsedByThisServer } }`);
      expect(usage(again)).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 0, upstreamCalls: 0 });
      expect(again.body.data?.apiUsage).toEqual({
        sandbox: true,
        creditsRemaining: s.sandbox.creditsRemaining(s.sandbox.keys.sandbox.clientId),
        creditsUsedByThisServer: 0,
      });
      const dry = await s.gql('{ jobs(first: 50) { nodes { uniqId } } }', undefined, { 'x-dry-run': 'true' });
      expect(dry.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: 0, sandbox: true });
      expect(s.calls('data')).toBe(1);
    } finally {
      await s.close();
    }
  });
});

describe('the worst case of one document under two keys', () => {
  it('is 0 for a sandbox key and the full price for a production key, in either order', async () => {
    // Estimates are remembered per document and variables, not per key: a sandbox request must not
    // leave its 0 behind for the production key that sends the same document next (nor the reverse).
    const s = await startStack({ key: 'none', env: { REQUIRE_CLIENT_CREDENTIALS: 'true' } });
    try {
      const as = (k: 'sandbox' | 'production') => ({
        'x-dry-run': '1',
        client_id: s.sandbox.keys[k].clientId,
        client_auth_key: s.sandbox.keys[k].authKey,
      });
      const doc = 'query Dry($n: Int) { jobs(first: $n, filter: { city: "Boston" }) { nodes { uniqId } } }';
      for (const k of ['sandbox', 'production', 'sandbox', 'production'] as const) {
        const r = await s.gql(doc, { n: 7 }, as(k));
        expect(r.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: k === 'sandbox' ? 0 : 7, sandbox: k === 'sandbox' });
      }
      const other = await s.gql(doc, { n: 9 }, as('production'));
      expect(other.body.extensions?.jobspikr).toMatchObject({ estimatedCredits: 9 });
    } finally {
      await s.close();
    }
  });
});

describe('the remembered worst case against hostile variables', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ key: 'production', sandbox: { productionCredits: 10_000 } });
  });
  afterAll(async () => {
    await s.close();
  });
  const post = async (body: string, headers: Record<string, string> = {}) => {
    const res = await s.app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    return {
      status: res.status,
      body: (await res.json()) as { errors?: { extensions?: { code?: string } }[]; extensions?: { jobspikr?: Record<string, unknown> } },
    };
  };
  const doc = 'query Page($n: Int) { jobs(first: $n, filter: { city: "Austin" }) { nodes { uniqId } } }';

  it('a number JSON reads as Infinity is not taken for null by the next caller', async () => {
    // 1e400 parses to Infinity (the most a page holds, 100 credits) but prints as null (the default 10).
    const huge = await post(`{"query":${JSON.stringify(doc)},"variables":{"n":1e400}}`, { 'x-dry-run': '1' });
    expect(huge.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: 100 });
    const plain = await post(JSON.stringify({ query: doc, variables: { n: null } }), { 'x-dry-run': '1' });
    expect(plain.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: 10 });
    const left = await post(JSON.stringify({ query: 'query Page($n: Int = 30) { jobs(first: $n) { nodes { uniqId } } }', variables: {} }), {
      'x-dry-run': '1',
    });
    expect(left.body.extensions?.jobspikr).toMatchObject({ estimatedCredits: 30 });
    const nulled = await post(JSON.stringify({ query: 'query Page($n: Int = 30) { jobs(first: $n) { nodes { uniqId } } }', variables: { n: null } }), {
      'x-dry-run': '1',
    });
    expect(nulled.body.extensions?.jobspikr).toMatchObject({ estimatedCredits: 10 });
  });

  it('a deeply nested variable the operation does not declare is no crash', async () => {
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    const r = await post(`{"query":${JSON.stringify(doc)},"variables":{"n":3,"x":${deep}}}`, { 'x-dry-run': '1' });
    expect(r.status).toBe(200);
    expect(r.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: 3 });
  });
});
