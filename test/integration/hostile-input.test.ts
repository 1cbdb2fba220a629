import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readData } from '../helpers/results.js';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// Mistaken and hostile input: every case is refused with a SURFACE code before anything goes upstream.

const SURFACE_CODES = ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'RATE_LIMITED', 'CREDITS_EXHAUSTED', 'UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR'];

let stack: Stack;
let realId: string;

beforeAll(async () => {
  stack = await startStack({ sandbox: { jobCount: 120, seed: 7 } });
  realId = String(stack.sandbox.jobs[0]?.uniq_id);
});
beforeEach(() => stack.sandbox.clearLog());
afterAll(async () => {
  await stack?.close();
});

/** Refused with BAD_USER_INPUT (every error), and the upstream saw nothing. */
function expectRefused(r: GqlResult, message?: RegExp): void {
  expect(r.body.errors?.length ?? 0).toBeGreaterThan(0);
  for (const e of r.body.errors ?? []) expect(e.extensions?.code).toBe('BAD_USER_INPUT');
  if (message) expect(r.body.errors?.map((e) => e.message).join('\n')).toMatch(message);
  expect(stack.sandbox.log).toHaveLength(0);
}

async function raw(body: BodyInit, headers: Record<string, string> = {}): Promise<{ status: number; body: GqlResult['body'] }> {
  const res = await stack.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  return { status: res.status, body: (await res.json()) as GqlResult['body'] };
}

