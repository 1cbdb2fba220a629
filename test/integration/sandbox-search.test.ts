import { XMLParser } from 'fast-xml-parser';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawJobRecord } from '../../src/sandbox/data.js';
import { lastPageEnding } from '../../src/sandbox/paging.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/server.js';
import { UNLIMITED_SANDBOX } from '../helpers/stack.js';
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ limits: UNLIMITED_SANDBOX });
});
afterAll(async () => {
  await sandbox.close();
});

interface Answer {
  status: number;
  type: string;
  text: string;
  json: Record<string, unknown>;
}

async function post(body: unknown, raw?: string): Promise<Answer> {
  const { clientId, authKey } = sandbox.keys.sandbox;
  const res = await request(`${sandbox.url}/data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', client_id: clientId, client_auth_key: authKey },
    body: raw ?? JSON.stringify(body),
  });
  const text = await res.body.text();
  const type = String(res.headers['content-type']);
  return { status: res.statusCode, type, text, json: type.startsWith('application/json') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function records(answer: Answer): RawJobRecord[] {
  return answer.json.job_data as RawJobRecord[];
}

/** Every page of a query, checking order, the envelope and the ending rule on the way. */
async function pageThrough(body: Record<string, unknown>, size: number): Promise<{ ids: string[]; requests: number }> {
  const ids: string[] = [];
  let cursor: unknown;
  let previousCursor = 0;
  for (let requests = 1; requests < 1000; requests++) {
    const answer = await post({ ...body, size, ...(cursor === undefined ? {} : { cursor }) });
    expect(answer.status).toBe(200);
    if (answer.json.status === 'no_data') {
      expect(answer.json).toEqual({ status: 'no_data', message: 'No data found.' });
      return { ids, requests };
    }
    const page = records(answer);
    expect(answer.json.size).toBe(page.length);
    for (const record of page) {
      expect(Number(record.cursor)).toBeGreaterThan(previousCursor);
      previousCursor = Number(record.cursor);
      ids.push(record.uniq_id);
    }
    const total = Number(answer.json.total_count);
    const last = ids.length === total;
    if (last && lastPageEnding(total) === 'null') {
      expect(answer.json.next_cursor).toBeNull();
      return { ids, requests };
    }
    expect(answer.json.next_cursor).toBe(page[page.length - 1]?.cursor);
    cursor = answer.json.next_cursor;
  }
  throw new Error('paging did not end');
}

const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN);
const idsOf = (jobs: readonly RawJobRecord[]): string[] => jobs.map((j) => j.uniq_id);
const exactly = (field: string, value: string): RawJobRecord[] => sandbox.jobs.filter((j) => j[field] === value);

describe('sandbox /data search and paging', () => {
  it('answers the seed example (Mid Level software engineers in San Francisco, 80k-100k) over several pages', async () => {
    const query = {
      bool: {
        must: [
          { query_string: { fields: ['job_title', 'job_description'], query: '"software engineer"' } },
          { query_string: { default_field: 'inferred_city', query: '"San Francisco"' } },
          { query_string: { default_field: 'inferred_seniority_level', query: '"Mid Level"' } },
          { range: { inferred_salary_from: { gte: 80000 } } },
          { range: { inferred_salary_to: { lte: 100000 } } },
        ],
      },
    };
    const { ids, requests } = await pageThrough({ search_query_json: query }, 10);
    expect(ids.length).toBeGreaterThanOrEqual(25);
    expect(requests).toBeGreaterThanOrEqual(3);
    expect(new Set(ids).size).toBe(ids.length);
    const byId = new Map(sandbox.jobs.map((j) => [j.uniq_id, j]));
    for (const id of ids) {
      const job = byId.get(id);
      expect(job?.inferred_city).toBe('San Francisco');
      expect(job?.inferred_seniority_level).toBe('Mid Level');
      expect(num(job?.inferred_salary_from)).toBeGreaterThanOrEqual(80000);
      expect(num(job?.inferred_salary_to)).toBeLessThanOrEqual(100000);
    }
  });

  it('pages to the end with both endings, without duplicates or gaps', async () => {
    const cities = [...new Set(sandbox.jobs.map((j) => j.inferred_city).filter((c): c is string => typeof c === 'string'))];
    const counts = cities.map((city) => [city, exactly('inferred_city', city).length] as const).filter(([, n]) => n >= 15);
    const odd = counts.find(([, n]) => lastPageEnding(n) === 'null');
    const even = counts.find(([, n]) => lastPageEnding(n) === 'no_data');
    if (!odd || !even) throw new Error('the data set should hold cities with odd and even counts');
    for (const [city, count] of [odd, even]) {
      const { ids, requests } = await pageThrough({ search_query_json: { terms: { inferred_city: [city] } } }, 7);
      expect(ids).toEqual(idsOf(exactly('inferred_city', city)));
      expect(requests).toBe(Math.ceil(count / 7) + (lastPageEnding(count) === 'no_data' ? 1 : 0));
    }
  });

  it('matches quoted phrases, wildcards and escaped special characters', async () => {
    const all = async (query: unknown): Promise<string[]> => (await pageThrough({ search_query_json: query }, 100)).ids;
    const cpp = sandbox.jobs.filter((j) => {
      const skills = j.inferred_skills;
      return Array.isArray(skills) ? skills.includes('C++') : typeof skills === 'string' && skills.split('|').includes('C++');
    });
    expect(cpp.length).toBeGreaterThan(10);
    expect(await all({ query_string: { default_field: 'inferred_skills', query: 'C\\+\\+' } })).toEqual(idsOf(cpp));
    const santa = sandbox.jobs.filter((j) => typeof j.city === 'string' && j.city.split(/[|\s]/).some((w) => w.toLowerCase().startsWith('santa')));
    expect(await all({ query_string: { default_field: 'city', query: 'SANTA*' } })).toEqual(idsOf(santa));
    const nurses = sandbox.jobs.filter((j) => typeof j.job_title === 'string' && /\bregistered nurse\b/i.test(j.job_title));
    expect(await all({ query_string: { default_field: 'job_title', query: '"REGISTERED nurse"' } })).toEqual(idsOf(nurses));
    const london = sandbox.jobs.filter((j) => j.inferred_city === 'London' && !(typeof j.job_title === 'string' && /\bnurse\b/i.test(j.job_title)));
    expect(await all({ query_string: { query: 'inferred_city:London AND NOT job_title:nurse' } })).toEqual(idsOf(london));
  });

  it('filters by range, exists, terms, bool, dataset and exclude_duplicates', async () => {
    const all = async (body: Record<string, unknown>): Promise<string[]> => (await pageThrough(body, 100)).ids;
    const january = sandbox.jobs.filter((j) => typeof j.post_date === 'string' && j.post_date >= '2025-01-01' && j.post_date <= '2025-01-31');
    expect(await all({ search_query_json: { range: { post_date: { gte: '2025-01-01', lte: '2025-01-31' } } } })).toEqual(idsOf(january));
    const crawled = sandbox.jobs.filter((j) => typeof j.crawl_timestamp === 'string' && j.crawl_timestamp.slice(0, 10) === '2025-06-30');
    expect(await all({ search_query_json: { range: { crawl_timestamp: { gte: '2025-06-30', lt: '2025-07-01' } } } })).toEqual(idsOf(crawled));
    const wellPaid = sandbox.jobs.filter((j) => num(j.inferred_salary_from) > 150000);
    expect(await all({ search_query_json: { range: { inferred_salary_from: { gt: 150000 } } } })).toEqual(idsOf(wellPaid));
    const emails = sandbox.jobs.filter((j) => typeof j.contact_email === 'string' && j.contact_email !== '');
    expect(await all({ search_query_json: { exists: { field: 'contact_email' } } })).toEqual(idsOf(emails));
    const picked = [sandbox.jobs[2000], sandbox.jobs[5], sandbox.jobs[1234]].map((j) => j?.uniq_id);
    expect(await all({ search_query_json: { terms: { uniq_id: picked } } })).toEqual(idsOf(sandbox.jobs.filter((j) => picked.includes(j.uniq_id))));
    const remoteNotUs = sandbox.jobs.filter((j) => (j.is_remote === true || j.is_remote === 'true') && j.inferred_country !== 'United States');
    expect(
      await all({ search_query_json: { bool: { must: [{ terms: { is_remote: [true] } }], must_not: [{ terms: { inferred_country: ['United States'] } }] } } }),
    ).toEqual(idsOf(remoteNotUs));
    const europe = { terms: { inferred_country: ['United Kingdom', 'Germany'] } };
    const inEurope = sandbox.jobs.filter((j) => j.inferred_country === 'United Kingdom' || j.inferred_country === 'Germany');
    expect(await all({ search_query_json: europe, exclude_duplicates: true })).toEqual(idsOf(inEurope.filter((j) => j.duplicate_status !== 'true')));
    const f500 = await all({ search_query_json: europe, dataset: ['f500'] });
    const board = await all({ search_query_json: europe, dataset: ['job_board'] });
    expect(f500.length).toBeGreaterThan(50);
    expect([...f500, ...board].sort()).toEqual(idsOf(inEurope).sort());
    expect(idsOf(inEurope.filter((j) => j.company_name === 'Walmart')).every((id) => f500.includes(id))).toBe(true);
    expect(idsOf(inEurope.filter((j) => j.company_name === 'Acme Analytics')).every((id) => board.includes(id))).toBe(true);
  });

  it('answers no_data for a query without hits and for a cursor past the end', async () => {
    expect((await post({ search_query_json: { terms: { uniq_id: ['0'.repeat(32)] } } })).json).toEqual({ status: 'no_data', message: 'No data found.' });
    expect((await post({ search_query_json: { bool: {} }, cursor: 9_000_000_000_000_000 })).json.status).toBe('no_data');
  });

  it('rejects malformed bodies and queries with 400 and a message', async () => {
    const q = { bool: {} };
    const bad: [unknown, string?][] = [
      [null, '{"search_query_json": '],
      [[1, 2]],
      [{}],
      [{ search_query_json: 'title:nurse' }],
      [{ search_query_json: q, size: 0 }],
      [{ search_query_json: q, size: 101 }],
      [{ search_query_json: q, size: 2.5 }],
      [{ search_query_json: q, size: '10' }],
      [{ search_query_json: q, cursor: 'abc' }],
      [{ search_query_json: q, cursor: null }],
      [{ search_query_json: q, format: 'csv' }],
      [{ search_query_json: q, dataset: ['resumes'] }],
      [{ search_query_json: q, dataset: [] }],
      [{ search_query_json: q, exclude_duplicates: 'yes' }],
      [{ search_query_json: { match: { job_title: 'nurse' } } }],
      [{ search_query_json: { query_string: { default_field: 'job_title', query: '(nurse' } } }],
      [{ search_query_json: { query_string: { default_field: 'job_title', query: '"unclosed' } } }],
    ];
    for (const [body, raw] of bad) {
      const answer = await post(body, raw);
      expect(answer.status, JSON.stringify(body) + (raw ?? '')).toBe(400);
      expect(answer.json.status).toBe('error');
      expect(typeof answer.json.message).toBe('string');
    }
  });

  it('answers XML when asked, with <job> elements and repeated array elements', async () => {
    const query = { terms: { inferred_city: ['Berlin'] } };
    const json = await post({ search_query_json: query, size: 3 });
    const xml = await post({ search_query_json: query, size: 3, format: 'xml' });
    expect(xml.status).toBe(200);
    expect(xml.type).toMatch(/^application\/xml/);
    const parsed = new XMLParser({ isArray: (name) => name === 'job' || name === 'inferred_skills', parseTagValue: false }).parse(xml.text) as {
      response: { status: string; message: string; total_count: string; size: string; next_cursor: string; job_data: { job: Record<string, unknown>[] } };
    };
    expect(parsed.response.status).toBe('success');
    expect(Number(parsed.response.total_count)).toBe(json.json.total_count);
    expect(Number(parsed.response.next_cursor)).toBe(json.json.next_cursor);
    const jobs = records(json);
    expect(parsed.response.job_data.job.map((j) => j.uniq_id)).toEqual(idsOf(jobs));
    const skills = jobs[0]?.inferred_skills;
    if (Array.isArray(skills)) expect(parsed.response.job_data.job[0]?.inferred_skills).toEqual(skills);
    const none = await post({ search_query_json: { terms: { uniq_id: ['none'] } }, format: 'xml' });
    expect(none.text).toContain('<status>no_data</status>');
  });

  it('answers 404 JSON for unknown paths and methods', async () => {
    for (const [method, path] of [
      ['GET', '/data'],
      ['POST', '/jobs'],
      ['GET', '/expired_jobs/x'],
    ] as const) {
      const res = await request(`${sandbox.url}${path}`, { method });
      expect(res.statusCode).toBe(404);
      expect(await res.body.json()).toEqual({ status: 'error', message: 'Not found' });
    }
  });
});
