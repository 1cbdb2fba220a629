import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreditPageDocument, FiveTitlesDocument as PAGE, JobTitleDocument } from '../generated/graphql.js';
import { codesOf as codes, dataOf } from '../helpers/results.js';
import { startStack, type Stack } from '../helpers/stack.js';

const headers = (clientId: string, authKey: string) => ({ client_id: clientId, client_auth_key: authKey });

/** A counter's value in the /metrics text (0 when the series has not been written yet). */
async function counter(s: Stack, series: string): Promise<number> {
  const line = (await s.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}
const answers = (s: Stack, result: 'hit' | 'miss' | 'stored') => counter(s, `jobspikr_answer_cache_total{result="${result}"}`);

/** Ask `doc` until the answer cache holds it: the first ask buys, the second is served from cache and remembered. */
async function remembered<T>(ask: () => Promise<T>): Promise<T[]> {
  return [await ask(), await ask()];
}

describe('whole answers of operations served from cache', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ key: 'production' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('the same search asked again is answered whole: the same bytes, the same usage report, the cache hit counted', async () => {
    const filter = { city: 'Austin' };
    s.sandbox.clearLog();
    const [bought, cached] = await remembered(() => s.gql(PAGE, { filter }));
    expect(bought?.body.errors).toBeUndefined();
    expect(await answers(s, 'stored')).toBe(1);
    const searchHits = await counter(s, 'jobspikr_cache_lookups_total{cache="search",result="hit"}');
    const whole = await s.gql(PAGE, { filter });
    expect(await answers(s, 'hit')).toBe(1);
    // The answer is the cached one byte for byte, its report too (nothing charged, the page's credits saved).
    expect(s.responses.at(-1)).toBe(s.responses.at(-2));
    expect(whole.body).toEqual(cached?.body);
    expect(whole.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 5, upstreamCalls: 0 });
    // Counted as the cache hit it stands for, and nothing went upstream after the first call.
    expect(await counter(s, 'jobspikr_cache_lookups_total{cache="search",result="hit"}')).toBe(searchHits + 1);
    expect(s.calls('data')).toBe(1);
  });

  it('answers differ by variables, and an answer bought is never remembered (only one served wholly from cache)', async () => {
    const stored = await answers(s, 'stored');
    const a = await s.gql(PAGE, { filter: { city: 'Denver' } });
    const b = await s.gql(PAGE, { filter: { city: 'Seattle' } });
    expect(await answers(s, 'stored')).toBe(stored);
    const a2 = await s.gql(PAGE, { filter: { city: 'Denver' } });
    const b2 = await s.gql(PAGE, { filter: { city: 'Seattle' } });
    expect(await answers(s, 'stored')).toBe(stored + 2);
    const hits = await answers(s, 'hit');
    expect((await s.gql(PAGE, { filter: { city: 'Denver' } })).body.data).toEqual(a.body.data);
    expect((await s.gql(PAGE, { filter: { city: 'Seattle' } })).body.data).toEqual(b.body.data);
    expect(a2.body.data).toEqual(a.body.data);
    expect(b2.body.data).toEqual(b.body.data);
    expect(await answers(s, 'hit')).toBe(hits + 2);
  });

  it('lookups by id are answered whole too, counted as the record hits they stand for', async () => {
    const page = await s.gql(PAGE, { filter: { city: 'Boston' } });
    const id = dataOf(page).jobs.nodes[0]?.uniqId ?? '';
    await remembered(() => s.gql(JobTitleDocument, { id }));
    const hits = await answers(s, 'hit');
    const recordHits = await counter(s, 'jobspikr_cache_lookups_total{cache="record",result="hit"}');
    const r = await s.gql(JobTitleDocument, { id });
    expect(r.body.data?.job?.title).toBe(dataOf(page).jobs.nodes[0]?.title);
    expect(r.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 1, upstreamCalls: 0 });
    expect(await answers(s, 'hit')).toBe(hits + 1);
    expect(await counter(s, 'jobspikr_cache_lookups_total{cache="record",result="hit"}')).toBe(recordHits + 1);
  });

  it('the per-request refusals still come first: x-max-credits below the worst case refuses a remembered search', async () => {
    const filter = { city: 'Austin' };
    const hits = await answers(s, 'hit');
    const r = await s.gql(PAGE, { filter }, { 'x-max-credits': '2' });
    expect(r.body.data ?? null).toBeNull();
    expect(codes(r)).toEqual(['CREDITS_LIMIT']);
    expect(await answers(s, 'hit')).toBe(hits);
    const dry = await s.gql(PAGE, { filter }, { 'x-dry-run': '1' });
    expect(dry.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: 5 });
  });

  it('operations that read anything but search pages and records execute every time', async () => {
    const doc = `query ($filter: JobFilter) { apiUsage { creditsRemaining } jobs(filter: $filter, first: 3) { nodes { uniqId } } }`;
    const stored = await answers(s, 'stored');
    for (let i = 0; i < 3; i++) expect((await s.gql(doc, { filter: { city: 'Austin' } })).body.errors).toBeUndefined();
    expect(await answers(s, 'stored')).toBe(stored);
  });

  it('a key pair refused since gets no remembered answer: it is asked afresh and the upstream refuses it', async () => {
    const pair = { clientId: 'acme_prod_0000000091', authKey: 'old-key' };
    s.sandbox.addKey(pair, 'production', 100);
    const filter = { city: 'Chicago' };
    await remembered(() => s.gql(PAGE, { filter }, headers(pair.clientId, pair.authKey)));
    const hits = await answers(s, 'hit');
    expect((await s.gql(PAGE, { filter }, headers(pair.clientId, pair.authKey))).body.errors).toBeUndefined();
    expect(await answers(s, 'hit')).toBe(hits + 1);
    // The key is rotated: the new pair's accepted call (another search, so the remembered answer's page
    // entry stays as it was) ends the old pair's trust.
    s.sandbox.addKey({ clientId: pair.clientId, authKey: 'new-key' }, 'production', 100);
    expect((await s.gql(PAGE, { filter: { city: 'Miami' } }, headers(pair.clientId, 'new-key'))).body.errors).toBeUndefined();
    s.sandbox.clearLog();
    const old = await s.gql(PAGE, { filter }, headers(pair.clientId, pair.authKey));
    expect(old.body.data ?? null).toBeNull();
    expect(codes(old)).toEqual(['UNAUTHENTICATED']);
    expect(s.sandbox.log.map((e) => e.status)).toEqual([401]);
    // Looked up, but not served: no hit counted.
    expect(await answers(s, 'hit')).toBe(hits + 1);
  });
});