describe('paging arguments', () => {
  it.each([0, 101, -1])('first: %i is refused on jobs and expiredJobs', async (n) => {
    expectRefused(await stack.gql(`{ jobs(first: ${n}) { totalCount } }`), /first/);
    expectRefused(await stack.gql(`{ expiredJobs(from: "2026-01-01", to: "2026-01-31", first: ${n}) { totalCount } }`), /first/);
    expectRefused(await stack.gql('query($n: Int) { jobs(first: $n) { totalCount } }', { n }), /first/);
  });

  it('after must be a cursor this server issued for the same query', async () => {
    const page = await stack.gql('{ jobs(first: 2, filter: { keywords: "engineer" }) { pageInfo { endCursor } } }');
    const cursor = readData(page, z.object({ jobs: z.object({ pageInfo: z.object({ endCursor: z.string() }) }) })).jobs.pageInfo.endCursor;
    expect(cursor).toEqual(expect.any(String));
    stack.sandbox.clearLog();

    expectRefused(
      await stack.gql('query($after: String) { jobs(first: 2, filter: { keywords: "nurse" }, after: $after) { totalCount } }', { after: cursor }),
      /after/,
    );
    expectRefused(
      await stack.gql('query($after: String) { expiredJobs(from: "2026-01-01", to: "2026-01-02", after: $after) { totalCount } }', { after: cursor }),
      /after/,
    );
    const [payload = '', mac = ''] = cursor.split('.');
    const forged = `${Buffer.from(JSON.stringify({ q: 'x', c: '1', n: 0 })).toString('base64url')}.${mac}`;
    const flipped = `${payload}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    for (const after of ['abc', '', '1550559619641049', forged, flipped, 'x'.repeat(5000)]) {
      expectRefused(
        await stack.gql('query($after: String) { jobs(first: 2, filter: { keywords: "engineer" }, after: $after) { totalCount } }', { after }),
        /after/,
      );
    }
  });

  it('last and before are refused with a clear message', async () => {
    expectRefused(await stack.gql('{ jobs(last: 5) { totalCount } }'), /forward only/);
    expectRefused(await stack.gql('{ jobs(before: "x") { totalCount } }'), /forward only/);
    expectRefused(await stack.gql('{ expiredJobs(from: "2026-01-01", to: "2026-01-02", last: 1) { totalCount } }'), /forward only/);
  });
});

describe('strict scalars, ranges and enums', () => {
  const bad = ['2026-02-30', '2026-1-1', '2026-01-01T00:00:00Z', '26-01-01', '2026-13-01', ' 2026-01-01', ''];
  it.each(bad)('Date %j is refused as a literal and as a variable', async (d) => {
    expectRefused(await stack.gql(`{ expiredJobs(from: ${JSON.stringify(d)}, to: "2026-03-01") { totalCount } }`), /Date/);
    expectRefused(await stack.gql('query($d: Date!) { expiredJobs(from: $d, to: "2026-03-01") { totalCount } }', { d }), /Date/);
    expectRefused(await stack.gql('query($d: Date) { jobs(filter: { postedFrom: $d }) { totalCount } }', { d }), /Date/);
  });

  it('non-string Dates are refused (literal Int, Float, Boolean; variables of any other JSON type)', async () => {
    for (const lit of ['20260101', '2026.1', 'true', 'null']) {
      expectRefused(await stack.gql(`{ expiredJobs(from: ${lit}, to: "2026-03-01") { totalCount } }`));
    }
    for (const d of [20260101, true, ['2026-01-01'], { y: 2026 }, null]) {
      expectRefused(await stack.gql('query($d: Date!) { expiredJobs(from: $d, to: "2026-03-01") { totalCount } }', { d }));
    }
  });

  it('from after to, and postedFrom after postedTo, are refused', async () => {
    expectRefused(await stack.gql('{ expiredJobs(from: "2026-03-02", to: "2026-03-01") { totalCount } }'), /from/);
    expectRefused(await stack.gql('{ jobs(filter: { postedFrom: "2026-03-02", postedTo: "2026-03-01" }) { totalCount } }'), /postedFrom/);
  });

  it('unknown enum values are refused, as literals and as variables', async () => {
    expectRefused(await stack.gql('{ jobs(filter: { seniority: [BOSS] }) { totalCount } }'), /BOSS/);
    expectRefused(await stack.gql('{ jobs(filter: { datasets: [DARK_WEB] }) { totalCount } }'), /DARK_WEB/);
    expectRefused(await stack.gql('{ aggregate(field: SALARY) { key } }'), /SALARY/);
    expectRefused(await stack.gql('{ aggregate(field: "CATEGORY") { key } }'));
    expectRefused(await stack.gql('query($s: [SeniorityLevel!]) { jobs(filter: { seniority: $s }) { totalCount } }', { s: ['MID', 'boss'] }), /boss/);
    expectRefused(await stack.gql('query($f: AggregateField!) { aggregate(field: $f) { key } }', { f: 'category' }));
  });

  it('other out-of-range arguments are refused', async () => {
    expectRefused(await stack.gql('{ aggregate(field: CATEGORY, limit: 0) { key } }'), /limit/);
    expectRefused(await stack.gql('{ aggregate(field: CATEGORY, limit: 1001) { key } }'), /limit/);
    expectRefused(await stack.gql('{ aggregate(field: CATEGORY, groupBy: CATEGORY) { key } }'), /groupBy/);
    expectRefused(await stack.gql(`{ jobs(filter: { keywords: "${'a'.repeat(201)}" }) { totalCount } }`), /keywords/);
    expectRefused(await stack.gql('{ jobs(filter: { salary: { min: 10, max: 5 } }) { totalCount } }'), /salary/);
    expectRefused(await stack.gql('{ jobs(filter: { salary: { currency: "dollars" } }) { totalCount } }'), /currency/);
    expectRefused(await stack.gql('{ job(uniqId: "not-an-id") { title } }'), /uniqId/);
    const ids = Array.from({ length: 101 }, () => realId);
    expectRefused(await stack.gql('query($ids: [String!]!) { jobsByUniqIds(uniqIds: $ids) { title } }', { ids }), /at most 100/);
    expectRefused(await stack.gql('{ node(id: "garbage") { id } }'));
    expectRefused(await stack.gql('{ nodes(ids: ["Rm9vOmJhcg=="]) { id } }'));
    // Operation types the schema has no root for: refused as input errors, never a 500.
    expectRefused(await stack.gql('mutation { deleteEverything }'));
    expectRefused(await stack.gql('subscription { jobs { totalCount } }'));
    // Two operations and no (or a wrong) operationName: the caller's mistake, coded as such.
    expectRefused(await stack.gql('query A { __typename } query B { __typename }'));
    const globalIds = Array.from({ length: 101 }, (_, i) => Buffer.from(`Job:${i.toString(16).padStart(32, '0')}`).toString('base64'));
    expectRefused(await stack.gql('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: globalIds }), /at most 100/);
  });
});

describe('operation limits (GraphQL Armor + Pothos complexity)', () => {
  it('a query 50 levels deep is refused', async () => {
    let sel = 'uniqId';
    for (let i = 0; i < 50; i++) sel = `job { uniqId ${sel} }`;
    expectRefused(await stack.gql(`{ expiredJobs(from: "2026-01-01", to: "2026-01-02") { nodes { ${sel} } } }`), /depth/i);
    // Nesting through fragments is counted the same way.
    const frags = Array.from({ length: 50 }, (_, i) => `fragment F${i} on ExpiredJob { job { uniqId } ${i < 49 ? `...F${i + 1}` : ''} }`);
    expectRefused(await stack.gql(`{ expiredJobs(from: "2026-01-01", to: "2026-01-02") { nodes { ...F0 } } } ${frags.join(' ')}`));
  });

  it('1,000 aliases are refused, and so is one alias over MAX_ALIASES', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: job(uniqId: "${realId}") { title }`).join(' ')} }`;
    expectRefused(await stack.gql(aliases(1000)));
    expectRefused(await stack.gql(aliases(31)), /Aliases limit of 30/);
  });

  it('huge token counts and too many directives are refused', async () => {
    expectRefused(await stack.gql(`{ ${'__typename '.repeat(5000)} }`), /Token limit/);
    expectRefused(await stack.gql(`{ jobs { totalCount ${'@include(if: true) '.repeat(21)} } }`), /Directives limit/);
  });

  it('cost: `first` multiplies, so eight 100-record searches are refused where eight 10-record ones are not', async () => {
    // Eight: MAX_UPSTREAM_CALLS_PER_REQUEST's default, so only the cost can refuse them.
    const fields = 'nodes { uniqId title companyName location { city state country } }';
    const searches = (first: number) =>
      `{ ${Array.from({ length: 8 }, (_, i) => `s${i}: jobs(first: ${first}, filter: { keywords: "k${i}" }) { ${fields} }`).join(' ')} }`;
    expectRefused(await stack.gql(searches(100)), /complexity/);
    const byVariable = `query($n: Int) { ${Array.from({ length: 8 }, (_, i) => `v${i}: jobs(first: $n, filter: { keywords: "v${i}" }) { ${fields} }`).join(' ')} }`;
    expectRefused(await stack.gql(byVariable, { n: 100 }), /complexity/);
    const cheap = await stack.gql(searches(10));
    expect(cheap.body.errors).toBeUndefined();
    expect(stack.sandbox.log.length).toBeGreaterThan(0);
  });

  it('an oversized body is refused with 413, with or without Content-Length', async () => {
    const big = JSON.stringify({ query: `{ __typename }${' '.repeat(200_000)}` });
    const sized = await raw(big);
    expect(sized.status).toBe(413);
    expect(sized.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const bytes = new TextEncoder().encode(big);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 16_384) controller.enqueue(bytes.slice(i, i + 16_384));
        controller.close();
      },
    });
    const streamed = await raw(chunked);
    expect(streamed.status).toBe(413);
    expect(streamed.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.log).toHaveLength(0);
  });

  it('batching is bounded: 11 operations are refused, 2 are answered', async () => {
    const op = { query: `{ job(uniqId: "${realId}") { title } }` };
    const tooMany = await raw(JSON.stringify(Array.from({ length: 11 }, () => op)));
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.log).toHaveLength(0);
    const res = await stack.app.yoga.fetch('http://localhost/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([op, op]),
    });
    const two = (await res.json()) as GqlResult['body'][];
    expect(two).toHaveLength(2);
    expect(two.map((r) => r.errors)).toEqual([undefined, undefined]);
  });

  it('syntax errors, unknown fields and bad headers carry BAD_USER_INPUT', async () => {
    expectRefused(await stack.gql('{ jobs(first: 1) { '), /Syntax/);
    expectRefused(await stack.gql('{ secrets }'));
    expectRefused(await raw(JSON.stringify({ query: '{ jobs(first: 1) { totalCount } }' }), { 'x-max-credits': 'lots' }), /x-max-credits/);
    expectRefused(await raw('{"query": '));
    expectRefused(await raw(JSON.stringify({ query: 42 })));
  });
});

describe('every error carries a SURFACE code', () => {
  it('across a mixed bag of bad requests', async () => {
    const queries = [
      '{ jobs(first: 0) { totalCount } }',
      '{ nope }',
      '{ expiredJobs(from: "x", to: "y") { totalCount } }',
      '{ jobs(last: 1) { totalCount } }',
      '{',
    ];
    for (const q of queries) {
      const r = await stack.gql(q);
      for (const e of r.body.errors ?? []) expect(SURFACE_CODES).toContain(e.extensions?.code);
    }
    expect(stack.sandbox.log).toHaveLength(0);
  });
});
