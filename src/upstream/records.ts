import { z } from 'zod';
import { int, toBool, toCursor, toDate, toDateTime, toList, toNumber, toPlace, toText } from './coerce.js';

export const SENIORITY = ['ENTRY', 'MID', 'SENIOR', 'EXECUTIVE'] as const;
export type Seniority = (typeof SENIORITY)[number];

/** Upstream seniority labels (CONTRACT §2) keyed by our enum. */
export const SENIORITY_LABEL: Record<Seniority, string> = {
  ENTRY: 'Entry Level',
  MID: 'Mid Level',
  SENIOR: 'Senior Level',
  EXECUTIVE: 'Executive Level',
};

/** `Senior Level`, `senior_level`, `SENIOR` ... → the enum; anything else is null. */
export function toSeniority(v: unknown): Seniority | null {
  if (typeof v !== 'string') return null;
  const word = v
    .trim()
    .toLowerCase()
    .split(/[\s_-]+/)[0];
  return SENIORITY.find((s) => s.toLowerCase() === word) ?? null;
}

/** A JobsPikr uniq_id: 32 hexadecimal digits (the one place this rule is written). */
const UNIQ_ID = /^[0-9a-fA-F]{32}$/;

/** Whether `id` is a uniq_id as this server writes them (lower-case). */
export const isUniqId = (id: string): boolean => UNIQ_ID.test(id) && id === id.toLowerCase();

/** A uniq_id as text (32 hex digits, lower-cased); null when the value is anything else. */
export function toUniqId(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  const s = v.trim();
  return UNIQ_ID.test(s) ? s.toLowerCase() : null;
}

type Raw = Record<string, unknown>;
const asObject = (v: unknown): Raw | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Raw) : null);

/** A job record as typed for the schema; every field but `uniqId` may be null. */
export interface JobRecord {
  uniqId: string;
  cursor: string | null;
  crawledAt: string | null;
  url: string | null;
  title: string | null;
  normalizedTitle: string | null;
  category: string | null;
  companyName: string | null;
  description: string | null;
  htmlDescription: string | null;
  jobType: string | null;
  jobBoard: string | null;
  postDate: string | null;
  validThrough: string | null;
  hasExpired: boolean | null;
  lastExpiryCheck: string | null;
  isDuplicate: boolean | null;
  isRemote: boolean | null;
  seniority: Seniority | null;
  skills: string[];
  companyType: string | null;
  minExperienceYears: number | null;
  maxExperienceYears: number | null;
  contactEmail: string | null;
  contactPhone: string | null;
  applyUrl: string | null;
  geo: string | null;
  location: {
    city: string | null;
    state: string | null;
    country: string | null;
    inferredCity: string | null;
    inferredState: string | null;
    inferredCountry: string | null;
  };
  salary: {
    offered: string | null;
    from: number | null;
    to: number | null;
    currency: string | null;
    timeUnit: string | null;
    estimated: boolean | null;
  };
}

/**
 * Read one upstream job record (CONTRACT §2); null when it has no readable uniq_id (it is dropped
 * and counted). Unknown fields are ignored. Plain code rather than a zod object: it runs for every
 * record bought, and a schema of 40 transforms cost more than the rest of a search together.
 */