describe('an answer never outlives the cache entries it was read from', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ key: 'production', env: { CACHE_TTL_SEARCH_MS: '300', CACHE_TTL_RECORD_MS: '300' } });
  });
  afterAll(async () => {
    await s.close();
  });

  it('a search page past its lifetime is bought again, not answered from the remembered answer', async () => {
    const vars = { first: 4, filter: { city: 'Austin' } };
    s.sandbox.clearLog();
    await remembered(() => s.gql(CreditPageDocument, vars));
    expect((await s.gql(CreditPageDocument, vars)).body.extensions?.jobspikr).toMatchObject({ upstreamCalls: 0 });
    expect(await answers(s, 'hit')).toBe(1);
    expect(s.calls('data')).toBe(1);
    await new Promise((r) => setTimeout(r, 350));
    const again = await s.gql(CreditPageDocument, vars);
    expect(again.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 4, upstreamCalls: 1 });
    expect(s.calls('data')).toBe(2);
    expect(await answers(s, 'hit')).toBe(1);
  });
});

describe('what the cache does on a hit is done for a remembered answer too', () => {
  const DOC = `query P($first: Int, $after: String, $filter: JobFilter) {
    jobs(filter: $filter, first: $first, after: $after) { pageInfo { endCursor } nodes { uniqId } } }`;

  it('a smaller first page of a larger cached one is not remembered: each hit stores the rest for the next page', async () => {
    const s = await startStack({ key: 'production' });
    try {
      const filter = { city: 'Austin' };
      await s.gql(DOC, { first: 10, filter });
      for (let i = 0; i < 3; i++) expect((await s.gql(DOC, { first: 4, filter })).body.extensions?.jobspikr).toMatchObject({ upstreamCalls: 0 });
      expect(await answers(s, 'stored')).toBe(0);
      const p1 = await s.gql(DOC, { first: 4, filter });
      const after = (p1.body.data as { jobs: { pageInfo: { endCursor: string } } }).jobs.pageInfo.endCursor;
      const p2 = await s.gql(DOC, { first: 6, after, filter });
      expect(p2.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 6, upstreamCalls: 0 });
    } finally {
      await s.close();
    }
  });
});

describe('ANSWER_CACHE_MAX_BYTES=0', () => {
  it('turns the answer cache off: every operation executes', async () => {
    const s = await startStack({ env: { ANSWER_CACHE_MAX_BYTES: '0' } });
    try {
      for (let i = 0; i < 3; i++) expect((await s.gql(PAGE, { filter: { city: 'Austin' } })).body.errors).toBeUndefined();
      expect(await s.metrics()).not.toMatch(/^jobspikr_answer_cache_total\{/m);
      expect(s.calls('data')).toBe(1);
    } finally {
      await s.close();
    }
  });
});
