import type { RawJobRecord } from '../../src/sandbox/data.js';

// Which raw records show the mess the contract lists (CONTRACT §2): the tests check those arrive typed.

/** Values the contract lists as standing for "no value". */
export const PLACEHOLDER = /^(|na|n\/a|null|none|unspecified|not specified|undefined|-)$/i;
/** The fields a clean record has, every one of them (CONTRACT §2). */
const FIELDS = new Set([
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
]);

/** Records showing one of the kinds of mess the contract lists. */
export function isMessy(r: RawJobRecord): boolean {
  return (
    [...FIELDS].some((f) => !(f in r)) ||
    Object.keys(r).some((k) => !FIELDS.has(k)) ||
    ['has_expired', 'is_remote', 'is_salary_estimated', 'inferred_salary_from', 'inferred_salary_to', 'inferred_min_experience', 'inferred_skills'].some(
      (f) => typeof r[f] === 'string',
    ) ||
    (typeof r.city === 'string' && r.city.includes('|')) ||
    ['state', 'job_type', 'country', 'category', 'inferred_seniority_level'].some((f) => typeof r[f] === 'string' && PLACEHOLDER.test(r[f] as string)) ||
    r.job_title === null
  );
}
