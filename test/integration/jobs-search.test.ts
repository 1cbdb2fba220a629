import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { lastPageEnding } from '../../src/sandbox/paging.js';
import { type JobFilter, SearchIdsDocument, type SearchIdsQuery } from '../generated/graphql.js';
import { codeOf, dataOf } from '../helpers/results.js';
import { isTrue, selectedIds } from '../helpers/search-oracle.js';
import { boolQuery, dataBodies as sent } from '../helpers/sent.js';
import { startStack, type Stack } from '../helpers/stack.js';

// Every JobFilter field over real HTTP: the search_query_json the server sends, and the jobs it
// returns, checked against an oracle that applies the filter's meaning to the sandbox's raw records.

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ unlimited: true });
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.sandbox.clearLog());

const expected = (f: JobFilter): string[] => selectedIds(stack.sandbox.jobs, f);

// ---- GraphQL helpers ------------------------------------------------------------------------------

type Conn = SearchIdsQuery['jobs'];

async function page(filter: JobFilter | undefined, first?: number, after?: string | null): Promise<Conn> {
  const r = await stack.gql(SearchIdsDocument, { filter, first, after });
  expect(r.body.errors, JSON.stringify(r.body.errors)).toBeUndefined();
  return dataOf(r).jobs;
}

/** Page to the end with endCursor; every id once, in upstream order. */
async function all(filter: JobFilter, first = 100): Promise<{ ids: string[]; pages: number; total: number | null }> {
  const ids: string[] = [];
  let after: string | null = null;
  let total: number | null = null;
  for (let pages = 1; pages < 200; pages++) {
    const c = await page(filter, first, after);
    total = c.totalCount;
    ids.push(...c.edges.map((e) => e.node.uniqId));
    if (!c.pageInfo.hasNextPage) return { ids, pages, total };
    after = c.pageInfo.endCursor;
  }
  throw new Error('paging did not end');
}

const dataBodies = () => sent(stack.sandbox);
const sentQuery = () => boolQuery(dataBodies()[0]);
const NOT_EXPIRED = [{ terms: { has_expired: [true] } }];

// ---- every filter field -------------------------------------------------------------------------

