import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RawJobRecord } from '../../src/sandbox/data.js';
import { searchPage } from '../../src/upstream/adapters.js';
import { EnvelopeSchema } from '../../src/upstream/envelope.js';
import { xmlToEnvelope } from '../../src/upstream/xml.js';
import { z } from 'zod';
import { TypeFieldsDocument, type TypeFieldsQuery } from '../generated/graphql.js';
import { isMessy, PLACEHOLDER } from '../helpers/messy-records.js';
import { codeOf as code, dataOf, readData } from '../helpers/results.js';
import { type GqlResult, startStack, type Stack } from '../helpers/stack.js';

// Messy records (CONTRACT §2) typed right through GraphQL, XML bodies, and the error codes of
// upstream answers that cannot be used.

let stack: Stack;
let jobs: readonly RawJobRecord[];
beforeAll(async () => {
  stack = await startStack({ unlimited: true, sandbox: { jobCount: 2000, seed: 11 } });
  jobs = stack.sandbox.jobs;
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => {
  stack.sandbox.clearLog();
  stack.sandbox.clearFaults();
});

/** A selection of every field of `type`, one level into object fields, built from the schema itself. */
async function everyField(type: string): Promise<string> {
  type T = NonNullable<NonNullable<TypeFieldsQuery['__type']>['fields']>[number];
  const fields = dataOf(await stack.gql(TypeFieldsDocument, { name: type })).__type?.fields ?? [];
  expect(fields.length, type).toBeGreaterThan(0);
  const named = (t: T['type']): { kind: string; name: string | null } => (t.ofType ? (t.ofType.ofType ?? t.ofType) : t);
  const parts: string[] = [];
  for (const f of fields) {
    const n = named(f.type);
    parts.push(n.kind === 'OBJECT' && n.name ? `${f.name} { ${await everyField(n.name)} }` : f.name);
  }
  return parts.join(' ');
}

/** Every field of Job, selected from the schema: the fields the tests read by name are checked for shape. */
const JobSchema = z.looseObject({
  uniqId: z.string(),
  location: z.record(z.string(), z.unknown()),
  salary: z.record(z.string(), z.unknown()).nullable(),
  skills: z.array(z.string()),
});
type Job = z.infer<typeof JobSchema>;
const PageSchema = z.object({
  jobs: z.object({ pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }), nodes: z.array(JobSchema) }),
});

