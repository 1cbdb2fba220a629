import { describe, expect, it } from 'vitest';
import { aggregateResult, expiredPage, searchPage } from '../../src/upstream/adapters.js';
import { toBool, toCursor, toDate, toDateTime, toList, toNumber, toPlace, toText } from '../../src/upstream/coerce.js';
import { EnvelopeSchema } from '../../src/upstream/envelope.js';
import { JobRecordSchema, parseRecords } from '../../src/upstream/records.js';
import { xmlToEnvelope } from '../../src/upstream/xml.js';

const ID = 'a'.repeat(32);
const env = (v: unknown) => EnvelopeSchema.parse(v);

describe('coercion of messy values (CONTRACT §2)', () => {
  it('placeholders and blanks read as null', () => {
    for (const v of ['Unspecified', 'na', 'NA', 'N/A', ' ', '', 'null', 'None', undefined, null, {}, []]) {
      expect(toText(v), JSON.stringify(v)).toBeNull();
    }
    expect(toText('  Acme Corp ')).toBe('Acme Corp');
    expect(toText(42)).toBe('42');
  });

  it('numbers arrive as numbers or numeric strings', () => {
    expect(toNumber('14.00')).toBe(14);
    expect(toNumber(' 85000 ')).toBe(85000);
    expect(toNumber('1,250.5')).toBe(1250.5);
    expect(toNumber(90000)).toBe(90000);
    for (const v of ['', 'na', '$80,000', '12abc', 'NaN', Number.NaN, Number.POSITIVE_INFINITY, true, null, undefined]) {
      expect(toNumber(v), String(v)).toBeNull();
    }
  });

  it('booleans arrive as booleans or strings', () => {
    expect(toBool(true)).toBe(true);
    expect(toBool('false')).toBe(false);
    expect(toBool('TRUE')).toBe(true);
    expect(toBool(' true ')).toBe(true);
    expect(toBool(0)).toBe(false);
    for (const v of ['NA', 'maybe', '', null, undefined, 2]) expect(toBool(v), String(v)).toBeNull();
  });

  it('lists arrive as arrays or `|`-joined strings; placeholders and repeats drop out', () => {
    expect(toList(['Python', 'SQL'])).toEqual(['Python', 'SQL']);
    expect(toList('Python|SQL| Go ')).toEqual(['Python', 'SQL', 'Go']);
    expect(toList(['Python', 'na', '', 'Python', null])).toEqual(['Python']);
    // XML repeats the element, and a `|`-joined value can be one of them.
    expect(toList(['Python|SQL', 'Go'])).toEqual(['Python', 'SQL', 'Go']);
    expect(toList(null)).toEqual([]);
    expect(toList(undefined)).toEqual([]);
    expect(toList('Unspecified')).toEqual([]);
    expect(toList(17)).toEqual([]);
  });

  it('`|`-joined places read as a comma list', () => {
    expect(toPlace('San Jose|Santa Clara')).toBe('San Jose, Santa Clara');
    expect(toPlace('San Francisco|Unspecified')).toBe('San Francisco');
    expect(toPlace('na|NA')).toBeNull();
    expect(toPlace('London')).toBe('London');
  });

  it('dates: real calendar days only', () => {
    expect(toDate('2025-01-31')).toBe('2025-01-31');
    expect(toDate('2025-01-31T10:00:00Z')).toBe('2025-01-31');
    for (const v of ['2025-02-30', '2025-13-01', '31/01/2025', 'Unspecified', '', 20250131, null]) {
      expect(toDate(v), String(v)).toBeNull();
    }
  });

  it('crawl timestamps become ISO 8601 with an offset', () => {
    expect(toDateTime('2025-01-31 09:30:00 +0000')).toBe('2025-01-31T09:30:00+00:00');
    expect(toDateTime('2025-01-31T09:30:00Z')).toBe('2025-01-31T09:30:00+00:00');
    expect(toDateTime('2025-01-31 09:30:00 +0530')).toBe('2025-01-31T09:30:00+05:30');
    for (const v of ['2025-02-30 09:30:00 +0000', '2025-01-31', 'yesterday', '2025-01-31 25:99:00 +0000', null]) {
      expect(toDateTime(v), String(v)).toBeNull();
    }
  });

  it('cursors stay exact digits', () => {
    expect(toCursor(1749973251825111)).toBe('1749973251825111');
    expect(toCursor('1749973251825111')).toBe('1749973251825111');
    for (const v of [-1, 1.5, 'abc', null, {}, 2 ** 60]) expect(toCursor(v), String(v)).toBeNull();
  });
});

