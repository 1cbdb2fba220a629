import type { Path } from 'graphql/jsutils/Path.js';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import { StaleAnswers, staleReason } from '../../src/budget/stale.js';

/** The `info.path` graphql-js hands a resolver at `keys`. */
const info = (...keys: (string | number)[]): { path: Path } => {
  let path: Path | undefined;
  for (const key of keys) path = { prev: path, key, typename: undefined };
  if (!path) throw new Error('a path has at least one key');
  return { path };
};

describe('StaleAnswers', () => {
  it('notes a value answered stale under the path of the field that returned it, with its age and reason', () => {
    const a = new StaleAnswers();
    const page = {};
    const now = 1_000_000;
    a.mark(page, now - 90_500, now - 30_000, 'UPSTREAM_UNAVAILABLE', now);
    a.at(page, info('jobs'));
    a.at({}, info('other')); // a fresh value: not noted
    expect(a.toJSON()).toEqual([{ path: ['jobs'], ageSeconds: 90, reason: 'UPSTREAM_UNAVAILABLE' }]);
    expect(a.worst()).toMatchObject({ pastLifetimeSeconds: 30, reason: 'UPSTREAM_UNAVAILABLE' });
  });

  it('a list item is noted with its index; nothing stale means no key at all', () => {
    const a = new StaleAnswers();
    expect(a.toJSON()).toBeUndefined();
    const rec = {};
    a.mark(rec, Date.now() - 5_000, Date.now() - 1_000, 'RATE_LIMITED');
    a.at(rec, info('jobsByUniqIds'), 2);
    expect(a.toJSON()?.map((n) => n.path)).toEqual([['jobsByUniqIds', 2]]);
  });

  it('a stale value no resolver named is still flagged (at the root), never dropped', () => {
    const a = new StaleAnswers();
    a.mark({}, Date.now() - 5_000, Date.now() - 1_000, 'UPSTREAM_ERROR');
    expect(a.toJSON()).toEqual([{ path: [], ageSeconds: 5, reason: 'UPSTREAM_ERROR' }]);
  });

  it('x-max-stale caps the age a client accepts; 0 accepts nothing', () => {
    const a = new StaleAnswers();
    const now = 1_000_000;
    expect(a.accepts(now - 86_000_000, now)).toBe(true);
    a.maxAgeSeconds = 60;
    expect(a.accepts(now - 59_000, now)).toBe(true);
    expect(a.accepts(now - 61_000, now)).toBe(false);
    a.maxAgeSeconds = 0;
    expect(a.accepts(now - 1, now)).toBe(false);
  });

  it('only failures of the upstream or the budget may be answered stale', () => {
    for (const code of ['UPSTREAM_UNAVAILABLE', 'UPSTREAM_ERROR', 'RATE_LIMITED', 'CREDITS_EXHAUSTED', 'QUOTA_EXCEEDED'] as const) {
      expect(staleReason(new AppError(code, 'x'))).toBe(code);
    }
    for (const code of ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'FORBIDDEN', 'CREDITS_LIMIT'] as const)
      expect(staleReason(new AppError(code, 'x'))).toBeUndefined();
    expect(staleReason(new Error('crash'))).toBeUndefined();
  });
});