describe('every JobFilter field: query sent and jobs returned', () => {
  const cases: { name: string; filter: JobFilter; must: unknown[]; mustNot?: unknown[]; body?: Record<string, unknown> }[] = [
    {
      name: 'keywords (title + description)',
      filter: { keywords: 'Software Engineer' },
      must: [{ query_string: { fields: ['job_title', 'job_description'], query: '"software engineer"' } }],
    },
    {
      name: 'title (posted + normalised)',
      filter: { title: 'data  engineer' },
      must: [{ query_string: { fields: ['job_title', 'inferred_job_title'], query: '"data engineer"' } }],
    },
    { name: 'company', filter: { company: 'Johnson & Johnson' }, must: [{ query_string: { default_field: 'company_name', query: '"johnson & johnson"' } }] },
    {
      name: 'category',
      filter: { category: 'Finance & Accounting' },
      must: [{ query_string: { default_field: 'category', query: '"finance & accounting"' } }],
    },
    {
      name: 'city (inferred only: Bengaluru)',
      filter: { city: 'Bengaluru' },
      must: [{ query_string: { fields: ['city', 'inferred_city'], query: '"bengaluru"' } }],
    },
    {
      name: 'city (raw only: Bangalore)',
      filter: { city: 'Bangalore' },
      must: [{ query_string: { fields: ['city', 'inferred_city'], query: '"bangalore"' } }],
    },
    {
      name: 'city (|-joined raw values)',
      filter: { city: 'Santa Clara' },
      must: [{ query_string: { fields: ['city', 'inferred_city'], query: '"santa clara"' } }],
    },
    { name: 'state (raw abbreviation)', filter: { state: 'TX' }, must: [{ query_string: { fields: ['state', 'inferred_state'], query: '"tx"' } }] },
    { name: 'state (full name)', filter: { state: 'Texas' }, must: [{ query_string: { fields: ['state', 'inferred_state'], query: '"texas"' } }] },
    {
      name: 'country (raw spelling only)',
      filter: { country: 'Deutschland' },
      must: [{ query_string: { fields: ['country', 'inferred_country'], query: '"deutschland"' } }],
    },
    { name: 'country (inferred)', filter: { country: 'Canada' }, must: [{ query_string: { fields: ['country', 'inferred_country'], query: '"canada"' } }] },
    { name: 'seniority', filter: { seniority: ['EXECUTIVE', 'SENIOR'] }, must: [{ terms: { inferred_seniority_level: ['Executive Level', 'Senior Level'] } }] },
    { name: 'jobType', filter: { jobType: 'Contract' }, must: [{ query_string: { default_field: 'job_type', query: '"contract"' } }] },
    { name: 'remote true', filter: { remote: true }, must: [{ terms: { is_remote: [true] } }] },
    {
      name: 'remote false',
      filter: { remote: false, category: 'Design' },
      must: [{ query_string: { default_field: 'category', query: '"design"' } }, { terms: { is_remote: [false] } }],
    },
    {
      name: 'salary overlap with currency',
      filter: { salary: { min: 50000, max: 60000, currency: 'gbp' } },
      must: [
        { range: { inferred_salary_to: { gte: 50000 } } },
        { range: { inferred_salary_from: { lte: 60000 } } },
        { terms: { inferred_salary_currency: ['GBP'] } },
      ],
    },
    { name: 'salary min only', filter: { salary: { min: 250000 } }, must: [{ range: { inferred_salary_to: { gte: 250000 } } }] },
    {
      name: 'salary max only',
      filter: { salary: { max: 15, currency: 'USD' } },
      must: [{ range: { inferred_salary_from: { lte: 15 } } }, { terms: { inferred_salary_currency: ['USD'] } }],
    },
    {
      name: 'postedFrom + postedTo',
      filter: { postedFrom: '2025-03-01', postedTo: '2025-03-31' },
      must: [{ range: { post_date: { gte: '2025-03-01', lte: '2025-03-31' } } }],
    },
    { name: 'postedFrom only', filter: { postedFrom: '2026-09-15' }, must: [{ range: { post_date: { gte: '2026-09-15' } } }] },
    {
      name: 'skills: all must be present',
      filter: { skills: ['SQL', 'Python'] },
      must: [{ query_string: { default_field: 'inferred_skills', query: '"python"' } }, { query_string: { default_field: 'inferred_skills', query: '"sql"' } }],
    },
    {
      name: 'datasets F500',
      filter: { datasets: ['F500'], category: 'Sales' },
      must: [{ query_string: { default_field: 'category', query: '"sales"' } }],
      body: { dataset: ['f500'] },
    },
    {
      name: 'datasets JOB_BOARD',
      filter: { datasets: ['JOB_BOARD'], category: 'Sales' },
      must: [{ query_string: { default_field: 'category', query: '"sales"' } }],
      body: { dataset: ['job_board'] },
    },
    {
      name: 'excludeDuplicates',
      filter: { excludeDuplicates: true, category: 'Software Development' },
      must: [{ query_string: { default_field: 'category', query: '"software development"' } }],
      body: { exclude_duplicates: true },
    },
    {
      name: 'includeExpired true',
      filter: { includeExpired: true, category: 'Retail' },
      must: [{ query_string: { default_field: 'category', query: '"retail"' } }],
      mustNot: [],
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const want = expected(c.filter);
      const got = await all(c.filter);
      expect(new Set(got.ids).size, 'no job twice').toBe(got.ids.length);
      expect(got.ids).toEqual(want);
      expect(got.total).toBe(want.length);
      expect(want.length, 'the case must select something').toBeGreaterThan(0);
      expect(want.length, 'the case must leave something out').toBeLessThan(stack.sandbox.jobs.length / 2);
      expect(stack.calls('data')).toBe(got.pages);
      const [body = {}] = dataBodies();
      expect(body).toHaveProperty('size', 100);
      expect(sentQuery()).toEqual({ bool: { must: c.must, ...((c.mustNot ?? NOT_EXPIRED).length ? { must_not: c.mustNot ?? NOT_EXPIRED } : {}) } });
      expect(
        Object.keys(body)
          .filter((k) => !['search_query_json', 'size', 'cursor'].includes(k))
          .sort(),
      ).toEqual(Object.keys(c.body ?? {}).sort());
      expect(body).toMatchObject(c.body ?? {});
    });
  }

  it('includeExpired defaults to false: has_expired jobs (boolean or "true") never come back', async () => {
    const filter = { category: 'Retail' };
    const got = await all(filter);
    const byId = new Map(stack.sandbox.jobs.map((r) => [r.uniq_id, r]));
    expect(got.ids.every((id) => !isTrue(byId.get(id)?.has_expired))).toBe(true);
    const withExpired = expected({ ...filter, includeExpired: true });
    expect(withExpired.length).toBeGreaterThan(got.ids.length);
    expect(got.ids).toEqual(expected(filter));
  });

  it('an explicit includeExpired: false is the default', async () => {
    const c = await page({ category: 'Design', includeExpired: false }, 5);
    expect(sentQuery().bool.must_not).toEqual(NOT_EXPIRED);
    expect(c.totalCount).toBe(expected({ category: 'Design' }).length);
  });
});

