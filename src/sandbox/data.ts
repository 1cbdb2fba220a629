import { createRng, hash32, hexId, type Rng } from './prng.js';
import { messify, nullRecord } from './messy.js';
import { BENEFITS, FAMILIES, JOB_TYPES, SENIORITY, SOFTWARE_ENGINEER_TITLES, type JobFamily } from './vocab-jobs.js';
import { CITIES, COUNTRIES, F500_COMPANIES, OTHER_COMPANIES, type City, type Country } from './vocab-places.js';

/** A job record in the raw upstream shape (contract §2): snake_case, any field but `uniq_id` may be messy. */
export interface RawJobRecord {
  uniq_id: string;
  [field: string]: unknown;
}

const START_US = Date.UTC(2024, 10, 1) * 1000; // 2024-11-01, in epoch microseconds like the real cursors
const SPAN_US = 730 * 86_400_000_000; // two years of crawls
const DAY_MS = 86_400_000;

/**
 * The deterministic data set for `seed`: `count` records in ascending cursor order. Besides random jobs it
 * always holds the seed's example (Mid Level software engineers in San Francisco paid 80k-100k USD a year),
 * ~5% duplicates, ~3% messy records and a few records that are null but for `uniq_id` and `cursor`.
 */
export function generateJobs(seed: number, count: number): RawJobRecord[] {
  const rng = createRng(seed);
  const exemplars = spreadIndices(count, Math.min(Math.max(30, Math.round(count / 100)), Math.floor(count / 4)), 0.3);
  const nulls = spreadIndices(count, count >= 20 ? Math.max(1, Math.round(count / 1000)) : 0, 0.55);
  for (const i of exemplars) nulls.delete(i);
  const step = Math.max(1, Math.floor(SPAN_US / Math.max(1, count)));
  const seen = new Set<string>();
  const clean: number[] = [];
  const jobs: RawJobRecord[] = [];
  for (let i = 0; i < count; i++) {
    let uniqId = hexId(seed, i, 1, 32);
    for (let salt = 2; seen.has(uniqId); salt++) uniqId = hexId(seed, i, salt, 32);
    seen.add(uniqId);
    const cursor = START_US + i * step + Math.floor(rng.next() * step);
    if (nulls.has(i)) {
      jobs.push(nullRecord(uniqId, cursor));
      continue;
    }
    const exemplar = exemplars.has(i);
    const record = buildRecord(rng, { seed, index: i, uniqId, cursor, exemplar });
    const source = clean.length > 10 && !exemplar && rng.chance(0.05) ? jobs[rng.pick(clean)] : undefined;
    if (source) {
      for (const field of ['job_title', 'company_name', 'category', 'inferred_job_title', 'job_description', 'html_job_description']) {
        record[field] = source[field];
      }
      record.duplicate_status = 'true';
    } else if (!exemplar && rng.chance(0.03)) {
      messify(rng, record);
    } else {
      clean.push(i);
    }
    jobs.push(record);
  }
  return jobs;
}

/**
 * A new posting for the sandbox to publish: record number `index` of `seed` (past the initial data set),
 * crawled at `cursor` (epoch microseconds), not expired. A quarter are the seed's example (Mid Level
 * software engineers in San Francisco), so the GraphiQL example filter sees new jobs too.
 */
export function generatePosting(seed: number, index: number, cursor: number): RawJobRecord {
  const rng = createRng(hash32(seed, index, 77));
  const record = buildRecord(rng, { seed, index, uniqId: hexId(seed, index, 1, 32), cursor, exemplar: rng.chance(0.25) });
  return { ...record, has_expired: false, latest_expiry_check_date: String(record.crawl_timestamp).slice(0, 10) };
}

/** `n` indices spread evenly over [0, count), offset by `phase` of a slot. */
function spreadIndices(count: number, n: number, phase: number): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < n; k++) out.add(Math.min(count - 1, Math.floor(((k + phase) * count) / n)));
  return out;
}

interface RecordSeed {
  seed: number;
  index: number;
  uniqId: string;
  cursor: number;
  exemplar: boolean;
}

const FAMILY_WEIGHTS = FAMILIES.map((f) => [f, f.weight] as const);
const SENIORITY_WEIGHTS = SENIORITY.map((l) => [l, l.weight] as const);
const CITY_WEIGHTS = CITIES.map((c) => [c, c.weight] as const);

