import type { RawJobRecord } from '../../src/sandbox/data.js';
import { RECORD_FIELDS } from '../../src/sandbox/messy.js';

// Which raw records show the mess the contract lists (CONTRACT §2): the tests check those arrive typed.

/** Values the contract lists as standing for "no value". */
export const PLACEHOLDER = /^(|na|n\/a|null|none|unspecified|not specified|undefined|-)$/i;
/** The fields a clean record has, every one of them (CONTRACT §2): the list the sandbox writes them from. */
const FIELDS = new Set<string>(RECORD_FIELDS);

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
