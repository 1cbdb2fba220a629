import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// Findings 2, 3 and 4: what one HTTP request may cause is bounded, and refused before anything leaves:
// distinct upstream calls (MAX_UPSTREAM_CALLS_PER_REQUEST), worst-case credits over a whole batch
// (MAX_CREDITS_PER_OPERATION; x-max-credits may only lower it), `_entities` like `nodes`, introspection
// once, and the answer's size (MAX_RESPONSE_BYTES).

type Body = GqlResult['body'];

async function post(stack: Stack, payload: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string; body: Body | Body[] }> {
  const res = await stack.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Body | Body[] };
}

const codes = (b: Body) => (b.errors ?? []).map((e) => e.extensions?.code);
const aliases = (n: number, field: (i: number) => string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field(i)}`).join(' ')} }`;

describe('distinct upstream calls per request (finding 3)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ sandbox: { jobCount: 300 } });
  });
  beforeEach(() => s.sandbox.clearLog());
  afterAll(async () => {
    await s.close();
  });

  it('25 aliased distinct searches are refused before any call, naming the cap', async () => {
    const r = await s.gql(aliases(25, (i) => `jobs(first: 1, filter: { keywords: "k${i}" }) { totalCount }`));
    expect(r.body.data ?? null).toBeNull();
    expect(codes(r.body)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors?.[0]?.message).toMatch(/MAX_UPSTREAM_CALLS_PER_REQUEST/);
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ limit: 'MAX_UPSTREAM_CALLS_PER_REQUEST', upstreamCalls: 25, maxUpstreamCalls: 8 });
    expect(s.sandbox.log).toHaveLength(0);
  });

  it('10 aliased counts are refused before any call', async () => {
    const r = await s.gql(aliases(10, (i) => `aggregate(field: CATEGORY, limit: ${i + 1}) { key count }`));
    expect(codes(r.body)).toEqual(['BAD_USER_INPUT']);
    expect(s.sandbox.log).toHaveLength(0);
  });

  it('aliases of one same search are one call, and a dashboard-sized request passes', async () => {
    const same = await s.gql(aliases(20, () => 'jobs(first: 2, filter: { keywords: "engineer" }) { totalCount }'));
    expect(same.body.errors).toBeUndefined();
    expect(s.calls('data')).toBe(1);
    s.sandbox.clearLog();
    const dashboard = await s.gql(`{
      open: jobs(first: 20) { totalCount nodes { uniqId title } }
      remote: jobs(first: 20, filter: { remote: true }) { totalCount }
      byCategory: aggregate(field: CATEGORY, limit: 10) { key count }
      byCountry: aggregate(field: COUNTRY, limit: 10) { key count }
      expired: expiredJobs(from: "2024-01-01", to: "2026-12-31", first: 10) { totalCount nodes { job { title } } }
      apiUsage { sandbox }
    }`);
    expect(dashboard.body.errors).toBeUndefined();
    expect(s.sandbox.log.length).toBeLessThanOrEqual(8);
  });

  it('a batch shares the cap: operations past it are refused, and no more than the cap leave', async () => {
    const ops = Array.from({ length: 5 }, (_, i) => ({
      query: `{ x: jobs(first: 1, filter: { keywords: "b${i}x" }) { totalCount } y: jobs(first: 1, filter: { keywords: "b${i}y" }) { totalCount } }`,
    }));
    const r = await post(s, ops);
    const results = r.body as Body[];
    expect(results).toHaveLength(5);
    const refused = results.filter((b) => codes(b).includes('BAD_USER_INPUT'));
    const answered = results.filter((b) => b.errors === undefined);
    expect(answered).toHaveLength(4);
    expect(refused).toHaveLength(1);
    expect(refused[0]?.errors?.[0]?.message).toMatch(/MAX_UPSTREAM_CALLS_PER_REQUEST/);
    expect(s.calls('data')).toBe(8);
  });

  it('lookups count by 100 ids, and `_entities` is bounded like `nodes`', async () => {
    const ids = s.sandbox.jobs.slice(0, 100).map((j) => String(j.uniq_id));
    const r = await s.gql('query($ids: [String!]!) { jobsByUniqIds(uniqIds: $ids) { uniqId } }', { ids });
    expect(r.body.errors).toBeUndefined();
    expect(s.calls('data')).toBe(1);
  });
});