export function readJobRecord(v: unknown): JobRecord | null {
  const r = asObject(v);
  const uniqId = r && toUniqId(r.uniq_id);
  if (!r || uniqId === null) return null;
  const duplicate = toText(r.duplicate_status);
  return {
    uniqId,
    cursor: toCursor(r.cursor),
    crawledAt: toDateTime(r.crawl_timestamp),
    url: toText(r.url),
    title: toText(r.job_title),
    normalizedTitle: toText(r.inferred_job_title),
    category: toText(r.category),
    companyName: toText(r.company_name),
    description: toText(r.job_description),
    htmlDescription: toText(r.html_job_description),
    jobType: toText(r.job_type),
    jobBoard: toText(r.job_board),
    postDate: toDate(r.post_date),
    validThrough: toDate(r.valid_through),
    hasExpired: toBool(r.has_expired),
    lastExpiryCheck: toDate(r.latest_expiry_check_date),
    isDuplicate: duplicate === null ? null : duplicate.toLowerCase() === 'true',
    isRemote: toBool(r.is_remote),
    seniority: toSeniority(r.inferred_seniority_level),
    skills: toList(r.inferred_skills),
    companyType: toText(r.inferred_company_type),
    minExperienceYears: toNumber(r.inferred_min_experience),
    maxExperienceYears: toNumber(r.inferred_max_experience),
    contactEmail: toText(r.contact_email),
    contactPhone: toText(r.contact_phone_number),
    applyUrl: toText(r.apply_url),
    geo: toText(r.geo),
    location: {
      city: toPlace(r.city),
      state: toPlace(r.state),
      country: toPlace(r.country),
      inferredCity: toPlace(r.inferred_city),
      inferredState: toPlace(r.inferred_state),
      inferredCountry: toPlace(r.inferred_country),
    },
    salary: {
      offered: toText(r.salary_offered),
      from: toNumber(r.inferred_salary_from),
      to: toNumber(r.inferred_salary_to),
      currency: toText(r.inferred_salary_currency),
      timeUnit: toText(r.inferred_salary_time_unit),
      estimated: toBool(r.is_salary_estimated),
    },
  };
}

/** The short record of /expired_jobs (CONTRACT §3). */
export interface ExpiredRecord {
  uniqId: string;
  cursor: string | null;
  url: string | null;
  expiredOn: string | null;
  lastExpiryCheck: string | null;
}

export function readExpiredRecord(v: unknown): ExpiredRecord | null {
  const r = asObject(v);
  const uniqId = r && toUniqId(r.uniq_id);
  if (!r || uniqId === null) return null;
  return {
    uniqId,
    cursor: toCursor(r.cursor),
    url: toText(r.url),
    expiredOn: toDate(r.expired_date),
    lastExpiryCheck: toDate(r.latest_expiry_check_date),
  };
}

/** A reader as a zod schema (`parse`, `safeParse`), for code that composes schemas. */
const schemaOf = <T>(read: (v: unknown) => T | null, what: string): z.ZodType<T> =>
  z.unknown().transform((v, ctx): T => {
    const r = read(v);
    if (r === null) {
      ctx.addIssue({ code: 'custom', message: `not a readable ${what} (no uniq_id of 32 hex digits)` });
      return z.NEVER;
    }
    return r;
  });

export const JobRecordSchema = schemaOf(readJobRecord, 'job record');
export const ExpiredRecordSchema = schemaOf(readExpiredRecord, 'expired record');

export interface AggregateBucket {
  key: string;
  count: number;
  buckets: AggregateBucket[];
}

const bucketKey = z
  .unknown()
  .optional()
  .transform((v) => (v === null || v === undefined ? null : String(v)));

export const AggregateBucketSchema: z.ZodType<AggregateBucket | null> = z.lazy(() =>
  z.object({ key: bucketKey, doc_count: int, buckets: z.array(z.unknown()).optional() }).transform((b): AggregateBucket | null => {
    if (b.key === null || b.doc_count === null) return null;
    return { key: b.key, count: b.doc_count, buckets: parseBuckets(b.buckets ?? []).buckets };
  }),
);

/** Buckets that make no sense are dropped and counted, like bad records. */
export function parseBuckets(items: readonly unknown[]): { buckets: AggregateBucket[]; dropped: number } {
  const buckets: AggregateBucket[] = [];
  let dropped = 0;
  for (const item of items) {
    const r = AggregateBucketSchema.safeParse(item);
    if (r.success && r.data) buckets.push(r.data);
    else dropped++;
  }
  return { buckets, dropped };
}

/** Parse each record on its own: one record that cannot be read is dropped, not the page. */
export function parseRecords<T>(reader: z.ZodType<T> | ((v: unknown) => T | null), items: readonly unknown[]): { records: T[]; dropped: number } {
  const read =
    typeof reader === 'function'
      ? reader
      : (v: unknown): T | null => {
          const r = reader.safeParse(v);
          return r.success ? r.data : null;
        };
  const records: T[] = [];
  let dropped = 0;
  for (const item of items) {
    const r = read(item);
    if (r !== null) records.push(r);
    else dropped++;
  }
  return { records, dropped };
}
