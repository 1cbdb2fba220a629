import { badInput } from './errors.js';
import { MAX_FILTER_SKILLS, MAX_FILTER_TEXT } from './limits.js';
import { SENIORITY, type Seniority } from './upstream/records.js';

/**
 * The job filter as both sides see it: the schema's `JobFilter` input arrives in this shape, and the
 * upstream query (upstream/query-dsl.ts) is built from its normalised form.
 */
export interface JobFilterInput {
  keywords?: string | null | undefined;
  title?: string | null | undefined;
  company?: string | null | undefined;
  category?: string | null | undefined;
  city?: string | null | undefined;
  state?: string | null | undefined;
  country?: string | null | undefined;
  seniority?: readonly Seniority[] | null | undefined;
  jobType?: string | null | undefined;
  remote?: boolean | null | undefined;
  salary?: { min?: number | null | undefined; max?: number | null | undefined; currency?: string | null | undefined } | null | undefined;
  postedFrom?: string | null | undefined;
  postedTo?: string | null | undefined;
  skills?: readonly string[] | null | undefined;
  datasets?: readonly Dataset[] | null | undefined;
  excludeDuplicates?: boolean | null | undefined;
  includeExpired?: boolean | null | undefined;
}

export type Dataset = 'JOB_BOARD' | 'F500';

/** The search filter after validation and normalisation: what cache keys, cursors and the upstream query are built from. */
export interface NormalizedFilter {
  keywords?: string;
  title?: string;
  company?: string;
  category?: string;
  city?: string;
  state?: string;
  country?: string;
  seniority?: Seniority[];
  jobType?: string;
  remote?: boolean;
  salary?: { min?: number; max?: number; currency?: string };
  postedFrom?: string;
  postedTo?: string;
  skills?: string[];
  datasets?: Dataset[];
  excludeDuplicates?: boolean;
  includeExpired: boolean;
}

function cleanText(name: string, v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = v.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
  if (s.length > MAX_FILTER_TEXT) throw badInput(`filter.${name} is longer than ${MAX_FILTER_TEXT} characters`);
  return s || undefined;
}

const uniqSorted = <T extends string>(xs: readonly T[]): T[] => [...new Set(xs)].sort();

/**
 * Validate and normalise a filter at the edge. Equal meaning gives equal output (case, spacing and
 * list order don't matter), so cache keys and cursors don't split on them.
 */
export function normalizeFilter(f: JobFilterInput | null | undefined): NormalizedFilter {
  if (!f) return { includeExpired: false };
  const out: NormalizedFilter = { includeExpired: f.includeExpired ?? false };
  for (const name of ['keywords', 'title', 'company', 'category', 'city', 'state', 'country', 'jobType'] as const) {
    const v = cleanText(name, f[name]);
    if (v !== undefined) out[name] = v;
  }
  if (f.seniority?.length) out.seniority = uniqSorted(f.seniority.filter((s): s is Seniority => SENIORITY.includes(s)));
  if (f.datasets?.length) out.datasets = uniqSorted(f.datasets as Dataset[]);
  if (f.skills?.length) {
    if (f.skills.length > MAX_FILTER_SKILLS) throw badInput(`filter.skills takes at most ${MAX_FILTER_SKILLS} skills`);
    const skills = f.skills.map((s) => cleanText('skills', s)).filter((s): s is string => s !== undefined);
    if (skills.length) out.skills = uniqSorted(skills);
  }
  if (f.remote !== null && f.remote !== undefined) out.remote = f.remote;
  if (f.excludeDuplicates) out.excludeDuplicates = true;
  if (f.salary) {
    const { min, max, currency } = f.salary;
    for (const [k, v] of [
      ['min', min],
      ['max', max],
    ] as const) {
      if (v !== null && v !== undefined && (!Number.isFinite(v) || v < 0)) throw badInput(`filter.salary.${k} must be a number ≥ 0`);
    }
    if (min != null && max != null && min > max) throw badInput('filter.salary.min must not be greater than filter.salary.max');
    if (currency != null && !/^[A-Za-z]{3}$/.test(currency.trim())) throw badInput('filter.salary.currency must be an ISO 4217 code such as USD');
    const salary = { ...(min != null && { min }), ...(max != null && { max }), ...(currency != null && { currency: currency.trim().toUpperCase() }) };
    if (Object.keys(salary).length) out.salary = salary;
  }
  if (f.postedFrom) out.postedFrom = f.postedFrom;
  if (f.postedTo) out.postedTo = f.postedTo;
  if (out.postedFrom && out.postedTo && out.postedFrom > out.postedTo) throw badInput('filter.postedFrom must not be after filter.postedTo');
  return out;
}
