import type { Rng } from './prng.js';
import type { RawJobRecord } from './data.js';
import { CITIES } from './vocab-places.js';

/** Every record field of contract §2, in the order the generator writes them. */
export const RECORD_FIELDS = [
  'uniq_id',
  'cursor',
  'crawl_timestamp',
  'url',
  'job_title',
  'category',
  'company_name',
  'city',
  'state',
  'country',
  'inferred_city',
  'inferred_state',
  'inferred_country',
  'post_date',
  'job_description',
  'html_job_description',
  'job_type',
  'salary_offered',
  'job_board',
  'geo',
  'contact_email',
  'contact_phone_number',
  'apply_url',
  'valid_through',
  'has_expired',
  'latest_expiry_check_date',
  'duplicate_status',
  'is_remote',
  'inferred_job_title',
  'inferred_seniority_level',
  'inferred_salary_from',
  'inferred_salary_to',
  'inferred_salary_currency',
  'inferred_salary_time_unit',
  'is_salary_estimated',
  'inferred_skills',
  'inferred_company_type',
  'inferred_min_experience',
  'inferred_max_experience',
] as const;

/** Fields a messy record may lose or null (never `uniq_id`/`cursor`, which paging needs). */
const OPTIONAL_FIELDS: readonly string[] = RECORD_FIELDS.slice(2);

/** A record whose every field is null except its key and cursor (contract §2: "any field but uniq_id"). */
export function nullRecord(uniqId: string, cursor: number): RawJobRecord {
  const record: RawJobRecord = { uniq_id: uniqId };
  for (const field of RECORD_FIELDS.slice(1) as readonly string[]) record[field] = null;
  record.cursor = cursor;
  return record;
}

type Mutation = (rng: Rng, r: RawJobRecord) => void;

/** The kinds of mess contract §2 lists, one function each. */
const MUTATIONS: readonly Mutation[] = [
  (rng, r) => {
    for (const field of rng.sample(OPTIONAL_FIELDS, 2)) delete r[field];
  },
  (rng, r) => {
    for (const field of rng.sample(OPTIONAL_FIELDS, 2)) r[field] = null;
  },
  (rng, r) => {
    const first = CITIES.find((c) => c.city === r.city);
    if (!first) return;
    const others = CITIES.filter((c) => c.country === first.country && c !== first);
    const second = first.city === 'San Jose' ? 'Santa Clara' : others.length > 0 ? rng.pick(others).city : 'Unspecified';
    r.city = `${first.city}|${second}`;
  },
  (rng, r) => {
    const [field, value] = rng.pick([
      ['state', 'Unspecified'],
      ['job_type', 'na'],
      ['country', 'NA'],
      ['category', 'Unspecified'],
      ['inferred_seniority_level', 'NA'],
    ] as const);
    r[field] = value;
  },
  (_rng, r) => {
    for (const field of ['inferred_salary_from', 'inferred_salary_to', 'inferred_min_experience']) {
      const value = r[field];
      if (typeof value === 'number') r[field] = value.toFixed(2);
    }
  },
  (_rng, r) => {
    for (const field of ['has_expired', 'is_remote', 'is_salary_estimated']) {
      const value = r[field];
      if (typeof value === 'boolean') r[field] = String(value);
    }
  },
  (_rng, r) => {
    if (Array.isArray(r.inferred_skills)) r.inferred_skills = r.inferred_skills.join('|');
  },
  (rng, r) => {
    r.source_country_code = typeof r.geo === 'string' ? r.geo.slice(0, 2).toUpperCase() : 'XX';
    r.internal_job_ref = rng.int(100_000, 999_999);
    r.tags = rng.sample(['urgent hiring', 'walk-in', 'featured', 'easy apply'], 2);
  },
];

/** Applies 3 to 5 kinds of mess to `record` in place. */
export function messify(rng: Rng, record: RawJobRecord): void {
  for (const mutate of rng.sample(MUTATIONS, rng.int(3, 5))) mutate(rng, record);
}
