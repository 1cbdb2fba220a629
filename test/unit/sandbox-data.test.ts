import { describe, expect, it } from 'vitest';
import { generateJobs } from '../../src/sandbox/data.js';
import { RECORD_FIELDS } from '../../src/sandbox/messy.js';

const jobs = generateJobs(42, 3000);
const num = (v: unknown): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN);

describe('sandbox data set', () => {
  it('is deterministic per seed and differs between seeds', () => {
    expect(JSON.stringify(generateJobs(42, 3000)) === JSON.stringify(jobs)).toBe(true);
    const ids = (seed: number): string[] => generateJobs(seed, 100).map((j) => j.uniq_id);
    expect(ids(7)).not.toEqual(ids(42));
  });

  it('has unique 32-hex ids and strictly increasing 16-digit cursors matching crawl_timestamp', () => {
    expect(new Set(jobs.map((j) => j.uniq_id)).size).toBe(jobs.length);
    const problems: string[] = [];
    let previous = 0;
    for (const job of jobs) {
      const cursor = num(job.cursor);
      if (!/^[0-9a-f]{32}$/.test(job.uniq_id)) problems.push(`id ${job.uniq_id}`);
      if (!/^\d{16}$/.test(String(cursor)) || cursor <= previous) problems.push(`cursor ${cursor}`);
      previous = cursor;
      const iso = new Date(Math.floor(cursor / 1000)).toISOString();
      if (typeof job.crawl_timestamp === 'string' && job.crawl_timestamp !== `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000`) {
        problems.push(`crawl_timestamp ${job.crawl_timestamp} for ${cursor}`);
      }
    }
    expect(problems).toEqual([]);
    expect(String(jobs[0]?.crawl_timestamp)).toMatch(/^2024-11/);
    expect(String(jobs[jobs.length - 1]?.crawl_timestamp)).toMatch(/^2026-1[01]/);
  });

  it('writes every contract field on well-formed records, with consistent values', () => {
    const nullable = new Set(['contact_email', 'contact_phone_number', 'salary_offered']);
    const clean = jobs.filter(
      (j) =>
        !('tags' in j) &&
        RECORD_FIELDS.every((f) => f in j && (j[f] !== null || nullable.has(f))) &&
        typeof j.is_remote === 'boolean' &&
        typeof j.inferred_salary_from === 'number' &&
        Array.isArray(j.inferred_skills),
    );
    expect(clean.length).toBeGreaterThan(2700);
    const fields = RECORD_FIELDS.join();
    const levels = ['Entry Level', 'Mid Level', 'Senior Level', 'Executive Level'];
    const problems = clean.filter(
      (job) =>
        Object.keys(job).join() !== fields ||
        !(String(job.post_date) <= String(job.crawl_timestamp).slice(0, 10)) ||
        !(num(job.inferred_salary_from) <= num(job.inferred_salary_to)) ||
        !levels.includes(String(job.inferred_seniority_level)) ||
        !String(job.job_description).includes(String(job.job_title)),
    );
    expect(problems).toEqual([]);
  });

  it('holds the seed example: Mid Level software engineers in San Francisco paid 80k-100k USD a year', () => {
    const examples = jobs.filter(
      (j) =>
        /software engineer/i.test(String(j.job_title)) &&
        j.inferred_city === 'San Francisco' &&
        j.city === 'San Francisco' &&
        ['CA', 'California'].includes(String(j.state)) &&
        j.inferred_state === 'California' &&
        j.inferred_country === 'United States' &&
        j.inferred_seniority_level === 'Mid Level' &&
        j.inferred_salary_currency === 'USD' &&
        j.inferred_salary_time_unit === 'yearly' &&
        num(j.inferred_salary_from) >= 80_000 &&
        num(j.inferred_salary_to) <= 100_000,
    );
    expect(examples.length).toBeGreaterThanOrEqual(25);
    for (const job of examples) expect(String(job.job_description).toLowerCase()).toContain('software engineer');
  });

  it('has ~5% duplicates copying another record, ~10% expired jobs and f500 companies', () => {
    const duplicates = jobs.filter((j) => j.duplicate_status === 'true');
    expect(duplicates.length).toBeGreaterThan(90);
    expect(duplicates.length).toBeLessThan(220);
    for (const dup of duplicates) {
      expect(jobs.some((j) => j !== dup && j.job_title === dup.job_title && j.company_name === dup.company_name)).toBe(true);
    }
    const expired = jobs.filter((j) => j.has_expired === true || j.has_expired === 'true');
    expect(expired.length / jobs.length).toBeGreaterThan(0.07);
    expect(expired.length / jobs.length).toBeLessThan(0.13);
    expect(jobs.filter((j) => j.company_name === 'Walmart').length).toBeGreaterThan(0);
  });

  it('includes the messy shapes of contract §2', () => {
    const has = (predicate: (j: Record<string, unknown>) => boolean): number => jobs.filter(predicate).length;
    expect(has((j) => typeof j.city === 'string' && j.city.includes('|'))).toBeGreaterThan(0);
    expect(has((j) => typeof j.inferred_skills === 'string' && j.inferred_skills.includes('|'))).toBeGreaterThan(0);
    expect(has((j) => typeof j.inferred_salary_from === 'string')).toBeGreaterThan(0);
    expect(has((j) => j.is_remote === 'true' || j.is_remote === 'false')).toBeGreaterThan(0);
    expect(has((j) => ['Unspecified', 'na', 'NA'].some((p) => Object.values(j).includes(p)))).toBeGreaterThan(0);
    expect(has((j) => 'tags' in j || 'internal_job_ref' in j)).toBeGreaterThan(0);
    expect(has((j) => RECORD_FIELDS.some((f) => !(f in j)))).toBeGreaterThan(0);
    const allNull = jobs.filter((j) => RECORD_FIELDS.every((f) => f === 'uniq_id' || f === 'cursor' || j[f] === null));
    expect(allNull.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps the seed example for small data sets', () => {
    const small = generateJobs(1, 200);
    expect(small).toHaveLength(200);
    expect(
      small.filter((j) => j.inferred_seniority_level === 'Mid Level' && j.inferred_city === 'San Francisco' && /Software Engineer/.test(String(j.job_title)))
        .length,
    ).toBeGreaterThanOrEqual(30);
  });
});
