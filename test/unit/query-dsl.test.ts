import fc from 'fast-check';
import lucene, { type AST, type Node } from 'lucene';
import { describe, expect, it } from 'vitest';
import { normalizeFilter, type JobFilterInput } from '../../src/filter.js';
import { AppError } from '../../src/errors.js';
import { buildQuery, phrase, searchOptions, type Clause } from '../../src/upstream/query-dsl.js';

const TEXT_FILTERS = ['keywords', 'title', 'company', 'category', 'city', 'state', 'country', 'jobType'] as const;

/** What normalizeFilter promises for free text: NFC, collapsed whitespace, trimmed, lowercase. */
const normalised = (s: string): string => s.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();

/** Every query_string clause of a search_query_json, depth first. */
function queryStrings(c: unknown): { fields: string[]; query: string }[] {
  if (Array.isArray(c)) return c.flatMap(queryStrings);
  if (!c || typeof c !== 'object') return [];
  const o = c as Record<string, unknown>;
  if (o.query_string) {
    const q = o.query_string as { default_field?: string; fields?: string[]; query: string };
    return [{ fields: q.fields ?? (q.default_field ? [q.default_field] : []), query: q.query }];
  }
  return Object.values(o).flatMap(queryStrings);
}

/** Lucene's reading of an escape: `\x` is the literal `x` (as the sandbox and Elasticsearch read it). */
const unescapeTerm = (term: string): string => term.replace(/\\([\s\S])/g, '$1');

/** The one quoted term a query parses into, or a description of why it is not exactly that. */
function singlePhrase(query: string): string {
  const ast: AST = lucene.parse(query);
  expect('right' in ast, `"${query}" parsed into more than one clause`).toBe(false);
  expect('operator' in ast && ast.operator !== undefined, `"${query}" has an operator`).toBe(false);
  expect('left' in ast).toBe(true);
  const left = (ast as { left: AST | Node }).left;
  expect('left' in left, `"${query}" nests a sub-query`).toBe(false);
  const term = left as Node & { term: string; quoted: boolean; prefix: string | null; field: string };
  expect(term.quoted).toBe(true);
  expect(term.field).toBe('<implicit>');
  expect(term.prefix ?? null).toBeNull();
  return unescapeTerm(term.term);
}

const must = (c: Clause): Clause[] => (c.bool as { must: Clause[] }).must;
const mustNot = (c: Clause): Clause[] | undefined => (c.bool as { must_not?: Clause[] }).must_not;

describe('escapeLucene / phrase', () => {
  it('quotes the text and escapes only what a quoted phrase gives a meaning to', () => {
    expect(phrase('C++ (senior) <b> = x*')).toBe('"C++ (senior) <b> = x*"');
    expect(phrase('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    for (const s of ['<', '>', '=', 'a<=b', '+-=&|><!(){}[]^"~*?:\\/']) expect(singlePhrase(phrase(s))).toBe(s);
  });

  it('turns a hostile filter into one literal phrase', () => {
    const q = phrase(normalised('C++ (senior) AND "x" OR title:*'));
    expect(singlePhrase(q)).toBe('c++ (senior) and "x" or title:*');
  });

  it('property: any text through any text filter parses into exactly one quoted term equal to the normalised input', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.array(fc.constantFrom(...'+-=&|><!(){}[]^"~*?:\\/ AND OR NOT title: a\t\n'.split('')), { maxLength: 40 }).map((cs) => cs.join('')),
      fc
        .array(fc.constantFrom('AND', 'OR', 'NOT', '&&', '||', '"', '\\', '*', '?', 'x:', '(', ')', ' ', '\\"', 'TO', '[', ']', '~2', '^3', '/re/'), {
          maxLength: 12,
        })
        .map((ws) => ws.join(' ')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...TEXT_FILTERS), text, (name, value) => {
        const expected = normalised(value);
        let filter: ReturnType<typeof normalizeFilter>;
        try {
          filter = normalizeFilter({ [name]: value });
        } catch (e) {
          // Only over-long text is refused, and as a user-input error.
          expect(e).toBeInstanceOf(AppError);
          expect(expected.length).toBeGreaterThan(200);
          return;
        }
        const clauses = queryStrings(buildQuery(filter));
        if (expected === '') {
          // Blank text is no filter at all: the match-all clause stands alone.
          expect(clauses).toEqual([{ fields: ['job_title'], query: '*' }]);
          return;
        }
        expect(clauses).toHaveLength(1);
        expect(singlePhrase(clauses[0]?.query ?? '')).toBe(expected);
      }),
      { numRuns: 1500 },
    );
  });

  it('property: every skill becomes its own single phrase', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 1, maxLength: 20 }), (skills) => {
        const expected = [...new Set(skills.map(normalised).filter((s) => s !== ''))].sort();
        const clauses = queryStrings(buildQuery(normalizeFilter({ skills })));
        const skillClauses = clauses.filter((c) => c.fields.includes('inferred_skills'));
        expect(skillClauses.map((c) => singlePhrase(c.query))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });
});