function buildRecord(rng: Rng, s: RecordSeed): RawJobRecord {
  const family = s.exemplar ? (FAMILIES[0] as JobFamily) : rng.weighted(FAMILY_WEIGHTS);
  const seniority = s.exemplar ? SENIORITY[1] : rng.weighted(SENIORITY_WEIGHTS);
  const city = s.exemplar ? (CITIES[0] as City) : rng.weighted(CITY_WEIGHTS);
  const country = city.country;
  const baseTitle = s.exemplar ? rng.pick(SOFTWARE_ENGINEER_TITLES) : rng.pick(family.titles);
  const title = s.exemplar ? baseTitle : rng.pick(seniority.prefixes) + baseTitle;
  const company = pickCompany(rng);
  const remote = !s.exemplar && rng.chance(0.15);
  const jobType = s.exemplar ? 'Full Time' : rng.weighted(JOB_TYPES);
  const skills = rng.sample(family.skills, rng.int(3, 6));
  const [minExp, maxExp] = seniority.experience;
  const minExperience = rng.int(minExp, maxExp);
  const maxExperience = minExperience + rng.int(1, 4);
  const salary = s.exemplar ? exemplarSalary(rng) : randomSalary(rng, family, seniority.pay, country, jobType);

  const crawlSeconds = Math.floor(s.cursor / 1_000_000);
  const crawlDay = Math.floor(crawlSeconds / 86_400);
  const postDay = crawlDay - rng.int(0, 20);
  const expired = rng.chance(0.1);
  const checkDate = isoDate(crawlDay + (expired ? rng.int(3, 60) : rng.int(0, 10)));

  const board = rng.pick(family.key === 'software' || family.key === 'devops' ? country.boards : country.boards.filter((b) => b !== 'dice'));
  const url = jobUrl(board, country, title, s);
  const companySlug = slug(company.name).replace(/-/g, '');
  const contact = rng.chance(0.3);
  const description = describe(rng, { title, company: company.name, city: city.city, remote, family, skills, minExperience });

  return {
    uniq_id: s.uniqId,
    cursor: s.cursor,
    crawl_timestamp: `${isoDate(crawlDay)} ${clock(crawlSeconds % 86_400)} +0000`,
    url,
    job_title: title,
    category: family.category,
    company_name: company.name,
    city: city.city,
    state: s.exemplar ? rng.pick(['CA', 'California']) : rng.pick(city.state),
    country: rng.pick(country.raw),
    inferred_city: city.inferredCity,
    inferred_state: city.inferredState,
    inferred_country: country.name,
    post_date: isoDate(postDay),
    job_description: description.text,
    html_job_description: description.html,
    job_type: jobType,
    salary_offered: salary.text,
    job_board: board,
    geo: country.geo,
    contact_email: contact ? `${rng.pick(['careers', 'jobs', 'talent'])}@${companySlug}.com` : null,
    contact_phone_number: contact ? phone(rng, city) : null,
    apply_url: rng.chance(0.5) ? url : `https://careers.${companySlug}.com/jobs/${digits(s, 11, 8)}`,
    valid_through: isoDate(postDay + rng.pick([30, 45, 60, 90])),
    has_expired: expired,
    latest_expiry_check_date: checkDate,
    duplicate_status: rng.chance(0.02) ? 'NA' : 'false',
    is_remote: remote,
    inferred_job_title: baseTitle.toLowerCase().replace(/,.*$/, ''),
    inferred_seniority_level: seniority.level,
    inferred_salary_from: salary.from,
    inferred_salary_to: salary.to,
    inferred_salary_currency: salary.currency,
    inferred_salary_time_unit: salary.unit,
    is_salary_estimated: salary.estimated,
    inferred_skills: skills,
    inferred_company_type: company.agency ? 'agency' : 'company',
    inferred_min_experience: minExperience,
    inferred_max_experience: maxExperience,
  };
}

function pickCompany(rng: Rng): { name: string; agency: boolean } {
  return rng.chance(0.35) ? { name: rng.pick(F500_COMPANIES), agency: false } : rng.pick(OTHER_COMPANIES);
}

interface Salary {
  from: number;
  to: number;
  currency: string;
  unit: 'yearly' | 'monthly' | 'weekly' | 'daily' | 'hourly';
  text: string | null;
  estimated: boolean;
}

const UNIT_DIVISOR = { yearly: 1, monthly: 12, weekly: 52, daily: 260, hourly: 2080 } as const;
const UNIT_TEXT = { yearly: 'a year', monthly: 'a month', weekly: 'a week', daily: 'a day', hourly: 'an hour' } as const;

function exemplarSalary(rng: Rng): Salary {
  const from = rng.int(80, 90) * 1000;
  const to = rng.int(from / 1000 + 5, 100) * 1000;
  return { from, to, currency: 'USD', unit: 'yearly', text: salaryText('$', from, to, 'yearly'), estimated: false };
}

function randomSalary(rng: Rng, family: JobFamily, pay: number, country: Country, jobType: string): Salary {
  const [lo, hi] = family.salary;
  const base = (family.hourly ? 2080 : 1) * (lo + rng.next() * (hi - lo)) * pay;
  let unit: Salary['unit'] = 'yearly';
  if (family.hourly) unit = country === COUNTRIES.in ? 'monthly' : rng.chance(0.2) ? 'weekly' : 'hourly';
  else if (country === COUNTRIES.in && rng.chance(0.4)) unit = 'monthly';
  else if (jobType.startsWith('Contract') && rng.chance(0.5)) unit = country === COUNTRIES.us ? 'hourly' : 'daily';
  const round = (v: number): number => (unit === 'hourly' ? Math.round(v * 2) / 2 : unit === 'yearly' ? Math.round(v / 1000) * 1000 : Math.round(v / 10) * 10);
  const from = round((base * country.pay) / UNIT_DIVISOR[unit]);
  const to = round(from * (1.1 + rng.next() * 0.3));
  const estimated = rng.chance(0.35);
  const text = estimated ? rng.pick([null, null, 'Competitive', 'Not disclosed', 'DOE']) : salaryText(country.symbol, from, to, unit);
  return { from, to, currency: country.currency, unit, text, estimated };
}

