import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sameJson } from '../../src/budget/cache.js';
import { stableJson } from '../../src/budget/keys.js';

// TieredCache.intern hands out the cached copy of a record when sameJson says it equals the one just
// bought: a false "equal" would serve another job's fields, so equality must be exact.
describe('sameJson', () => {
  it('is true for a copy and agrees with key-order-free JSON text for any two values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(sameJson(a, structuredClone(a))).toBe(true);
        expect(sameJson(a, b)).toBe(stableJson(a) === stableJson(b));
      }),
      { numRuns: 500 },
    );
  });

  it('tells apart objects that differ only by a key one of them lacks, or by a nested value', () => {
    const job = { uniqId: 'a', location: { city: 'Boston', state: null }, skills: ['go', 'sql'] };
    expect(sameJson(job, { ...job, extra: 1 })).toBe(false);
    expect(sameJson({ ...job, extra: 1 }, job)).toBe(false);
    expect(sameJson(job, { ...job, location: { city: 'Boston' } })).toBe(false);
    expect(sameJson(job, { ...job, location: { city: 'Boston', state: undefined } })).toBe(false);
    expect(sameJson(job, { ...job, skills: ['go'] })).toBe(false);
    expect(sameJson(job, { location: job.location, skills: job.skills, uniqId: 'a' })).toBe(true);
    expect(sameJson([1, 2], { 0: 1, 1: 2 })).toBe(false);
    expect(sameJson(new Date(0), new Date(0))).toBe(false);
  });
});
