import type { RawJobRecord } from '../../src/sandbox/data.js';
import { tokenize } from '../../src/sandbox/text.js';
import { F500_COMPANIES } from '../../src/sandbox/vocab-places.js';
import type { JobFilter } from '../generated/graphql.js';

// What a JobFilter means, applied to the sandbox's raw records: the oracle search tests compare the
// server's answers with. Written from SURFACE.md and the contract, not from the server's query builder.

const texts = (v: unknown): string[] =>
  v === null || v === undefined
    ? []
    : Array.isArray(v)
      ? v.flatMap(texts)
      : typeof v === 'string'
        ? [v]
        : typeof v === 'number' || typeof v === 'boolean'
          ? [String(v)]
          : [];
const form = (s: string): string => ` ${tokenize(s).join(' ')} `;
/** The phrase's words appear contiguously, case-insensitively, in one value of one of the fields. */
const hasPhrase = (r: RawJobRecord, fields: string[], phrase: string): boolean => {
  const needle = form(phrase);
  return needle.trim() !== '' && fields.some((f) => texts(r[f]).some((t) => form(t).includes(needle)));
};
const skillsOf = (r: RawJobRecord): string[] => (typeof r.inferred_skills === 'string' ? r.inferred_skills.split('|') : texts(r.inferred_skills));
/** A flag the contract allows as a boolean or as its string. */
export const isTrue = (v: unknown): boolean => v === true || v === 'true';
const isFalse = (v: unknown): boolean => v === false || v === 'false';
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Number.NaN);
const day = (v: unknown): string | null => (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? v.slice(0, 10) : null);
const LABEL: Record<string, string> = { ENTRY: 'Entry Level', MID: 'Mid Level', SENIOR: 'Senior Level', EXECUTIVE: 'Executive Level' };
const F500 = new Set(F500_COMPANIES);

const TEXT_FIELDS: [keyof JobFilter, string[]][] = [
  ['keywords', ['job_title', 'job_description']],
  ['title', ['job_title', 'inferred_job_title']],
  ['company', ['company_name']],
  ['category', ['category']],
  ['city', ['city', 'inferred_city']],
  ['state', ['state', 'inferred_state']],
  ['country', ['country', 'inferred_country']],
  ['jobType', ['job_type']],
];

/** Whether a raw record is one the filter selects. */
export function matches(r: RawJobRecord, f: JobFilter): boolean {
  for (const [name, fields] of TEXT_FIELDS) {
    const v = f[name];
    if (typeof v === 'string' && !hasPhrase(r, fields, v)) return false;
  }
  if (f.seniority && !f.seniority.map((s) => LABEL[s]).includes(String(r.inferred_seniority_level))) return false;
  if (f.remote === true && !isTrue(r.is_remote)) return false;
  if (f.remote === false && !isFalse(r.is_remote)) return false;
  const { min, max, currency } = f.salary ?? {};
  if (typeof min === 'number' && !(num(r.inferred_salary_to) >= min)) return false;
  if (typeof max === 'number' && !(num(r.inferred_salary_from) <= max)) return false;
  if (typeof currency === 'string' && r.inferred_salary_currency !== currency.toUpperCase()) return false;
  const posted = day(r.post_date);
  if (f.postedFrom && !(posted !== null && posted >= f.postedFrom)) return false;
  if (f.postedTo && !(posted !== null && posted <= f.postedTo)) return false;
  for (const skill of f.skills ?? []) if (!skillsOf(r).some((s) => form(s).includes(form(skill)))) return false;
  if (f.datasets && f.datasets.length === 1 && (f.datasets[0] === 'F500') !== F500.has(String(r.company_name))) return false;
  if (f.excludeDuplicates && r.duplicate_status === 'true') return false;
  if (!f.includeExpired && isTrue(r.has_expired)) return false;
  return true;
}

/** The uniq_ids a filter selects, in the upstream's order. */
export const selectedIds = (jobs: readonly RawJobRecord[], f: JobFilter): string[] => jobs.filter((r) => matches(r, f)).map((r) => r.uniq_id);
