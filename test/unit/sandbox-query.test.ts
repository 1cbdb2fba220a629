import { describe, expect, it } from 'vitest';
import type { RawJobRecord } from '../../src/sandbox/data.js';
import { JobIndex } from '../../src/sandbox/job-index.js';
import { evaluateQuery } from '../../src/sandbox/query.js';
import { QueryError } from '../../src/sandbox/query-error.js';

const records: RawJobRecord[] = [
  {
    uniq_id: 'a0',
    job_title: 'Senior Software Engineer',
    city: 'San Francisco',
    inferred_skills: ['C++', 'Go'],
    inferred_salary_from: 90000,
    post_date: '2025-01-10',
    crawl_timestamp: '2025-01-12 10:00:00 +0000',
    is_remote: true,
    job_description: 'Build C++ services. Software engineering at scale.',
  },
  {
    uniq_id: 'a1',
    job_title: 'Registered Nurse',
    city: 'San Jose|Santa Clara',
    inferred_skills: 'Patient Care|BLS',
    inferred_salary_from: '14.00',
    post_date: '2025-02-01',
    crawl_timestamp: '2025-02-03 08:00:00 +0000',
    is_remote: 'false',
    job_description: 'Care for patients (night shift).',
  },
  {
    uniq_id: 'a2',
    job_title: 'Data Engineer',
    city: 'London',
    inferred_skills: ['Python', 'C#'],
    inferred_salary_from: null,
    post_date: 'Unspecified',
    crawl_timestamp: '2025-03-01 00:00:00 +0000',
    is_remote: 'true',
    job_description: 'Pipelines in Python; engineer mindset.',
  },
  { uniq_id: 'a3', job_title: null, city: 'na', inferred_skills: [], contact_email: '', job_description: 'Software engineer wanted: C++/Java. Cost: 5+ years' },
  {
    uniq_id: 'a4',
    job_title: 'Software Engineering Manager',
    city: 'Toronto',
    inferred_salary_from: 120000,
    post_date: '2025-01-31',
    is_remote: false,
    job_description: 'Lead a team of software engineers.',
  },
];
const index = new JobIndex(records);

/** uniq_ids matched by a search_query_json clause, in record order. */
function ids(query: unknown): string[] {
  const bits = evaluateQuery(index, query);
  return records.filter((_, i) => bits[i] === 1).map((r) => r.uniq_id);
}
const qs = (query: string, field?: string | string[]): unknown => ({
  query_string: field === undefined ? { query } : Array.isArray(field) ? { fields: field, query } : { default_field: field, query },
});