describe('credits over a whole request (finding 4)', () => {
  let s: Stack;
  let prod: string;
  beforeAll(async () => {
    s = await startStack({ key: 'production', sandbox: { jobCount: 1_500, productionCredits: 100_000 }, env: { MAX_CREDITS_PER_OPERATION: '500' } });
    prod = s.sandbox.keys.production.clientId;
  });
  beforeEach(() => s.sandbox.clearLog());
  afterAll(async () => {
    await s.close();
  });

  it('a batch of 10 operations of 100 credits spends at most the cap', async () => {
    const before = s.sandbox.creditsRemaining(prod);
    const ops = Array.from({ length: 10 }, (_, i) => ({
      query: `{ jobs(first: 100, filter: { includeExpired: true, keywords: "${['engineer', 'nurse', 'manager', 'sales', 'driver', 'teacher', 'analyst', 'chef', 'clerk', 'cashier'][i]}" }) { nodes { uniqId } } }`,
    }));
    const results = (await post(s, ops)).body as Body[];
    const refused = results.filter((b) => codes(b).includes('CREDITS_LIMIT'));
    expect(refused).toHaveLength(5);
    expect(refused[0]?.errors?.[0]?.extensions).toMatchObject({ code: 'CREDITS_LIMIT', estimatedCredits: 600, maxCredits: 500 });
    expect(refused[0]?.errors?.[0]?.message).toMatch(/This request could spend/);
    const spent = before - s.sandbox.creditsRemaining(prod);
    expect(s.calls('data')).toBe(5);
    expect(spent).toBe(s.sandbox.log.reduce((a, e) => a + e.records, 0));
    expect(spent).toBeLessThanOrEqual(500);
  });

  it('x-max-credits above the server cap does not raise it', async () => {
    const r = await s.gql(
      '{ a: jobs(first: 100, filter: { keywords: "x1" }) { totalCount } b: jobs(first: 100, filter: { keywords: "x2" }) { totalCount } c: jobs(first: 100, filter: { keywords: "x3" }) { totalCount } d: jobs(first: 100, filter: { keywords: "x4" }) { totalCount } e: jobs(first: 100, filter: { keywords: "x5" }) { totalCount } f: jobs(first: 100, filter: { keywords: "x6" }) { totalCount } }',
      undefined,
      { 'x-max-credits': '100000' },
    );
    expect(r.body.errors?.[0]?.extensions).toMatchObject({ code: 'CREDITS_LIMIT', estimatedCredits: 600, maxCredits: 500 });
    expect(s.sandbox.log).toHaveLength(0);
  });

  it('`_entities` with 1,500 representations is refused before any call', async () => {
    const before = s.sandbox.creditsRemaining(prod);
    const representations = s.sandbox.jobs.slice(0, 1_500).map((j) => ({ __typename: 'Job', uniqId: String(j.uniq_id) }));
    const q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Job { uniqId } } }';
    const r = await s.gql(q, { r: representations });
    // 15 lookups of 100 ids: over MAX_UPSTREAM_CALLS_PER_REQUEST before the credit cap is even asked.
    expect(codes(r.body)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors?.[0]?.message).toMatch(/MAX_UPSTREAM_CALLS_PER_REQUEST/);
    const under = await s.gql(q, { r: representations.slice(0, 400) }, { 'x-max-credits': '500' });
    expect(codes(under.body)).toEqual(['BAD_USER_INPUT']);
    expect(under.body.errors?.[0]?.message).toMatch(/at most 100 representations/);
    expect(s.sandbox.log).toHaveLength(0);
    expect(s.sandbox.creditsRemaining(prod)).toBe(before);
  });
});

describe('malformed `_entities` representations (finding 4)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ sandbox: { jobCount: 200 }, logs: 'error', env: { NODE_ENV: 'production' } });
  });
  beforeEach(() => s.sandbox.clearLog());
  afterAll(async () => {
    await s.close();
  });

  const Q = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Job { uniqId } } }';

  it.each([
    ['uniqId: 5', '{"__typename":"Job","uniqId":5}'],
    ['an unknown __typename', '{"__typename":"Nope","id":"x"}'],
    ['__typename __proto__', '{"__typename":"__proto__","id":"x"}'],
    ['a __proto__ field', '{"__typename":"Job","__proto__":{"uniqId":"x"}}'],
    ['no key field', '{"__typename":"Job"}'],
    ['a field that is no key', '{"__typename":"Job","title":"x"}'],
    ['a list', '["Job"]'],
    ['a number', '7'],
  ])('%s is BAD_USER_INPUT, with no call and nothing logged', async (_, rep) => {
    const r = await post(s, `{"query":${JSON.stringify(Q)},"variables":{"r":[${rep}]}}`);
    const body = r.body as Body;
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/_entities/);
    expect(s.sandbox.log).toHaveLength(0);
    expect(s.logs.lines).toEqual([]);
  });

  it('well-formed representations of both keys and types are served', async () => {
    const job = s.sandbox.jobs[0];
    const r = await s.gql(Q, { r: [{ __typename: 'Job', uniqId: String(job?.uniq_id) }] });
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?._entities).toEqual([{ uniqId: String(job?.uniq_id) }]);
  });
});