describe('JobRecordSchema', () => {
  const messy = {
    uniq_id: ID.toUpperCase(),
    cursor: '1749973251825111',
    crawl_timestamp: '2025-06-15 07:40:51 +0000',
    job_title: 'Senior Software Engineer',
    category: 'Unspecified',
    company_name: 'Acme',
    city: 'San Jose|Santa Clara',
    state: 'NA',
    country: 'USA',
    post_date: '2025-02-30',
    job_type: 'na',
    has_expired: 'false',
    is_remote: 'true',
    is_salary_estimated: 'false',
    duplicate_status: 'NA',
    inferred_seniority_level: 'Senior Level',
    inferred_salary_from: '85000.00',
    inferred_salary_to: 95000,
    inferred_salary_currency: 'USD',
    inferred_skills: 'Go|Kubernetes|na',
    inferred_min_experience: '3.00',
    internal_job_ref: 123456,
    tags: ['urgent hiring'],
  };

  it('types a messy record without failing, unknown fields ignored', () => {
    const r = JobRecordSchema.parse(messy);
    expect(r).toMatchObject({
      uniqId: ID,
      cursor: '1749973251825111',
      crawledAt: '2025-06-15T07:40:51+00:00',
      category: null,
      postDate: null,
      jobType: null,
      hasExpired: false,
      isRemote: true,
      isDuplicate: null,
      seniority: 'SENIOR',
      skills: ['Go', 'Kubernetes'],
      minExperienceYears: 3,
      location: { city: 'San Jose, Santa Clara', state: null, country: 'USA', inferredCity: null },
      salary: { from: 85000, to: 95000, currency: 'USD', estimated: false, offered: null },
    });
    expect(r).not.toHaveProperty('tags');
  });

  it('a record null but for its id is still a record', () => {
    const r = JobRecordSchema.parse({ uniq_id: ID, cursor: null, job_title: null, inferred_skills: null });
    expect(r.uniqId).toBe(ID);
    expect(r.skills).toEqual([]);
    expect(r.seniority).toBeNull();
    expect(Object.values(r.location).every((v) => v === null)).toBe(true);
  });

  it('seniority labels map onto the enum; anything else is null', () => {
    const s = (v: unknown) => JobRecordSchema.parse({ uniq_id: ID, inferred_seniority_level: v }).seniority;
    expect(s('Entry Level')).toBe('ENTRY');
    expect(s('Mid Level')).toBe('MID');
    expect(s('executive level')).toBe('EXECUTIVE');
    expect(s('NA')).toBeNull();
    expect(s('Intern')).toBeNull();
    expect(s(3)).toBeNull();
  });

  it('an unreadable record is dropped and counted; the rest of the page stands', () => {
    const good = { uniq_id: 'b'.repeat(32) };
    const { records, dropped } = parseRecords(JobRecordSchema, [good, { job_title: 'no id' }, { uniq_id: 'xyz' }, 'junk', null, messy]);
    expect(records.map((r) => r.uniqId)).toEqual(['b'.repeat(32), ID]);
    expect(dropped).toBe(4);
  });
});

describe('envelopes', () => {
  it('a page with an unreadable record keeps the others and counts what was received', () => {
    const page = searchPage(
      env({
        status: 'success',
        total_count: '3',
        next_cursor: 5,
        job_data: [{ uniq_id: ID, cursor: 4 }, { uniq_id: 7 }, { uniq_id: 'c'.repeat(32), cursor: 5 }],
      }),
    );
    expect(page).toMatchObject({ totalCount: 3, nextCursor: '5', dropped: 1, received: 3 });
    expect(page.records.map((r) => r.uniqId)).toEqual([ID, 'c'.repeat(32)]);
  });

  it('status no_data is an empty last page', () => {
    const page = searchPage(env({ status: 'no_data', message: 'No data found.' }));
    expect(page).toMatchObject({ records: [], nextCursor: null, dropped: 0, received: 0 });
    expect(expiredPage(env({ status: 'no_data', message: 'No data found.' })).records).toEqual([]);
    expect(aggregateResult(env({ status: 'no_data', message: 'No data found.' })).buckets).toEqual([]);
  });

  it('a null or absent next_cursor ends the data', () => {
    expect(searchPage(env({ status: 'success', total_count: 1, next_cursor: null, job_data: [{ uniq_id: ID }] })).nextCursor).toBeNull();
    expect(searchPage(env({ status: 'success', total_count: 1, job_data: [{ uniq_id: ID }] })).nextCursor).toBeNull();
  });

  it('other statuses and shapes are refused', () => {
    expect(EnvelopeSchema.safeParse({ status: 'ok' }).success).toBe(false);
    expect(EnvelopeSchema.safeParse({ message: 'x' }).success).toBe(false);
  });
});

