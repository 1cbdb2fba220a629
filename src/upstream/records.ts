import { z } from 'zod';
import { bool, cursor, date, dateTime, int, list, num, place, text } from './coerce.js';

export const SENIORITY = ['ENTRY', 'MID', 'SENIOR', 'EXECUTIVE'] as const;
export type Seniority = (typeof SENIORITY)[number];

/** Upstream seniority labels (CONTRACT §2) keyed by our enum. */
export const SENIORITY_LABEL: Record<Seniority, string> = {
  ENTRY: 'Entry Level',
  MID: 'Mid Level',
  SENIOR: 'Senior Level',
  EXECUTIVE: 'Executive Level',
};

const seniority = z.unknown().optional().transform((v): Seniority | null => {
  if (typeof v !== 'string') return null;
  const word = v.trim().toLowerCase().split(/[\s_-]+/)[0];
  const hit = SENIORITY.find((s) => s.toLowerCase() === word);
  return hit ?? null;
});

const uniqId = z
  .string()
  .trim()
  .regex(/^[0-9a-fA-F]{32}$/)
  .transform((s) => s.toLowerCase());

/** A job record as typed for the schema; every field but `uniqId` may be null. */
export const JobRecordSchema = z
  .object({
    uniq_id: uniqId,
    cursor,
    crawl_timestamp: dateTime,
    url: text,
    job_title: text,
    inferred_job_title: text,
    category: text,
    company_name: text,
    city: place,
    state: place,
    country: place,
    inferred_city: place,
    inferred_state: place,
    inferred_country: place,
    post_date: date,
    job_description: text,
    html_job_description: text,
    job_type: text,
    salary_offered: text,
    job_board: text,
    geo: text,
    contact_email: text,
    contact_phone_number: text,
    apply_url: text,
    valid_through: date,
    has_expired: bool,
    latest_expiry_check_date: date,
    duplicate_status: text,
    is_remote: bool,
    inferred_seniority_level: seniority,
    inferred_salary_from: num,
    inferred_salary_to: num,
    inferred_salary_currency: text,
    inferred_salary_time_unit: text,
    is_salary_estimated: bool,
    inferred_skills: list,
    inferred_company_type: text,
    inferred_min_experience: num,
    inferred_max_experience: num,
  })
  .transform((r) => ({
    uniqId: r.uniq_id,
    cursor: r.cursor,
    crawledAt: r.crawl_timestamp,
    url: r.url,
    title: r.job_title,
    normalizedTitle: r.inferred_job_title,
    category: r.category,
    companyName: r.company_name,
    description: r.job_description,
    htmlDescription: r.html_job_description,
    jobType: r.job_type,
    jobBoard: r.job_board,
    postDate: r.post_date,
    validThrough: r.valid_through,
    hasExpired: r.has_expired,
    latestExpiryCheck: r.latest_expiry_check_date,
    duplicate: r.duplicate_status === null ? null : r.duplicate_status.toLowerCase() === 'true',
    isRemote: r.is_remote,
    seniority: r.inferred_seniority_level,
    skills: r.inferred_skills,
    companyType: r.inferred_company_type,
    minExperience: r.inferred_min_experience,
    maxExperience: r.inferred_max_experience,
    contactEmail: r.contact_email,
    contactPhone: r.contact_phone_number,
    applyUrl: r.apply_url,
    geo: r.geo,
    location: {
      city: r.city,
      state: r.state,
      country: r.country,
      inferredCity: r.inferred_city,
      inferredState: r.inferred_state,
      inferredCountry: r.inferred_country,
    },
    salary: {
      offered: r.salary_offered,
      from: r.inferred_salary_from,
      to: r.inferred_salary_to,
      currency: r.inferred_salary_currency,
      timeUnit: r.inferred_salary_time_unit,
      estimated: r.is_salary_estimated,
    },
  }));
export type JobRecord = z.output<typeof JobRecordSchema>;

/** The short record of /expired_jobs (CONTRACT §3). */
export const ExpiredRecordSchema = z
  .object({
    uniq_id: uniqId,
    cursor,
    url: text,
    has_expired: bool,
    expired_date: date,
    latest_expiry_check_date: date,
  })
  .transform((r) => ({
    uniqId: r.uniq_id,
    cursor: r.cursor,
    url: r.url,
    expiredOn: r.expired_date,
    latestExpiryCheck: r.latest_expiry_check_date,
  }));
export type ExpiredRecord = z.output<typeof ExpiredRecordSchema>;

export interface AggregateBucket {
  key: string;
  count: number;
  buckets: AggregateBucket[];
}

const bucketKey = z.unknown().optional().transform((v) => (v === null || v === undefined ? null : String(v)));

export const AggregateBucketSchema: z.ZodType<AggregateBucket | null> = z.lazy(() =>
  z
    .object({ key: bucketKey, doc_count: int, buckets: z.array(z.unknown()).optional() })
    .transform((b): AggregateBucket | null => {
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
export function parseRecords<T>(
  schema: z.ZodType<T>,
  items: readonly unknown[],
): { records: T[]; dropped: number } {
  const records: T[] = [];
  let dropped = 0;
  for (const item of items) {
    const r = schema.safeParse(item);
    if (r.success) records.push(r.data);
    else dropped++;
  }
  return { records, dropped };
}