describe('buildQuery', () => {
  const q = (f: JobFilterInput) => buildQuery(normalizeFilter(f));

  it('no filter: match all, expired excluded', () => {
    expect(q({})).toEqual({
      bool: { must: [{ query_string: { default_field: 'job_title', query: '*' } }], must_not: [{ terms: { has_expired: [true] } }] },
    });
    expect(buildQuery(normalizeFilter(null))).toEqual(q({}));
    expect(mustNot(q({ includeExpired: true }))).toBeUndefined();
    expect(mustNot(q({ includeExpired: false }))).toEqual([{ terms: { has_expired: [true] } }]);
  });

  it('maps each text filter onto its contract fields, raw and inferred', () => {
    const fields = (f: JobFilterInput) => queryStrings(buildQuery(normalizeFilter(f))).map((c) => c.fields);
    expect(fields({ keywords: 'x' })).toEqual([['job_title', 'job_description']]);
    expect(fields({ title: 'x' })).toEqual([['job_title', 'inferred_job_title']]);
    expect(fields({ company: 'x' })).toEqual([['company_name']]);
    expect(fields({ category: 'x' })).toEqual([['category']]);
    expect(fields({ city: 'x' })).toEqual([['city', 'inferred_city']]);
    expect(fields({ state: 'x' })).toEqual([['state', 'inferred_state']]);
    expect(fields({ country: 'x' })).toEqual([['country', 'inferred_country']]);
    expect(fields({ jobType: 'x' })).toEqual([['job_type']]);
    expect(fields({ skills: ['b', 'a'] })).toEqual([['inferred_skills'], ['inferred_skills']]);
  });

  it('seniority, remote, salary overlap, currency, dates', () => {
    expect(must(q({ seniority: ['SENIOR', 'MID', 'MID'] }))).toEqual([{ terms: { inferred_seniority_level: ['Mid Level', 'Senior Level'] } }]);
    expect(must(q({ remote: false }))).toEqual([{ terms: { is_remote: [false] } }]);
    expect(must(q({ salary: { min: 80000, max: 100000, currency: ' usd ' } }))).toEqual([
      { range: { inferred_salary_to: { gte: 80000 } } },
      { range: { inferred_salary_from: { lte: 100000 } } },
      { terms: { inferred_salary_currency: ['USD'] } },
    ]);
    expect(must(q({ salary: { min: 0 } }))).toEqual([{ range: { inferred_salary_to: { gte: 0 } } }]);
    expect(must(q({ postedFrom: '2025-01-01' }))).toEqual([{ range: { post_date: { gte: '2025-01-01' } } }]);
    expect(must(q({ postedFrom: '2025-01-01', postedTo: '2025-01-31' }))).toEqual([{ range: { post_date: { gte: '2025-01-01', lte: '2025-01-31' } } }]);
  });

  it('equal meaning gives equal JSON (case, spacing, order, duplicates)', () => {
    const a = q({ title: '  Software   Engineer ', skills: ['Go', 'python', 'go'], seniority: ['SENIOR', 'MID'], datasets: ['F500', 'JOB_BOARD'] });
    const b = q({ datasets: ['JOB_BOARD', 'F500'], seniority: ['MID', 'SENIOR'], skills: ['Python', 'GO'], title: 'software engineer' });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('searchOptions: datasets and exclude_duplicates', () => {
    expect(searchOptions(normalizeFilter({}))).toEqual({});
    expect(searchOptions(normalizeFilter({ datasets: ['F500', 'JOB_BOARD'], excludeDuplicates: true }))).toEqual({
      dataset: ['f500', 'job_board'],
      exclude_duplicates: true,
    });
    expect(searchOptions(normalizeFilter({ excludeDuplicates: false }))).toEqual({});
  });
});

describe('normalizeFilter validation', () => {
  const code = (f: JobFilterInput): string | undefined => {
    try {
      normalizeFilter(f);
      return undefined;
    } catch (e) {
      return e instanceof AppError ? e.code : 'not an AppError';
    }
  };

  it('refuses nonsense with BAD_USER_INPUT', () => {
    expect(code({ salary: { min: 100, max: 10 } })).toBe('BAD_USER_INPUT');
    expect(code({ salary: { min: -1 } })).toBe('BAD_USER_INPUT');
    expect(code({ salary: { max: Number.POSITIVE_INFINITY } })).toBe('BAD_USER_INPUT');
    expect(code({ salary: { currency: 'dollars' } })).toBe('BAD_USER_INPUT');
    expect(code({ postedFrom: '2025-02-01', postedTo: '2025-01-01' })).toBe('BAD_USER_INPUT');
    expect(code({ title: 'x'.repeat(201) })).toBe('BAD_USER_INPUT');
    expect(code({ skills: Array.from({ length: 21 }, (_, i) => `s${i}`) })).toBe('BAD_USER_INPUT');
  });

  it('accepts the edges', () => {
    expect(code({ salary: { min: 5, max: 5 } })).toBeUndefined();
    expect(code({ postedFrom: '2025-01-01', postedTo: '2025-01-01' })).toBeUndefined();
    expect(code({ title: 'x'.repeat(200) })).toBeUndefined();
    expect(normalizeFilter({ title: '   ', skills: ['  '], salary: {} })).toEqual({ includeExpired: false });
  });
});