describe('messy records through GraphQL', () => {
  let all: Map<string, Job>;
  let messy: RawJobRecord[];
  /** The job the server returned for a raw record (every record was paged through in beforeAll). */
  const served = (r: RawJobRecord): Job => {
    const j = all.get(r.uniq_id);
    if (!j) throw new Error(`${r.uniq_id} was not served`);
    return j;
  };

  beforeAll(async () => {
    messy = jobs.filter(isMessy);
    const selection = await everyField('Job');
    all = new Map();
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const r: GqlResult = await stack.gql(
        `query($a: String) { jobs(filter: { includeExpired: true }, first: 100, after: $a) { totalCount pageInfo { hasNextPage endCursor } nodes { ${selection} } } }`,
        { a: after },
      );
      expect(r.body.errors, JSON.stringify(r.body.errors?.slice(0, 3))).toBeUndefined();
      const c = readData(r, PageSchema).jobs;
      for (const j of c.nodes) all.set(j.uniqId, j);
      if (!c.pageInfo.hasNextPage) break;
      after = c.pageInfo.endCursor;
    }
  });

  it('every field of every record, messy ones included: 0 errors, no record lost', () => {
    expect(messy.length).toBeGreaterThan(40);
    expect(all.size).toBe(jobs.length);
    for (const r of messy) expect(all.has(r.uniq_id), r.uniq_id).toBe(true);
  });

  it('text fields: placeholders and absent values are null, the rest as sent', () => {
    const map: [string, (j: Job) => unknown][] = [
      ['job_title', (j) => j.title],
      ['category', (j) => j.category],
      ['company_name', (j) => j.companyName],
      ['job_type', (j) => j.jobType],
      ['url', (j) => j.url],
      ['apply_url', (j) => j.applyUrl],
      ['job_board', (j) => j.jobBoard],
      ['inferred_job_title', (j) => j.normalizedTitle],
      ['state', (j) => j.location.state],
      ['country', (j) => j.location.country],
      ['inferred_state', (j) => j.location.inferredState],
      ['inferred_salary_currency', (j) => j.salary?.currency ?? null],
      ['salary_offered', (j) => j.salary?.offered ?? null],
    ];
    for (const r of jobs) {
      const j = served(r);
      for (const [field, get] of map) {
        const raw = r[field];
        const want = typeof raw === 'string' && !PLACEHOLDER.test(raw.trim()) ? raw.trim() : null;
        expect(get(j), `${r.uniq_id}.${field} = ${JSON.stringify(raw)}`).toBe(want);
      }
    }
  });

  it('numbers, booleans and dates arrive typed whether sent as values or strings', () => {
    const asNum = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : null);
    const asBool = (v: unknown) => (v === true || v === 'true' ? true : v === false || v === 'false' ? false : null);
    let strings = 0;
    for (const r of jobs) {
      const j = served(r);
      if (typeof r.inferred_salary_from === 'string' || typeof r.is_remote === 'string') strings++;
      expect(j.isRemote, r.uniq_id).toBe(asBool(r.is_remote));
      expect(j.hasExpired, r.uniq_id).toBe(asBool(r.has_expired));
      expect(j.salary?.from ?? null, r.uniq_id).toBe(asNum(r.inferred_salary_from));
      expect(j.salary?.to ?? null, r.uniq_id).toBe(asNum(r.inferred_salary_to));
      expect(j.minExperienceYears ?? null, r.uniq_id).toBe(asNum(r.inferred_min_experience));
      expect(j.postDate, r.uniq_id).toBe(typeof r.post_date === 'string' ? r.post_date : null);
      if (typeof r.crawl_timestamp === 'string') expect(j.crawledAt).toBe(`${r.crawl_timestamp.slice(0, 10)}T${r.crawl_timestamp.slice(11, 19)}+00:00`);
      else expect(j.crawledAt).toBeNull();
    }
    expect(strings).toBeGreaterThan(5);
  });

  it('skills and cities sent `|`-joined read as lists', () => {
    let joinedSkills = 0;
    let joinedCities = 0;
    for (const r of jobs) {
      const j = served(r);
      const skills = Array.isArray(r.inferred_skills) ? r.inferred_skills : typeof r.inferred_skills === 'string' ? r.inferred_skills.split('|') : [];
      if (typeof r.inferred_skills === 'string') joinedSkills++;
      expect(j.skills, r.uniq_id).toEqual(skills);
      if (typeof r.city === 'string' && r.city.includes('|')) {
        joinedCities++;
        expect(j.location.city).toBe(
          r.city
            .split('|')
            .filter((c) => !PLACEHOLDER.test(c))
            .join(', '),
        );
      }
    }
    expect(joinedSkills).toBeGreaterThan(3);
    expect(joinedCities).toBeGreaterThan(3);
  });

  it('seniority: labels map onto the enum, placeholders are null', () => {
    const label: Record<string, string> = { 'Entry Level': 'ENTRY', 'Mid Level': 'MID', 'Senior Level': 'SENIOR', 'Executive Level': 'EXECUTIVE' };
    for (const r of jobs) {
      expect(served(r).seniority, r.uniq_id).toBe(label[String(r.inferred_seniority_level)] ?? null);
    }
  });

  it('a record null but for its id and cursor: every field null, skills empty, salary null', () => {
    const nulls = jobs.filter((r) => r.job_title === null && r.company_name === null && r.url === null);
    expect(nulls.length).toBeGreaterThan(0);
    for (const r of nulls) {
      const j = served(r);
      expect(j.skills).toEqual([]);
      expect(j.salary).toBeNull();
      expect(Object.values(j.location).every((v) => v === null)).toBe(true);
      const { uniqId, id, skills, location, salary, ...rest } = j;
      expect(
        Object.values(rest).every((v) => v === null),
        JSON.stringify(rest),
      ).toBe(true);
    }
  });

  it('a real XML body from the upstream types exactly as its JSON does', async () => {
    const ids = messy.slice(0, 40).map((r) => r.uniq_id);
    const post = async (format?: string) => {
      const res = await request(`${stack.sandbox.url}/data`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', client_id: stack.sandbox.keys.sandbox.clientId, client_auth_key: stack.sandbox.keys.sandbox.authKey },
        body: JSON.stringify({ search_query_json: { terms: { uniq_id: ids } }, size: 40, ...(format ? { format } : {}) }),
      });
      return { type: String(res.headers['content-type']), text: await res.body.text() };
    };
    const xml = await post('xml');
    expect(xml.type).toMatch(/xml/);
    expect(xml.text).toMatch(/^<\?xml[^>]*\?><response>/);
    const fromXml = searchPage(EnvelopeSchema.parse(xmlToEnvelope(xml.text)));
    const fromJson = searchPage(EnvelopeSchema.parse(JSON.parse((await post()).text)));
    expect(fromXml.dropped).toBe(0);
    expect(fromXml.records).toHaveLength(ids.length);
    expect(fromXml).toEqual(fromJson);
  });
});