describe('introspection once per request (finding 2)', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ sandbox: { jobCount: 50 } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('one introspection is answered', async () => {
    const r = await s.gql('{ __schema { queryType { name } } }');
    expect(r.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('aliased repeats are refused', async () => {
    const r = await s.gql(aliases(30, () => '__schema { types { name fields { name } } }'));
    expect(codes(r.body)).toEqual(['BAD_USER_INPUT']);
    expect(r.body.errors?.[0]?.message).toMatch(/Introspection/);
    const mixed = await s.gql('{ __schema { queryType { name } } __type(name: "Job") { name } }');
    expect(codes(mixed.body)).toEqual(['BAD_USER_INPUT']);
    const viaFragments = await s.gql(
      '{ ...A ...B } fragment A on Query { a: __schema { queryType { name } } } fragment B on Query { b: __schema { queryType { name } } }',
    );
    expect(codes(viaFragments.body)).toEqual(['BAD_USER_INPUT']);
  });

  it('batched repeats are refused: one of the batch is answered', async () => {
    const r = await post(
      s,
      Array.from({ length: 10 }, () => ({ query: '{ __schema { types { name } } }' })),
    );
    const results = r.body as Body[];
    expect(results.filter((b) => b.data?.__schema)).toHaveLength(1);
    expect(results.filter((b) => codes(b).includes('BAD_USER_INPUT'))).toHaveLength(9);
    expect(r.text.length).toBeLessThan(100_000);
  });
});

describe('response size (finding 2)', () => {
  let s: Stack;
  const MAX = 20_000;
  beforeAll(async () => {
    s = await startStack({ sandbox: { jobCount: 300 }, env: { MAX_RESPONSE_BYTES: String(MAX) } });
  });
  beforeEach(() => s.sandbox.clearLog());
  afterAll(async () => {
    await s.close();
  });

  const big = aliases(4, () => 'jobs(first: 50) { nodes { uniqId title companyName description } }');

  it('an answer over MAX_RESPONSE_BYTES is one clear error, not a cut body', async () => {
    const r = await post(s, { query: big });
    const body = r.body as Body;
    expect(body.data).toBeUndefined();
    expect(codes(body)).toEqual(['BAD_USER_INPUT']);
    expect(body.errors?.[0]?.message).toMatch(/MAX_RESPONSE_BYTES/);
    expect(body.errors?.[0]?.extensions).toMatchObject({ limit: 'MAX_RESPONSE_BYTES', maxResponseBytes: MAX });
    expect(Number(body.errors?.[0]?.extensions?.responseBytes)).toBeGreaterThan(MAX);
    expect(r.text.length).toBeLessThan(1_000);
    // The 4 aliases were one upstream call.
    expect(s.calls('data')).toBe(1);
  });

  it('a batch shares the bound; answers within it pass whole', async () => {
    const op = '{ jobs(first: 20) { nodes { uniqId title description } } }';
    const one = Buffer.byteLength(JSON.stringify((await s.gql(op)).body));
    expect(one).toBeLessThan(MAX / 2);
    expect(one * 10).toBeGreaterThan(MAX);
    const r = await post(
      s,
      Array.from({ length: 10 }, () => ({ query: op })),
    );
    const results = r.body as Body[];
    expect(results).toHaveLength(10);
    expect(Buffer.byteLength(r.text)).toBeLessThan(MAX + 10 * 400);
    const whole = results.filter((b) => !b.errors);
    expect(whole.length).toBe(Math.floor(MAX / one));
    for (const b of whole) expect((b.data?.jobs as { nodes: unknown[] } | undefined)?.nodes).toHaveLength(20);
    for (const b of results.filter((x) => x.errors)) expect(b.errors?.[0]?.message).toMatch(/MAX_RESPONSE_BYTES/);
  });
});
