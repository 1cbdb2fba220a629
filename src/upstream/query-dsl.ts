import type { NormalizedFilter } from '../filter.js';
import { SENIORITY_LABEL } from './records.js';

/**
 * A quoted phrase of the literal text: no input can change the query's structure. Inside quotes only `"`
 * and the backslash mean anything, so only they are escaped: the query-string grammar has no escape for
 * `<`, `>` or `=`, and escaping every special character of CONTRACT §2 there makes the upstream answer 400.
 */
export const phrase = (text: string): string => `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export type Clause = Record<string, unknown>;

const text = (fields: string[], value: string): Clause =>
  fields.length === 1 ? { query_string: { default_field: fields[0], query: phrase(value) } } : { query_string: { fields, query: phrase(value) } };

/** The search_query_json for a filter (CONTRACT §2). Deterministic: equal filters give equal JSON. */
export function buildQuery(f: NormalizedFilter): Clause {
  const must: Clause[] = [];
  const mustNot: Clause[] = [];
  if (f.keywords) must.push(text(['job_title', 'job_description'], f.keywords));
  if (f.title) must.push(text(['job_title', 'inferred_job_title'], f.title));
  if (f.company) must.push(text(['company_name'], f.company));
  if (f.category) must.push(text(['category'], f.category));
  if (f.city) must.push(text(['city', 'inferred_city'], f.city));
  if (f.state) must.push(text(['state', 'inferred_state'], f.state));
  if (f.country) must.push(text(['country', 'inferred_country'], f.country));
  if (f.jobType) must.push(text(['job_type'], f.jobType));
  for (const skill of f.skills ?? []) must.push(text(['inferred_skills'], skill));
  if (f.seniority?.length) must.push({ terms: { inferred_seniority_level: f.seniority.map((s) => SENIORITY_LABEL[s]) } });
  if (f.remote !== undefined) must.push({ terms: { is_remote: [f.remote] } });
  // Overlap of [min, max] with the job's [from, to].
  if (f.salary?.min !== undefined) must.push({ range: { inferred_salary_to: { gte: f.salary.min } } });
  if (f.salary?.max !== undefined) must.push({ range: { inferred_salary_from: { lte: f.salary.max } } });
  if (f.salary?.currency) must.push({ terms: { inferred_salary_currency: [f.salary.currency] } });
  if (f.postedFrom || f.postedTo) {
    must.push({ range: { post_date: { ...(f.postedFrom && { gte: f.postedFrom }), ...(f.postedTo && { lte: f.postedTo }) } } });
  }
  if (!f.includeExpired) mustNot.push({ terms: { has_expired: [true] } });
  if (must.length === 0) must.push({ query_string: { default_field: 'job_title', query: '*' } });
  return { bool: { must, ...(mustNot.length ? { must_not: mustNot } : {}) } };
}

/** The `/data` body fields other than the query and paging (CONTRACT §2). */
export function searchOptions(f: NormalizedFilter): { dataset?: string[]; exclude_duplicates?: boolean } {
  return {
    ...(f.datasets?.length ? { dataset: f.datasets.map((d) => d.toLowerCase()) } : {}),
    ...(f.excludeDuplicates ? { exclude_duplicates: true } : {}),
  };
}