// ---- the seed example, paging, endings ----------------------------------------------------------

const SEED: JobFilter = { keywords: 'software engineer', city: 'San Francisco', seniority: ['MID'], salary: { min: 80000, max: 100000, currency: 'USD' } };

describe('paging', () => {
  it('the seed example returns its jobs; pages = ceil(total/first), ending on a null next_cursor', async () => {
    const want = expected(SEED);
    expect(want.length).toBeGreaterThan(10);
    expect(lastPageEnding(want.length)).toBe('null');
    const got = await all(SEED, 10);
    expect(got.ids).toEqual(want);
    expect(stack.calls('data')).toBe(Math.ceil(want.length / 10));
    expect(dataBodies().map((b) => b.size)).toEqual(dataBodies().map(() => 10));
    // Every page after the first resumes from the upstream cursor of the record before it.
    const byId = new Map(stack.sandbox.jobs.map((r) => [r.uniq_id, r]));
    expect(
      dataBodies()
        .slice(1)
        .map((b) => b.cursor),
    ).toEqual([10, 20].filter((n) => n < want.length).map((n) => Number(byId.get(want[n - 1] ?? '')?.cursor)));
  });

  it('a query ending with no_data: pages = ceil(total/first), and the no_data page itself is an empty page', async () => {
    const candidates: JobFilter[] = ['Seattle', 'Boston', 'Chicago', 'Austin', 'Denver', 'Atlanta', 'Dallas', 'Miami', 'Phoenix', 'Portland'].flatMap(
      (city) => [
        { city, category: 'Software Development' },
        { city, category: 'Sales' },
      ],
    );
    const filter = candidates.find((f) => {
      const n = expected(f).length;
      return n > 14 && n % 7 !== 0 && lastPageEnding(n) === 'no_data';
    });
    expect(filter).toBeDefined();
    const want = expected(filter ?? {});
    const got = await all(filter ?? {}, 7);
    expect(got.ids).toEqual(want);
    expect(stack.calls('data')).toBe(Math.ceil(want.length / 7));
    // A client that goes on anyway gets an empty page, not an error.
    stack.sandbox.clearLog();
    const last = await page(filter, 7, null);
    let after = last.pageInfo.endCursor;
    for (let i = 1; i < Math.ceil(want.length / 7); i++) after = (await page(filter, 7, after)).pageInfo.endCursor;
    stack.sandbox.clearLog();
    const beyond = await page(filter, 7, after);
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null });
    expect(stack.sandbox.log.map((e) => [e.status, e.records])).toEqual([[200, 0]]);
  });

  it('the end of a null-next_cursor query, resumed anyway, is an empty page too', async () => {
    const want = expected(SEED);
    const c1 = await page(SEED, 100);
    expect(c1.edges).toHaveLength(want.length);
    expect(c1.pageInfo.hasNextPage).toBe(false);
    const beyond = await page(SEED, 100, c1.pageInfo.endCursor);
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo.hasNextPage).toBe(false);
  });

  it('any edge cursor works as `after`: the next page starts right after that edge', async () => {
    const filter: JobFilter = { category: 'Design', remote: false };
    const want = expected(filter);
    expect(want.length).toBeGreaterThan(20);
    const seen: string[] = [];
    let after: string | null = null;
    for (let step = 0; step < 100; step++) {
      const c = await page(filter, 6, after);
      const ids = c.edges.map((e) => e.node.uniqId);
      expect(ids).toEqual(want.slice(seen.length, seen.length + 6));
      if (!c.pageInfo.hasNextPage) {
        seen.push(...ids);
        break;
      }
      // Keep only the first (step % 5) + 1 edges and resume after the last one kept.
      const keep = (step % 5) + 1;
      seen.push(...ids.slice(0, keep));
      after = c.edges[keep - 1]?.cursor ?? null;
    }
    expect(seen).toEqual(want);
  });

  it('startCursor and hasPreviousPage', async () => {
    const c1 = await page(SEED, 5);
    expect(c1.pageInfo.hasPreviousPage).toBe(false);
    expect(c1.pageInfo.startCursor).toBe(c1.edges[0]?.cursor);
    const c2 = await page(SEED, 5, c1.pageInfo.startCursor);
    expect(c2.pageInfo.hasPreviousPage).toBe(true);
    expect(c2.edges.map((e) => e.node.uniqId)).toEqual(expected(SEED).slice(1, 6));
  });

  it('a cursor survives a change of `first` within the same query', async () => {
    const c1 = await page(SEED, 4);
    const c2 = await page(SEED, 9, c1.pageInfo.endCursor);
    expect(c2.edges.map((e) => e.node.uniqId)).toEqual(expected(SEED).slice(4, 13));
  });
});

