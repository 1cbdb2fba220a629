import { builder } from '../builder.js';
import type { JobFilterInput } from '../filter.js';
import { DateScalar } from './scalars.js';

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

// The schema's input must stay readable by the shared normaliser (a compile error here when it is not).
const _fits: (f: typeof JobFilter.$inferInput) => JobFilterInput = (f) => f;
void _fits;