describe('sandbox query_string', () => {
  it('matches unquoted terms as whole tokens, case-insensitively', () => {
    expect(ids(qs('ENGINEER', 'job_title'))).toEqual(['a0', 'a2']);
    expect(ids(qs('engineering', 'job_title'))).toEqual(['a4']);
  });

  it('matches quoted phrases as contiguous tokens within one value', () => {
    expect(ids(qs('"software engineer"', 'job_title'))).toEqual(['a0']);
    expect(ids(qs('"software engineer"', 'job_description'))).toEqual(['a3']);
    expect(ids(qs('"patient care"', 'inferred_skills'))).toEqual(['a1']);
    expect(ids(qs('"care bls"', 'inferred_skills'))).toEqual(['a1']); // a `|`-joined string is one value
    expect(ids(qs('"c++ go"', 'inferred_skills'))).toEqual([]); // array elements are separate values
  });

  it('supports * and ? wildcards against tokens and whole values', () => {
    expect(ids(qs('soft*', 'job_title'))).toEqual(['a0', 'a4']);
    expect(ids(qs('San*', 'city'))).toEqual(['a0', 'a1']);
    expect(ids(qs('san\\ f*', 'city'))).toEqual(['a0']); // an escaped space keeps one term: whole-value match
    expect(ids(qs('"San Jose|Santa Clara"', 'city'))).toEqual(['a1']);
    expect(ids(qs('Lo?don', 'city'))).toEqual(['a2']);
    expect(ids(qs('*', 'job_title'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(ids(qs('job_title:*'))).toEqual(['a0', 'a1', 'a2', 'a4']);
  });

  it('unescapes backslash escapes so special characters match literally', () => {
    expect(ids(qs('C\\+\\+', 'inferred_skills'))).toEqual(['a0']);
    expect(ids(qs('C\\#', 'inferred_skills'))).toEqual(['a2']);
    expect(ids(qs('C\\+\\+', 'job_description'))).toEqual(['a0', 'a3']);
    expect(ids(qs('5\\+', 'job_description'))).toEqual(['a3']);
    expect(ids(qs('C\\+\\+\\/Java', 'job_description'))).toEqual(['a3']);
    expect(ids(qs('\\(night', 'job_description'))).toEqual(['a1']);
  });

  it('follows Lucene boolean semantics with default operator OR', () => {
    expect(ids(qs('nurse london', ['job_title', 'city']))).toEqual(['a1', 'a2']);
    expect(ids(qs('nurse OR london', ['job_title', 'city']))).toEqual(['a1', 'a2']);
    expect(ids(qs('software AND senior', 'job_title'))).toEqual(['a0']);
    expect(ids(qs('software AND NOT senior', 'job_title'))).toEqual(['a4']);
    expect(ids(qs('software -senior', 'job_title'))).toEqual(['a4']);
    expect(ids(qs('+software manager', 'job_title'))).toEqual(['a0', 'a4']);
    expect(ids(qs('NOT software', 'job_title'))).toEqual(['a1', 'a2', 'a3']);
    expect(ids(qs('(nurse OR data) AND NOT engineer', 'job_title'))).toEqual(['a1']);
    // Lucene has no precedence: a AND b OR c makes a and b required and c optional.
    expect(ids(qs('software AND senior OR nurse', 'job_title'))).toEqual(['a0']);
  });

  it('honours fielded terms, field groups and ranges inside the query', () => {
    expect(ids(qs('job_title:nurse OR city:toronto', 'job_description'))).toEqual(['a1', 'a4']);
    expect(ids(qs('city:(london OR toronto)'))).toEqual(['a2', 'a4']);
    expect(ids(qs('inferred_salary_from:[10 TO 90000]'))).toEqual(['a0', 'a1']);
    expect(ids(qs('inferred_salary_from:{14 TO *]'))).toEqual(['a0', 'a4']);
    expect(ids(qs('post_date:[2025-01-10 TO 2025-01-31]'))).toEqual(['a0', 'a4']);
    expect(ids(qs('_exists_:contact_email'))).toEqual([]);
    expect(ids(qs('is_remote:true'))).toEqual(['a0', 'a2']);
  });

  it('searches every field when no field is given', () => {
    expect(ids(qs('toronto'))).toEqual(['a4']);
    expect(ids(qs('*'))).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(ids(qs(''))).toEqual([]);
  });

  it('rejects what the parser rejects and unsupported features', () => {
    for (const query of ['(nurse', '"open', 'title:', 'AND', '/reg/', 'nurse~', '"a b"~2']) {
      expect(() => ids(qs(query, 'job_title')), query).toThrow(QueryError);
    }
    expect(() => ids(qs('[1 TO 2]'))).toThrow(/range in a query string needs a field/);
  });
});

describe('sandbox range, exists, terms and bool', () => {
  it('compares numbers, coercing numeric strings, and skips missing values', () => {
    expect(ids({ range: { inferred_salary_from: { gte: 14 } } })).toEqual(['a0', 'a1', 'a4']);
    expect(ids({ range: { inferred_salary_from: { gt: '14', lt: 100000 } } })).toEqual(['a0']);
  });

  it('compares dates as YYYY-MM-DD, crawl_timestamp by its date part', () => {
    expect(ids({ range: { post_date: { gte: '2025-01-10', lte: '2025-01-31' } } })).toEqual(['a0', 'a4']);
    expect(ids({ range: { crawl_timestamp: { lte: '2025-02-03' } } })).toEqual(['a0', 'a1']);
    expect(ids({ range: { crawl_timestamp: { gt: '2025-02-03' } } })).toEqual(['a2']);
  });

  it('exists means present, not null and not empty', () => {
    expect(ids({ exists: { field: 'job_title' } })).toEqual(['a0', 'a1', 'a2', 'a4']);
    expect(ids({ exists: { field: 'inferred_skills' } })).toEqual(['a0', 'a1', 'a2']);
    expect(ids({ exists: { field: 'contact_email' } })).toEqual([]);
  });

  it('terms matches exact values, booleans as true or "true", any array element', () => {
    expect(ids({ terms: { uniq_id: ['a3', 'a1', 'zz'] } })).toEqual(['a1', 'a3']);
    expect(ids({ terms: { is_remote: [true] } })).toEqual(['a0', 'a2']);
    expect(ids({ terms: { is_remote: ['false'] } })).toEqual(['a1', 'a4']);
    expect(ids({ terms: { inferred_skills: ['Go'] } })).toEqual(['a0']);
    expect(ids({ terms: { city: ['london'] } })).toEqual([]);
    expect(ids({ terms: { inferred_salary_from: [14] } })).toEqual(['a1']);
  });

  it('nests bool must / should / must_not with Elasticsearch semantics', () => {
    const engineer = qs('engineer*', 'job_title');
    expect(ids({ bool: { should: [qs('nurse', 'job_title'), qs('london', 'city')] } })).toEqual(['a1', 'a2']);
    expect(ids({ bool: { must: [engineer], should: [qs('london', 'city')] } })).toEqual(['a0', 'a2', 'a4']);
    expect(ids({ bool: { must: engineer, must_not: [{ bool: { should: [qs('london', 'city'), qs('toronto', 'city')] } }] } })).toEqual(['a0']);
    expect(ids({ bool: { must_not: { exists: { field: 'job_title' } } } })).toEqual(['a3']);
    expect(ids({ bool: {} })).toEqual(['a0', 'a1', 'a2', 'a3', 'a4']);
  });

  it('rejects anything outside the contract subset with a message naming the place', () => {
    const cases: [unknown, RegExp][] = [
      [{ match: { job_title: 'x' } }, /unsupported clause "match"/],
      [{ bool: { filter: [] } }, /unsupported key "filter"/],
      [{ bool: { must: [{ term: { a: 1 } }] } }, /bool\.must\[0\]: unsupported clause "term"/],
      [{ query_string: { query: 1 } }, /query must be a string/],
      [{ query_string: { query: 'x', default_field: 'a', fields: ['b'] } }, /not both/],
      [{ query_string: { query: 'x', fields: [] } }, /fields must be a non-empty array/],
      [{ query_string: { query: 'x', default_operator: 'AND' } }, /unsupported key "default_operator"/],
      [{ range: { post_date: { from: '2025-01-01' } } }, /unsupported key "from"/],
      [{ range: { post_date: { gte: 'yesterday' } } }, /numbers or all be YYYY-MM-DD/],
      [{ range: { post_date: {} } }, /at least one/],
      [{ range: { a: { gte: 1 }, b: { gte: 1 } } }, /exactly one field/],
      [{ exists: { name: 'x' } }, /exists must be/],
      [{ terms: { uniq_id: 'a0' } }, /must be an array/],
      [{ terms: { uniq_id: Array.from({ length: 101 }, (_, i) => `id${i}`) } }, /at most 100/],
      [{ bool: {}, exists: { field: 'x' } }, /exactly one clause/],
      [[], /must be an object/],
    ];
    for (const [query, message] of cases) expect(() => ids(query), JSON.stringify(query)).toThrow(message);
  });
});
