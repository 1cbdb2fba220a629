import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TieredCache } from '../../src/budget/cache.js';
import { OperationUsage } from '../../src/budget/usage.js';
import { normalizeFilter, type JobFilterInput } from '../../src/filter.js';
import { createLogger } from '../../src/logger.js';
import type { Credentials } from '../../src/upstream/credentials.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
let credentials: Credentials;
beforeAll(async () => {
  stack = await startStack({ key: 'sandbox' });
  credentials = { ...stack.sandbox.keys.sandbox, scheme: 'headers' };
});
afterAll(() => stack.close());

const search = (filter: JobFilterInput) =>
  stack.app.jobs.search({ filter: normalizeFilter(filter), size: 10, cursor: null, op: { credentials, usage: new OperationUsage(credentials) } });

describe('a job bought again is held once', () => {
  it('two searches that bought the same jobs hold one copy of each in their cached pages', async () => {
    // Two filters with the same matches: two upstream calls, two cached pages, the same ten jobs.
    const a = await search({ keywords: 'engineer', salary: { min: 50_000 } });
    const b = await search({ keywords: 'engineer', salary: { min: 50_000.5 } });
    expect(stack.calls('data')).toBe(2);
    expect(a.records.length).toBe(10);
    expect(b.records.map((r) => r.uniqId)).toEqual(a.records.map((r) => r.uniqId));
    for (let i = 0; i < a.records.length; i++) expect(b.records[i]).toBe(a.records[i]);
    // and what the second page's cache entry serves is that same copy
    const again = await search({ keywords: 'engineer', salary: { min: 50_000.5 } });
    expect(stack.calls('data')).toBe(2);
    expect(again.records[0]).toBe(a.records[0]);
  });
});

describe('TieredCache.intern', () => {
  const logger = createLogger('silent');
  const job = { uniqId: 'a'.repeat(32), title: 'Engineer', skills: ['go', 'sql'], location: { city: 'Austin', state: null } };

  it('gives the held value for an equal one, and the new value when anything differs', async () => {
    const c = new TieredCache({ maxBytes: 1_000_000, prefix: '', logger });
    await c.set('record:x', job, 60_000);
    expect(c.intern('record:x', structuredClone(job))).toBe(job);
    const retitled = { ...structuredClone(job), title: 'Senior Engineer' };
    expect(c.intern('record:x', retitled)).toBe(retitled);
    const moreSkills = { ...structuredClone(job), skills: ['go', 'sql', 'k8s'] };
    expect(c.intern('record:x', moreSkills)).toBe(moreSkills);
    const otherCity = { ...structuredClone(job), location: { city: 'Dallas', state: null } };
    expect(c.intern('record:x', otherCity)).toBe(otherCity);
    const extraField = { ...structuredClone(job), companyName: 'Acme' };
    expect(c.intern('record:x', extraField)).toBe(extraField);
    // nothing held under another key, and nothing past its lifetime
    const copy = structuredClone(job);
    expect(c.intern('record:y', copy)).toBe(copy);
    await c.set('record:short', job, 1);
    await new Promise((r) => setTimeout(r, 5));
    const late = structuredClone(job);
    expect(c.intern('record:short', late)).toBe(late);
  });
});
