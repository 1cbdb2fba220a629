import { builder } from '../builder.js';
import { badInput } from '../upstream/errors.js';
import type { Dataset, NormalizedFilter } from '../upstream/query-dsl.js';
import { SENIORITY, type Seniority } from '../upstream/records.js';
import { DateScalar } from './scalars.js';

/** Longest free-text filter value: far above any honest search, far below anything costly. */
const MAX_TEXT = 200;
const MAX_SKILLS = 20;

export const SeniorityLevel = builder.enumType('SeniorityLevel', {
  description: 'Seniority inferred by JobsPikr (`inferred_seniority_level`).',
  values: {
    ENTRY: { description: 'Entry Level' },
    MID: { description: 'Mid Level' },
    SENIOR: { description: 'Senior Level' },
    EXECUTIVE: { description: 'Executive Level' },
  } as const,
});

export const DatasetEnum = builder.enumType('Dataset', {
  description: 'JobsPikr data sets.',
  values: {
    JOB_BOARD: { description: 'Postings crawled from job boards.' },
    F500: { description: 'Postings from Fortune 500 career sites.' },
  } as const,
});

export const SalaryRange = builder.inputType('SalaryRange', {
  description: 'Matches jobs whose inferred salary range overlaps [min, max].',
  fields: (t) => ({
    min: t.float({ description: 'Lowest acceptable salary (inclusive).' }),
    max: t.float({ description: 'Highest acceptable salary (inclusive).' }),
    currency: t.string({ description: 'ISO 4217 code, e.g. USD.' }),
  }),
});

export const JobFilter = builder.inputType('JobFilter', {
  description: 'Job search filter. Text values are matched literally (as a phrase), case-insensitively; all given fields must match.',
  fields: (t) => ({
    keywords: t.string({ description: 'Full text over title and description.' }),
    title: t.string({ description: 'Phrase in the job title or the normalised title.' }),
    company: t.string({ description: 'Phrase in the company name.' }),
    category: t.string({ description: 'Phrase in the category.' }),
    city: t.string({ description: 'City as posted or as inferred.' }),
    state: t.string({ description: 'State as posted or as inferred.' }),
    country: t.string({ description: 'Country as posted or as inferred.' }),
    seniority: t.field({ type: [SeniorityLevel], description: 'Any of these seniority levels.' }),
    jobType: t.string({ description: 'Phrase in the job type, e.g. "Full Time".' }),
    remote: t.boolean({ description: 'Only remote (true) or only on-site (false) jobs.' }),
    salary: t.field({ type: SalaryRange, description: 'Inferred salary range overlapping this one.' }),
    postedFrom: t.field({ type: DateScalar, description: 'Posted on or after this date.' }),
    postedTo: t.field({ type: DateScalar, description: 'Posted on or before this date.' }),
    skills: t.stringList({ description: 'Every listed skill must be present.' }),
    datasets: t.field({ type: [DatasetEnum], description: 'Data sets to search (default: all).' }),
    excludeDuplicates: t.boolean({ description: 'Drop records JobsPikr marks as duplicates.' }),
    includeExpired: t.boolean({ defaultValue: false, description: 'Include jobs that have expired (default false).' }),
  }),
});

export type JobFilterInput = typeof JobFilter.$inferInput;

function cleanText(name: string, v: string | null | undefined): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = v.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
  if (s.length > MAX_TEXT) throw badInput(`filter.${name} is longer than ${MAX_TEXT} characters`);
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
    if (f.skills.length > MAX_SKILLS) throw badInput(`filter.skills takes at most ${MAX_SKILLS} skills`);
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
