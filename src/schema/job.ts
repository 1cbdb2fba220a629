import type { GraphQLResolveInfo } from 'graphql';
import { builder } from '../builder.js';
import type { Context } from '../context.js';
import { isUniqId, type JobRecord } from '../upstream/records.js';
import { DateScalar, DateTimeScalar } from './scalars.js';
import { SeniorityLevel } from './inputs.js';
import { CREDITS_PER_JOB } from './cost.js';

export const Location = builder.objectRef<JobRecord['location']>('Location').implement({
  description: 'Where a job is: as posted, and as inferred by JobsPikr. `|`-joined upstream values read as a comma list.',
  fields: (t) => ({
    city: t.exposeString('city', { description: 'City as posted.' }),
    state: t.exposeString('state', { description: 'State or region as posted.' }),
    country: t.exposeString('country', { description: 'Country as posted.' }),
    inferredCity: t.exposeString('inferredCity', { description: 'City inferred by JobsPikr.' }),
    inferredState: t.exposeString('inferredState', { description: 'State inferred by JobsPikr.' }),
    inferredCountry: t.exposeString('inferredCountry', { description: 'Country inferred by JobsPikr.' }),
  }),
});

export const Salary = builder.objectRef<JobRecord['salary']>('Salary').implement({
  description: 'Pay as posted, and the range JobsPikr inferred from it.',
  fields: (t) => ({
    offered: t.exposeString('offered', { description: 'Salary text as posted, e.g. "$80,000 - $100,000 a year".' }),
    from: t.exposeFloat('from', { description: 'Inferred lower bound.' }),
    to: t.exposeFloat('to', { description: 'Inferred upper bound.' }),
    currency: t.exposeString('currency', { description: 'ISO 4217 currency of the inferred range.' }),
    timeUnit: t.exposeString('timeUnit', { description: 'yearly, monthly, weekly, daily or hourly.' }),
    estimated: t.exposeBoolean('estimated', { description: 'True when JobsPikr estimated the range rather than read it.' }),
  }),
});

/**
 * A job through the request's batching loader; an id that cannot exist costs no upstream call.
 * `info` (and the list index) name the field, should the record be answered stale.
 */
export async function loadJob(ctx: Context, id: string, info?: Pick<GraphQLResolveInfo, 'path'>, index?: number): Promise<JobRecord | null> {
  if (!isUniqId(id)) return null;
  const job = await ctx.jobLoader.load(id);
  if (info) ctx.usage.stale.at(job, info, index);
  return job;
}

export const isJobRecord = (v: unknown): v is JobRecord => typeof v === 'object' && v !== null && 'companyName' in v && 'uniqId' in v;

export const Job = builder.node(builder.objectRef<JobRecord>('Job'), {
  description: 'A job posting from JobsPikr (`/v2/data`), keyed by its `uniq_id`.',
  id: { resolve: (j) => j.uniqId },
  isTypeOf: isJobRecord,
  // Its price for a gateway's demand control: every job a response holds was bought (CONTRACT §2).
  directives: { cost: { weight: CREDITS_PER_JOB } },
  loadMany: (ids, ctx) => ids.map((id) => loadJob(ctx, id)),
  fields: (t) => ({
    uniqId: t.exposeString('uniqId', { nullable: false, description: 'JobsPikr `uniq_id` (32 hex characters).' }),
    url: t.exposeString('url', { description: 'Where the posting was found.' }),
    title: t.exposeString('title', { description: 'Title as posted.' }),
    normalizedTitle: t.exposeString('normalizedTitle', { description: 'Title normalised by JobsPikr (`inferred_job_title`).' }),
    category: t.exposeString('category', { description: 'Job category.' }),
    companyName: t.exposeString('companyName', { description: 'Hiring company.' }),
    companyType: t.exposeString('companyType', { description: '`company` or `agency`, as inferred.' }),
    description: t.exposeString('description', { description: 'Plain-text description.' }),
    htmlDescription: t.exposeString('htmlDescription', { description: 'Description as HTML, as crawled (not sanitised).' }),
    jobType: t.exposeString('jobType', { description: 'Job type as posted, e.g. "Full Time".' }),
    jobBoard: t.exposeString('jobBoard', { description: 'Source board slug, e.g. `indeed`.' }),
    postDate: t.field({ type: DateScalar, resolve: (j) => j.postDate, description: 'Date posted.' }),
    crawledAt: t.field({ type: DateTimeScalar, resolve: (j) => j.crawledAt, description: 'When JobsPikr crawled it.' }),
    validThrough: t.field({ type: DateScalar, resolve: (j) => j.validThrough, description: 'Posting valid until.' }),
    hasExpired: t.exposeBoolean('hasExpired', { description: 'Whether JobsPikr has seen the posting expire.' }),
    lastExpiryCheck: t.field({ type: DateScalar, resolve: (j) => j.lastExpiryCheck, description: 'When expiry was last checked.' }),
    isDuplicate: t.exposeBoolean('isDuplicate', { description: 'Whether JobsPikr marks this record a duplicate of another.' }),
    isRemote: t.exposeBoolean('isRemote', { description: 'Remote job.' }),
    seniority: t.field({ type: SeniorityLevel, resolve: (j) => j.seniority, description: 'Inferred seniority.' }),
    skills: t.exposeStringList('skills', { nullable: false, description: 'Inferred skills (empty when none).' }),
    minExperienceYears: t.exposeFloat('minExperienceYears', { description: 'Inferred minimum experience, years.' }),
    maxExperienceYears: t.exposeFloat('maxExperienceYears', { description: 'Inferred maximum experience, years.' }),
    location: t.field({ type: Location, nullable: false, resolve: (j) => j.location, description: 'Where the job is.' }),
    salary: t.field({
      type: Salary,
      description: 'Pay, when anything about it is known.',
      resolve: (j) => (Object.values(j.salary).some((v) => v !== null) ? j.salary : null),
    }),
    applyUrl: t.exposeString('applyUrl', { description: 'Where to apply.' }),
    contactEmail: t.exposeString('contactEmail', { description: 'Contact e-mail, when posted.' }),
    contactPhone: t.exposeString('contactPhone', { description: 'Contact phone number, when posted.' }),
  }),
});