describe('XML envelopes (CONTRACT §5)', () => {
  const xml = `<?xml version="1.0" encoding="UTF-8"?>
<response>
  <status>success</status><message>Data present.</message><total_count>2</total_count><size>2</size>
  <job_credit_remaining>998</job_credit_remaining><next_cursor>1550559619641049</next_cursor>
  <job_data>
    <job>
      <uniq_id>${'1'.repeat(32)}</uniq_id><cursor>1550559619641048</cursor>
      <job_title>C++ Developer &amp; Lead</job_title><city>San Jose|Santa Clara</city>
      <has_expired>false</has_expired><is_remote>true</is_remote>
      <inferred_salary_from>85000.00</inferred_salary_from><inferred_salary_to>95000</inferred_salary_to>
      <inferred_skills>C++</inferred_skills>
      <inferred_seniority_level>Mid Level</inferred_seniority_level><post_date>2025-01-02</post_date>
      <contact_email></contact_email>
    </job>
    <job>
      <uniq_id>${'2'.repeat(32)}</uniq_id><cursor>1550559619641049</cursor>
      <inferred_skills>Go</inferred_skills><inferred_skills>SQL|Python</inferred_skills>
      <state>Unspecified</state>
    </job>
  </job_data>
</response>`;

  it('reads the envelope and typed records, numeric-looking text kept as text', () => {
    const e = env(xmlToEnvelope(xml));
    expect(e).toMatchObject({ status: 'success', total_count: 2, job_credit_remaining: 998, next_cursor: '1550559619641049' });
    const page = searchPage(e);
    expect(page.dropped).toBe(0);
    const [a, b] = page.records;
    expect(a).toMatchObject({
      uniqId: '1'.repeat(32),
      cursor: '1550559619641048',
      title: 'C++ Developer & Lead',
      hasExpired: false,
      isRemote: true,
      seniority: 'MID',
      skills: ['C++'],
      postDate: '2025-01-02',
      contactEmail: null,
      location: { city: 'San Jose, Santa Clara' },
      salary: { from: 85000, to: 95000 },
    });
    expect(b).toMatchObject({ uniqId: '2'.repeat(32), skills: ['Go', 'SQL', 'Python'], location: { state: null } });
  });

  it('a single <job> is still a list; no_data and aggregations parse too', () => {
    const one = `<response><status>success</status><total_count>1</total_count><job_data><job><uniq_id>${'3'.repeat(32)}</uniq_id></job></job_data></response>`;
    expect(searchPage(env(xmlToEnvelope(one))).records).toHaveLength(1);
    const none = '<?xml version="1.0"?><response><status>no_data</status><message>No data found.</message></response>';
    expect(searchPage(env(xmlToEnvelope(none))).records).toEqual([]);
    const agg = `<response><status>success</status><total_count>5</total_count>
      <aggregations><key>San Francisco</key><doc_count>3</doc_count><buckets><key>Engineering</key><doc_count>2</doc_count></buckets><buckets><key>Sales</key><doc_count>1</doc_count></buckets></aggregations>
      <aggregations><key>true</key><doc_count>2</doc_count><buckets><key>Sales</key><doc_count>2</doc_count></buckets></aggregations>
    </response>`;
    expect(aggregateResult(env(xmlToEnvelope(agg))).buckets).toEqual([
      {
        key: 'San Francisco',
        count: 3,
        buckets: [
          { key: 'Engineering', count: 2, buckets: [] },
          { key: 'Sales', count: 1, buckets: [] },
        ],
      },
      { key: 'true', count: 2, buckets: [{ key: 'Sales', count: 2, buckets: [] }] },
    ]);
  });

  it('refuses XML that is not a response', () => {
    expect(() => xmlToEnvelope('<html><body>503</body></html>')).toThrow();
    expect(() => xmlToEnvelope('<response></response>')).toThrow();
  });
});
