import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJobRecord } from '../../src/sandbox/data.js';
import { z } from 'zod';
import { type Sandbox, type SandboxKey, startSandbox } from '../../src/sandbox/server.js';
import { UNLIMITED_SANDBOX } from '../helpers/stack.js';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ limits: UNLIMITED_SANDBOX, productionCredits: 25 });
});
afterAll(async () => {
  await sandbox.close();
});

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  json: Record<string, unknown>;
}

type Auth = SandboxKey | { basic: SandboxKey } | null;

async function call(path: string, options: { auth?: Auth; body?: unknown; base?: string } = {}): Promise<Answer> {
  const auth = options.auth === undefined ? sandbox.keys.sandbox : options.auth;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (auth && 'basic' in auth) {
    headers.authorization = `Basic ${Buffer.from(`${auth.basic.clientId}:${auth.basic.authKey}`).toString('base64')}`;
  } else if (auth) {
    headers.client_id = auth.clientId;
    headers.client_auth_key = auth.authKey;
  }
  const res = await request(`${options.base ?? sandbox.url}${path}`, {
    method: options.body === undefined ? 'GET' : 'POST',
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  return { status: res.statusCode, headers: res.headers, json: (await res.body.json()) as Record<string, unknown> };
}

const byIds = (ids: readonly string[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  search_query_json: { terms: { uniq_id: ids } },
  size: 100,
  ...extra,
});
const recordsOf = (answer: Answer): RawJobRecord[] => answer.json.job_data as RawJobRecord[];
const isExpired = (j: RawJobRecord): boolean => (j.has_expired === true || j.has_expired === 'true') && typeof j.latest_expiry_check_date === 'string';

describe('sandbox authentication', () => {
  it('accepts client_id/client_auth_key headers and HTTP Basic, and rejects anything else with 401', async () => {
    const body = byIds([sandbox.jobs[0]?.uniq_id ?? '']);
    expect((await call('/data', { body })).status).toBe(200);
    expect((await call('/data', { body, auth: { basic: sandbox.keys.production } })).status).toBe(200);
    const wrong = { clientId: sandbox.keys.sandbox.clientId, authKey: 'nope' };
    for (const auth of [null, wrong, { basic: wrong }, { clientId: 'someone_else', authKey: sandbox.keys.sandbox.authKey }]) {
      for (const path of ['/data', '/expired_jobs?start_date=2025-01-01&end_date=2025-01-02', '/aggregate_data?query=category']) {
        const answer = await call(path, { auth, ...(path === '/data' ? { body } : {}) });
        expect(answer.status).toBe(401);
        expect(answer.json).toEqual({ status: 'error', message: 'Invalid credentials' });
      }
    }
    expect(sandbox.keys.sandbox.clientId).toContain('_jp_sandbox_');
    expect(sandbox.keys.production.clientId).not.toContain('_jp_sandbox_');
    const logged = JSON.stringify(sandbox.log);
    expect(logged).not.toContain(sandbox.keys.sandbox.authKey);
    expect(logged).not.toContain(sandbox.keys.production.authKey);
    expect(sandbox.log.some((e) => e.clientId === 'someone_else' && e.status === 401)).toBe(true);
  });
});

describe('sandbox credits', () => {
  it('charges production keys one credit a record, cuts the page to what is left, then answers 402', async () => {
    const key = { clientId: 'acme_prod_0000000002', authKey: 'secret-2' };
    sandbox.addKey(key, 'production', 25);
    const query = { search_query_json: { terms: { inferred_city: ['San Francisco'] } }, size: 10 };
    const first = await call('/data', { auth: key, body: query });
    expect(first.json).toMatchObject({ status: 'success', size: 10, job_credit_remaining: 15 });
    const second = await call('/data', { auth: key, body: { ...query, cursor: first.json.next_cursor } });
    expect(second.json).toMatchObject({ size: 10, job_credit_remaining: 5 });
    const third = await call('/data', { auth: key, body: { ...query, cursor: second.json.next_cursor } });
    expect(third.json).toMatchObject({ size: 5, job_credit_remaining: 0 });
    expect(third.json.next_cursor).toBe(recordsOf(third)[4]?.cursor);
    expect(sandbox.creditsRemaining(key.clientId)).toBe(0);
    const broke = await call('/data', { auth: key, body: { ...query, cursor: third.json.next_cursor } });
    expect(broke.status).toBe(402);
    expect(broke.json).toEqual({ status: 'error', message: 'Job credits exhausted' });
    // A query with no hits costs nothing and still answers no_data.
    expect((await call('/data', { auth: key, body: byIds(['f'.repeat(32)]) })).json.status).toBe('no_data');
  });

  it('never charges sandbox keys and reports a constant', async () => {
    const before = sandbox.creditsRemaining(sandbox.keys.sandbox.clientId);
    const answer = await call('/data', { body: { search_query_json: { bool: {} }, size: 100 } });
    expect(answer.json.job_credit_remaining).toBe(before);
    expect(sandbox.creditsRemaining(sandbox.keys.sandbox.clientId)).toBe(before);
  });
});

describe('sandbox /expired_jobs', () => {
  it('returns only expired jobs this client consumed, within the dates, as short records', async () => {
    const me = { clientId: 'acme_jp_sandbox_0000000003', authKey: 'k3' };
    const other = { clientId: 'acme_jp_sandbox_0000000004', authKey: 'k4' };
    sandbox.addKey(me, 'sandbox');
    sandbox.addKey(other, 'sandbox');
    const range = '/expired_jobs?start_date=2024-01-01&end_date=2027-12-31';
    expect((await call(range, { auth: me })).json).toEqual({ status: 'no_data', message: 'No data found.' });

    const expired = sandbox.jobs.filter(isExpired).slice(0, 7);
    const live = sandbox.jobs.filter((j) => j.has_expired === false).slice(0, 5);
    const consumed = [...expired, ...live].map((j) => j.uniq_id);
    expect((await call('/data', { auth: me, body: byIds(consumed) })).json.size).toBe(12);

    const answer = await call(`${range}&size=100`, { auth: me });
    expect(answer.json).toMatchObject({ status: 'success', total_count: 7, size: 7 });
    expect(recordsOf(answer)).toEqual(
      expired.map((j) => ({
        uniq_id: j.uniq_id,
        url: j.url,
        has_expired: true,
        expired_date: j.latest_expiry_check_date,
        latest_expiry_check_date: j.latest_expiry_check_date,
        cursor: j.cursor,
      })),
    );
    expect((await call(range, { auth: other })).json.status).toBe('no_data');

    const day = String(expired[3]?.latest_expiry_check_date);
    const sameDay = expired.filter((j) => j.latest_expiry_check_date === day).map((j) => j.uniq_id);
    const narrow = await call(`/expired_jobs?start_date=${day}&end_date=${day}`, { auth: me });
    expect(recordsOf(narrow).map((r) => r.uniq_id)).toEqual(sameDay);

    // Paging of 2 with the same ending rule as /data: 7 records → 4 pages, the last with next_cursor null.
    const seen: string[] = [];
    let cursor: unknown;
    for (let page = 0; page < 4; page++) {
      const res = await call(`${range}&size=2${cursor === undefined ? '' : `&cursor=${String(cursor)}`}`, { auth: me });
      seen.push(...recordsOf(res).map((r) => r.uniq_id));
      cursor = res.json.next_cursor;
    }
    expect(seen).toEqual(expired.map((j) => j.uniq_id));
    expect(cursor).toBeNull();
  });

  it('validates dates, size and cursor', async () => {
    for (const query of [
      '',
      'start_date=2025-01-01',
      'start_date=2025-02-30&end_date=2025-03-01',
      'start_date=20250101&end_date=2025-03-01',
      'start_date=2025-03-02&end_date=2025-03-01',
      'start_date=2025-01-01&end_date=2025-01-02&size=0',
      'start_date=2025-01-01&end_date=2025-01-02&size=101',
      'start_date=2025-01-01&end_date=2025-01-02&cursor=x',
      'start_date=2025-01-01&end_date=2025-01-02&format=csv',
    ]) {
      const answer = await call(`/expired_jobs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.json.status).toBe('error');
    }
  });
});

describe('sandbox /aggregate_data', () => {
  const count = (jobs: readonly RawJobRecord[], field: string): { key: string; doc_count: number }[] => {
    const counts = new Map<string, number>();
    for (const job of jobs) {
      const v = job[field];
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    }
    return [...counts]
      .map(([key, doc_count]) => ({ key, doc_count }))
      .sort((a, b) => b.doc_count - a.doc_count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  };

  it('counts a field over all records, buckets by count then key', async () => {
    const answer = await call('/aggregate_data?query=category&size=1000');
    expect(answer.json).toEqual({
      status: 'success',
      message: 'Data present.',
      total_count: sandbox.jobs.length,
      aggregations: count(sandbox.jobs, 'category'),
    });
    const remote = await call('/aggregate_data?query=is_remote');
    expect(remote.json.aggregations).toEqual(count(sandbox.jobs, 'is_remote'));
    const buckets = z.array(z.object({ key: z.string() })).parse(remote.json.aggregations);
    expect(buckets.map((b) => b.key).sort()).toEqual(['false', 'true']);
    const top3 = await call('/aggregate_data?query=job_board&size=3');
    expect(top3.json.aggregations).toEqual(count(sandbox.jobs, 'job_board').slice(0, 3));
  });

  it('nests query buckets inside group_by buckets, accepts the seed aliases and a search filter', async () => {
    const search = { bool: { must: [{ terms: { inferred_country: ['United States'] } }, { range: { post_date: { gte: '2025-06-01' } } }] } };
    const matching = sandbox.jobs.filter((j) => j.inferred_country === 'United States' && typeof j.post_date === 'string' && j.post_date >= '2025-06-01');
    const answer = await call(`/aggregate_data?query=job_category&group_by=location&size=5&search_query_json=${encodeURIComponent(JSON.stringify(search))}`);
    expect(answer.json.total_count).toBe(matching.length);
    const expected = count(matching, 'inferred_city')
      .slice(0, 5)
      .map((outer) => ({
        ...outer,
        buckets: count(
          matching.filter((j) => j.inferred_city === outer.key),
          'category',
        ).slice(0, 5),
      }));
    expect(answer.json.aggregations).toEqual(expected);
  });

  it('rejects unknown fields and bad parameters with 400, and answers no_data when nothing matches', async () => {
    for (const query of [
      '',
      'query=salary',
      'query=category&group_by=uniq_id',
      'query=category&size=1001',
      'query=category&size=0',
      'query=category&search_query_json=%7Bbad',
      'query=category&search_query_json=%5B%5D',
      `query=category&search_query_json=${encodeURIComponent('{"match":{}}')}`,
    ]) {
      const answer = await call(`/aggregate_data?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.json.status).toBe('error');
    }
    const none = encodeURIComponent(JSON.stringify({ terms: { uniq_id: ['none'] } }));
    expect((await call(`/aggregate_data?query=category&search_query_json=${none}`)).json.status).toBe('no_data');
  });
});

describe('sandbox fallback host', () => {
  it('answers from the same state and logs the host', async () => {
    const key = { clientId: 'acme_prod_0000000005', authKey: 'k5' };
    sandbox.addKey(key, 'production', 100);
    const job = sandbox.jobs.find(isExpired);
    if (!job) throw new Error('no expired job');
    expect((await call('/data', { auth: key, body: byIds([job.uniq_id]), base: sandbox.fallbackUrl })).json.job_credit_remaining).toBe(99);
    expect(sandbox.creditsRemaining(key.clientId)).toBe(99);
    const expired = await call(`/expired_jobs?start_date=${String(job.latest_expiry_check_date)}&end_date=${String(job.latest_expiry_check_date)}`, {
      auth: key,
    });
    expect(recordsOf(expired).map((r) => r.uniq_id)).toEqual([job.uniq_id]);
    const entries = sandbox.log.filter((e) => e.clientId === key.clientId);
    expect(entries.map((e) => [e.host, e.endpoint, e.status, e.records])).toEqual([
      ['fallback', 'data', 200, 1],
      ['primary', 'expired_jobs', 200, 1],
    ]);
    expect(entries[0]?.body).toEqual(byIds([job.uniq_id]));
    expect(entries[1]?.body).toMatchObject({ start_date: job.latest_expiry_check_date });
    expect(sandbox.fallbackUrl).not.toBe(sandbox.url);
  });
});

describe('sandbox rate limits', () => {
  it('answers 429 with Retry-After per client and endpoint; 401 and 429 do not count, 400 does', async () => {
    const limited = await startSandbox({
      jobCount: 200,
      limits: { dataPerMinute: 3, dataPerHour: 5, aggregatePerMinute: 1, aggregatePerHour: 100 },
      minuteMs: 700,
      hourMs: 60_000,
    });
    try {
      const data = (auth: Auth = limited.keys.sandbox, body: unknown = byIds(['x'])): Promise<Answer> => call('/data', { auth, body, base: limited.url });
      expect((await data({ clientId: limited.keys.sandbox.clientId, authKey: 'bad' })).status).toBe(401);
      expect((await data(limited.keys.sandbox, { size: 1 })).status).toBe(400);
      expect((await data()).status).toBe(200);
      expect((await data()).status).toBe(200);
      const refused = await data();
      expect(refused.status).toBe(429);
      expect(refused.json).toEqual({ status: 'error', message: 'Rate limit exceeded' });
      expect(refused.headers['retry-after']).toBe('1');
      expect((await data(limited.keys.production)).status).toBe(200);
      expect((await call('/aggregate_data?query=category', { base: limited.url })).status).toBe(200);
      expect((await call('/aggregate_data?query=category', { base: limited.url })).status).toBe(429);
      expect((await call('/expired_jobs?start_date=2025-01-01&end_date=2025-01-01', { base: limited.url })).json.status).toBe('no_data');

      await new Promise((resolve) => setTimeout(resolve, 750));
      expect((await data()).status).toBe(200);
      expect((await data()).status).toBe(200); // fifth admitted request this "hour"
      const hourly = await data();
      expect(hourly.status).toBe(429);
      const retryAfter = Number(hourly.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(58);
      expect(retryAfter).toBeLessThanOrEqual(60);

      limited.reset();
      expect(limited.log).toHaveLength(0);
      expect((await data()).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