describe('paging arguments refused before any upstream call', () => {
  // Sent as text with untyped variables: some are ones the generated types would not let a client write.
  const refused = async (vars: Record<string, unknown>, query = print(SearchIdsDocument)) => {
    stack.sandbox.clearLog();
    const r = await stack.gql(query, vars);
    expect(codeOf(r), JSON.stringify(r.body)).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.log).toHaveLength(0);
    return r;
  };

  it('a cursor from another query', async () => {
    const c = await page(SEED, 3);
    await refused({ filter: { ...SEED, remote: true }, first: 3, after: c.pageInfo.endCursor });
    await refused({ filter: { category: 'Sales' }, first: 3, after: c.edges[0]?.cursor });
    await refused({ first: 3, after: c.pageInfo.endCursor });
  });

  it('a tampered, truncated or garbage cursor', async () => {
    const c = await page(SEED, 3);
    const end = c.pageInfo.endCursor ?? '';
    const [payload = '', mac = ''] = end.split('.');
    const tampered = `${payload.slice(0, 5)}${payload[5] === 'A' ? 'B' : 'A'}${payload.slice(6)}.${mac}`;
    for (const after of [tampered, end.slice(0, -1), `${end}x`, 'garbage', '', '1749973251825111', 'eyJxIjoiYSJ9.AAAAAAAAAAAAAAAAAAAAAA']) {
      await refused({ filter: SEED, first: 3, after });
    }
  });

  it('first 0, first 101, negative first', async () => {
    for (const first of [0, 101, -5]) {
      const r = await refused({ filter: SEED, first });
      expect(r.body.errors?.[0]?.message).toMatch(/first/);
    }
  });

  it('last and before are refused with a clear message', async () => {
    const r1 = await refused({}, 'query { jobs(last: 5) { totalCount } }');
    expect(r1.body.errors?.[0]?.message).toMatch(/forward/);
    const c = await page(SEED, 3);
    const r2 = await refused({ before: c.pageInfo.endCursor }, 'query($before: String) { jobs(first: 3, before: $before) { totalCount } }');
    expect(r2.body.errors?.[0]?.message).toMatch(/forward/);
  });

  it('a filter that cannot mean anything', async () => {
    await refused({ filter: { salary: { min: 10, max: 5 } } });
    await refused({ filter: { postedFrom: '2025-02-01', postedTo: '2025-01-01' } });
    await refused({ filter: { postedFrom: '2025-02-30' } });
    await refused({ filter: { seniority: ['JUNIOR'] } });
    await refused({ filter: { title: 'x'.repeat(201) } });
  });
});

// ---- escaping, end to end -----------------------------------------------------------------------

describe('Lucene specials are matched literally', () => {
  it('a hostile keywords filter sends one phrase and matches only the literal text', async () => {
    const hostile = 'C++ (senior) AND "x" OR title:*';
    const c = await page({ keywords: hostile }, 100);
    expect(sentQuery().bool.must).toEqual([{ query_string: { fields: ['job_title', 'job_description'], query: '"c++ (senior) and \\"x\\" or title:*"' } }]);
    expect(stack.sandbox.log[0]?.status).toBe(200);
    expect(c.edges.map((e) => e.node.uniqId)).toEqual(expected({ keywords: hostile }));
    expect(c.totalCount).toBe(0);
  });

  it('`title:*` and `*` are text, not match-all', async () => {
    for (const keywords of ['title:*', '*', 'OR', 'NOT software']) {
      stack.sandbox.clearLog();
      const c = await page({ keywords }, 100);
      expect(stack.sandbox.log[0]?.status).toBe(200);
      expect(c.edges.map((e) => e.node.uniqId)).toEqual(expected({ keywords }));
      expect(c.totalCount ?? 0).toBeLessThan(50);
    }
  });

  it('C++ and C# are different skills; CI/CD and <, >, = pass through', async () => {
    for (const filter of [
      { skills: ['C++'] },
      { skills: ['C#'] },
      { skills: ['CI/CD'] },
      { keywords: 'c++ services' },
      { company: 'a<b>=c' },
    ] satisfies JobFilter[]) {
      stack.sandbox.clearLog();
      const got = await all(filter);
      expect(stack.sandbox.log.every((e) => e.status === 200)).toBe(true);
      expect(got.ids, JSON.stringify(filter)).toEqual(expected(filter));
    }
    expect(expected({ skills: ['C++'] }).length).toBeGreaterThan(0);
    const cpp = new Set(expected({ skills: ['C++'] }));
    expect(expected({ skills: ['C#'] }).some((id) => !cpp.has(id))).toBe(true);
  });
});