describe('error codes of upstream answers, via real requests', () => {
  const Q = '{ jobs(first: 2) { totalCount nodes { uniqId } } }';

  it('wrong keys in the headers: UNAUTHENTICATED', async () => {
    const r = await stack.gql(Q, undefined, { client_id: stack.sandbox.keys.sandbox.clientId, client_auth_key: 'wrong' });
    expect(code(r)).toBe('UNAUTHENTICATED');
    expect(r.body.data).toBeNull();
    expect(stack.sandbox.log.map((e) => e.status)).toEqual([401]);
    expect(JSON.stringify(r.body)).not.toContain('wrong');
  });

  it('wrong keys over HTTP Basic, and an unknown client id: UNAUTHENTICATED', async () => {
    const basic = `Basic ${Buffer.from(`${stack.sandbox.keys.sandbox.clientId}:nope`).toString('base64')}`;
    expect(code(await stack.gql(Q, undefined, { authorization: basic }))).toBe('UNAUTHENTICATED');
    expect(code(await stack.gql(Q, undefined, { client_id: 'someone_else', client_auth_key: 'k' }))).toBe('UNAUTHENTICATED');
  });

  it('half a key pair: UNAUTHENTICATED before any upstream call', async () => {
    const r = await stack.gql(Q, undefined, { client_id: stack.sandbox.keys.sandbox.clientId });
    expect(code(r)).toBe('UNAUTHENTICATED');
    expect(stack.sandbox.log).toHaveLength(0);
  });

  it('a 200 answer of the wrong shape: UPSTREAM_ERROR, nothing of it copied into the error', async () => {
    stack.sandbox.injectFault({ kind: 'malformed', endpoint: 'data', times: 1 });
    const r = await stack.gql('{ jobs(first: 3, filter: { category: "Sales" }) { totalCount } }');
    expect(code(r)).toBe('UPSTREAM_ERROR');
    expect(JSON.stringify(r.body)).not.toContain('oops');
    expect(stack.sandbox.log).toHaveLength(1);
  });

  it('a body cut off mid-JSON: UPSTREAM_ERROR', async () => {
    stack.sandbox.injectFault({ kind: 'truncated', endpoint: 'data', times: 1 });
    const r = await stack.gql('{ jobs(first: 4, filter: { category: "Sales" }) { totalCount } }');
    expect(code(r)).toBe('UPSTREAM_ERROR');
  });

  it('a failed field is null with its error; the rest of the response still arrives', async () => {
    stack.sandbox.injectFault({ kind: 'malformed', endpoint: 'data', times: 1 });
    // `job` is nullable (SURFACE.md); non-null roots such as `jobs` take `data` down with them, as GraphQL says.
    const r = await stack.gql(`{ job(uniqId: "${'e'.repeat(32)}") { uniqId } aggregate(field: CATEGORY, limit: 2) { key count } }`);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors?.[0]).toMatchObject({ path: ['job'], extensions: { code: 'UPSTREAM_ERROR' } });
    expect(r.body.data?.job).toBeNull();
    expect(r.body.data?.aggregate).toHaveLength(2);
  });
});