function salaryText(symbol: string, from: number, to: number, unit: Salary['unit']): string {
  const money = (v: number): string => symbol + (unit === 'hourly' ? v.toFixed(2) : String(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${money(from)} - ${money(to)} ${UNIT_TEXT[unit]}`;
}

interface DescribeInput {
  title: string;
  company: string;
  city: string;
  remote: boolean;
  family: JobFamily;
  skills: readonly string[];
  minExperience: number;
}

function describe(rng: Rng, d: DescribeInput): { text: string; html: string } {
  const [duty1, duty2] = rng.sample(d.family.duties, 2);
  const article = /^[aeiou]/i.test(d.title) ? 'an' : 'a';
  const skillList = `${d.skills.slice(0, -1).join(', ')} and ${d.skills[d.skills.length - 1] ?? ''}`;
  const intro = `${d.company} is hiring ${article} ${d.title} in ${d.city}.`;
  const role = `As ${article} ${d.title} you will ${duty1 ?? 'join the team'} and ${duty2 ?? 'grow with us'}.`;
  const needs = `You have ${d.minExperience}+ years of experience and hands-on skills in ${skillList}.`;
  const benefit = rng.pick(BENEFITS);
  const remote = d.remote ? ' This is a remote position.' : '';
  const text = `${intro} ${role} ${needs} ${benefit}${remote}`;
  const items = d.skills.map((skill) => `<li>${escapeHtml(skill)}</li>`).join('');
  const html = `<div><h2>${escapeHtml(d.title)}</h2><p>${escapeHtml(`${intro} ${role}`)}</p><p>${escapeHtml(needs)}</p><ul>${items}</ul><p>${escapeHtml(benefit + remote)}</p></div>`;
  return { text, html };
}

const BOARD_HOSTS: Readonly<Record<string, string>> = {
  glassdoor: 'www.glassdoor.com',
  monster: 'www.monster.com',
  ziprecruiter: 'www.ziprecruiter.com',
  careerbuilder: 'www.careerbuilder.com',
  simplyhired: 'www.simplyhired.com',
  dice: 'www.dice.com',
  reed: 'www.reed.co.uk',
  totaljobs: 'www.totaljobs.com',
  workopolis: 'www.workopolis.com',
  naukri: 'www.naukri.com',
  shine: 'www.shine.com',
  stepstone: 'www.stepstone.de',
  seek: 'www.seek.com.au',
};

function jobUrl(board: string, country: Country, title: string, s: RecordSeed): string {
  if (board === 'indeed') return `https://${country.indeedHost}/viewjob?jk=${hexId(s.seed, s.index, 9, 16)}`;
  if (board === 'linkedin') return `https://www.linkedin.com/jobs/view/${digits(s, 10, 10)}`;
  return `https://${BOARD_HOSTS[board] ?? `www.${board}.com`}/job/${slug(title)}/${digits(s, 10, 8)}`;
}

function phone(rng: Rng, city: City): string {
  if (city.country === COUNTRIES.us || city.country === COUNTRIES.ca) return `+1 ${city.areaCode}-555-01${rng.int(10, 99)}`;
  return `${city.country.phonePrefix}${rng.int(1000, 9999)} ${rng.int(1000, 9999)}`;
}

function digits(s: RecordSeed, salt: number, length: number): string {
  return String(hash32(s.seed, s.index, salt) % 10 ** Math.min(length, 9)).padStart(length, '1');
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

const dayCache = new Map<number, string>();

/** YYYY-MM-DD of a day number (days since the epoch); memoised since the data set spans ~800 days. */
function isoDate(day: number): string {
  let text = dayCache.get(day);
  if (text === undefined) {
    text = new Date(day * DAY_MS).toISOString().slice(0, 10);
    dayCache.set(day, text);
  }
  return text;
}

/** HH:MM:SS of a second within a day. */
function clock(second: number): string {
  const two = (n: number): string => (n < 10 ? `0${n}` : String(n));
  return `${two(Math.floor(second / 3600))}:${two(Math.floor(second / 60) % 60)}:${two(second % 60)}`;
}

const HTML_SPECIAL = /[&<>]/;
const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escapeHtml(text: string): string {
  return HTML_SPECIAL.test(text) ? text.replace(/[&<>]/g, (ch) => HTML_ESCAPES[ch] ?? ch) : text;
}
