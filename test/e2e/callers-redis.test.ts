import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import type { GqlResult, Stack } from '../helpers/stack.js';

// Two replicas on one real redis-server: one caller's quota and fair share hold across both, exactly.

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const CAPPED = 'capped-team-token';
const NOISY = 'noisy-team-token';
const QUIET = 'quiet-team-token';
const PAGE = 'query Page($first: Int, $filter: JobFilter) { jobs(first: $first, filter: $filter) { nodes { uniqId } } }';
const STANDING = '{ apiUsage { caller { id creditsUsed creditsLeft } } }';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const code = (r: GqlResult) => r.body.errors?.[0]?.extensions?.code ?? null;
const charged = (r: GqlResult) => (r.body.extensions?.jobspikr as { creditsCharged: number } | undefined)?.creditsCharged;

let replicas: Replicas;
let a: Stack;
let b: Stack;
let inspect: Redis;

beforeAll(async () => {
  replicas = await startReplicas({
    key: 'production',
    // A little upstream delay, so the replicas' operations overlap.
    sandbox: { productionCredits: 10_000, delayMs: 30 },
    env: { CALLER_TOKENS: `capped:${sha(CAPPED)}:50,noisy:${sha(NOISY)},quiet:${sha(QUIET)}`, RATE_LIMIT_MAX_WAIT_MS: '0' },
    redisPrefix: 'callers-test:',
  });
  [a, b] = replicas.stacks as [Stack, Stack];
  inspect = new Redis(replicas.redis.url);
});
afterAll(async () => {
  inspect?.disconnect();
  await replicas?.close();
});

describe('one caller, two replicas, one Redis', () => {
  it('concurrent spends on both replicas never exceed the quota: exactly five pages of 10 in 50 credits', async () => {
    replicas.sandbox.clearLog();
    const before = replicas.sandbox.creditsRemaining(replicas.sandbox.keys.production.clientId);
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => (i % 2 ? a : b).gql(PAGE, { first: 10, filter: { salary: { min: 20_000 + i * 7 } } }, bearer(CAPPED))),
    );
    const served = results.filter((r) => code(r) === null);
    const refused = results.filter((r) => code(r) !== null);
    expect(served).toHaveLength(5);
    expect(served.map(charged)).toEqual([10, 10, 10, 10, 10]);
    expect(refused.map(code)).toEqual(Array(11).fill('QUOTA_EXCEEDED'));
    // Refusals made no upstream call; the upstream charged exactly what the caller was charged.
    expect(replicas.sandbox.log.filter((e) => e.endpoint === 'data')).toHaveLength(5);
    expect(before - replicas.sandbox.creditsRemaining(replicas.sandbox.keys.production.clientId)).toBe(50);
    for (const s of [a, b]) {
      const r = await s.gql(STANDING, undefined, bearer(CAPPED));
      expect(r.body.data?.apiUsage).toEqual({ caller: { id: 'capped', creditsUsed: 50, creditsLeft: 0 } });
    }
  });

  it('the count in Redis is keyed by a hash of the caller, never its name or token', async () => {
    const keys = await inspect.keys('callers-test:quota:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toMatch(/capped|noisy|quiet|token/);
  });

  it('a noisy caller flooding both replicas holds half the window; a quiet caller’s searches all succeed', async () => {
    replicas.sandbox.clearLog();
    const flood = await Promise.all(
      Array.from({ length: 70 }, (_, i) => (i % 2 ? a : b).gql(PAGE, { first: 1, filter: { salary: { min: 30_000 + i * 3 } } }, bearer(NOISY))),
    );
    expect(flood.filter((r) => code(r) === null)).toHaveLength(50);
    expect(flood.filter((r) => code(r) === 'RATE_LIMITED')).toHaveLength(20);
    const quiet = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? b : a).gql(PAGE, { first: 1, filter: { salary: { min: 60_000 + i * 3 } } }, bearer(QUIET))),
    );
    expect(quiet.map(code)).toEqual(Array(10).fill(null));
    expect(replicas.sandbox.log.filter((e) => e.status === 429)).toHaveLength(0);
  });
});
