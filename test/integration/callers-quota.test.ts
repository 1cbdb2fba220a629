import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// Credit quotas per caller on the server's production key: reserve the worst case, charge the real cost.

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const TEAM_A = 'team-a-secret-token-1';
const TEAM_B = 'team-b-secret-token-2';
const TEAM_C = 'team-c-secret-token-3';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const PAGE = 'query Page($first: Int, $filter: JobFilter) { jobs(first: $first, filter: $filter) { nodes { uniqId } } }';
const STANDING = '{ apiUsage { caller { id creditsUsed creditQuota creditsLeft resetsAt } } }';
const ext = (r: GqlResult) => r.body.extensions?.jobspikr as { creditsCharged: number; creditsSavedByCache: number; callerCreditsLeft: number | null };
const standing = async (s: Stack, token: string) =>
  (await s.gql(STANDING, undefined, bearer(token))).body.data?.apiUsage as { caller: Record<string, unknown> };

describe('credit quotas per caller', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({
      key: 'production',
      sandbox: { productionCredits: 10_000 },
      env: {
        CALLER_TOKENS: `team-a:${sha(TEAM_A)}:25,team-b:${sha(TEAM_B)},team-c:${sha(TEAM_C)}:12`,
        CALLER_CREDITS_PER_DAY: '1000',
        ANONYMOUS_CREDITS_PER_DAY: '5',
        TRUST_PROXY: 'true',
      },
      logs: 'info',
    });
  });
  beforeEach(() => s.sandbox.clearLog());
  afterAll(async () => {
    await s.close();
  });

  it('an operation is charged its real credits; extensions.jobspikr shows the caller’s credits left', async () => {
    const r = await s.gql(PAGE, { first: 10, filter: { keywords: 'engineer' } }, bearer(TEAM_A));
    expect(r.body.errors).toBeUndefined();
    expect(ext(r)).toMatchObject({ creditsCharged: 10, callerCreditsLeft: 15 });
    expect((await standing(s, TEAM_A)).caller).toMatchObject({ id: 'team-a', creditsUsed: 10, creditQuota: 25, creditsLeft: 15 });
  });

  it('credits saved by the cache cost the caller nothing', async () => {
    const r = await s.gql(PAGE, { first: 10, filter: { keywords: 'engineer' } }, bearer(TEAM_A));
    expect(ext(r)).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 10, callerCreditsLeft: 15 });
    expect(s.calls()).toBe(0);
  });

  it('the worst case is reserved, the unspent part refunded: a page of 3 under first: 10 costs 3', async () => {
    // A filter that matches only a few jobs: the upstream returns fewer records than asked.
    const few = { keywords: 'engineer', city: 'Boise' };
    const r = await s.gql(PAGE, { first: 10, filter: few }, bearer(TEAM_A));
    expect(r.body.errors).toBeUndefined();
    const got = (r.body.data?.jobs as { nodes: unknown[] } | undefined)?.nodes.length ?? -1;
    expect(got).toBeLessThan(10);
    expect(ext(r)).toMatchObject({ creditsCharged: got, callerCreditsLeft: 15 - got });
    expect((await standing(s, TEAM_A)).caller).toMatchObject({ creditsUsed: 10 + got });
  });

  it('an operation whose worst case does not fit is QUOTA_EXCEEDED with retryAfter, and makes no upstream call', async () => {
    const left = ((await standing(s, TEAM_A)).caller.creditsLeft as number) ?? 0;
    const r = await s.gql(PAGE, { first: left + 1, filter: { keywords: 'manager' } }, bearer(TEAM_A));
    const e = r.body.errors?.[0];
    expect(e?.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(e?.extensions?.retryAfter).toBeGreaterThan(0);
    expect(e?.extensions?.retryAfter).toBeLessThanOrEqual(86_400);
    expect(r.body.data ?? null).toBeNull();
    expect(ext(r)).toMatchObject({ creditsCharged: 0, callerCreditsLeft: left });
    expect(s.calls()).toBe(0);
    // What fits is still served.
    const small = await s.gql(PAGE, { first: 1, filter: { keywords: 'manager' } }, bearer(TEAM_A));
    expect(small.body.errors).toBeUndefined();
  });

  it('a caller short of quota still gets what the cache holds; only the fields that need the upstream are refused', async () => {
    const spend = await s.gql(PAGE, { first: 10, filter: { keywords: 'teacher' } }, bearer(TEAM_C));
    expect(ext(spend)).toMatchObject({ creditsCharged: 10, callerCreditsLeft: 2 });
    s.sandbox.clearLog();
    // Wholly cached: its worst case (10) is more than the 2 left, yet it costs nothing, so it is served.
    const cached = await s.gql(PAGE, { first: 10, filter: { keywords: 'engineer' } }, bearer(TEAM_C));
    expect(cached.body.errors).toBeUndefined();
    expect(ext(cached)).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 10, callerCreditsLeft: 2 });
    // Mixed: the cached page is served, the job that would be bought is refused.
    const unseen = s.sandbox.jobs.at(-1)?.uniq_id;
    const mixed = await s.gql(
      'query($id: String!) { cached: jobs(first: 10, filter: { keywords: "engineer" }) { nodes { uniqId } } fresh: job(uniqId: $id) { uniqId } }',
      { id: unseen },
      bearer(TEAM_C),
    );
    expect(mixed.body.data?.cached).toMatchObject({ nodes: expect.any(Array) });
    expect((mixed.body.data?.cached as { nodes: unknown[] } | undefined)?.nodes).toHaveLength(10);
    expect(mixed.body.data?.fresh).toBeNull();
    expect(mixed.body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['fresh'], 'QUOTA_EXCEEDED']]);
    expect(s.calls()).toBe(0);
  });

  it('other callers are unaffected', async () => {
    const r = await s.gql(PAGE, { first: 30, filter: { keywords: 'manager' } }, bearer(TEAM_B));
    expect(r.body.errors).toBeUndefined();
    expect(ext(r)).toMatchObject({ creditsCharged: 30, callerCreditsLeft: 970 });
    expect(s.calls()).toBe(1);
  });

  it('anonymous callers have a quota per address', async () => {
    const from = (ip: string, keywords: string) => s.gql(PAGE, { first: 5, filter: { keywords } }, { 'x-forwarded-for': ip });
    expect(ext(await from('198.51.100.50', 'accountant'))).toMatchObject({ creditsCharged: 5, callerCreditsLeft: 0 });
    const refused = await from('198.51.100.50', 'driver');
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('QUOTA_EXCEEDED');
    expect(ext(await from('198.51.100.51', 'driver'))).toMatchObject({ creditsCharged: 5, callerCreditsLeft: 0 });
    expect(s.calls()).toBe(2);
  });

  it('/metrics counts credits and upstream calls per caller', async () => {
    const m = await s.metrics();
    const a = Number(/jobspikr_caller_credits_total\{caller="team-a"\} (\d+)/.exec(m)?.[1]);
    expect(a).toBe((await standing(s, TEAM_A)).caller.creditsUsed);
    expect(m).toMatch(/jobspikr_caller_credits_total\{caller="team-b"\} 30/);
    expect(m).toMatch(/jobspikr_caller_upstream_calls_total\{caller="team-b"\} 1/);
    expect(m).not.toContain(TEAM_A);
  });

  it('one log line per operation: name, caller, duration, upstream calls, credits, cache outcome, error codes', async () => {
    const before = s.logs.lines.length;
    await s.gql(PAGE, { first: 2, filter: { keywords: 'nurse' } }, bearer(TEAM_B));
    await s.gql(PAGE, { first: 2, filter: { keywords: 'nurse' } }, bearer(TEAM_B));
    await s.gql(PAGE, { first: 50, filter: { keywords: 'nurse' } }, bearer(TEAM_A));
    const ops = s.logs
      .entries()
      .slice(before)
      .filter((e) => e.msg === 'operation');
    expect(ops).toHaveLength(3);
    expect(ops[0]).toMatchObject({ operation: 'Page', caller: 'team-b', upstreamCalls: 1, credits: 2, cache: 'miss', errors: [] });
    expect(ops[1]).toMatchObject({ operation: 'Page', caller: 'team-b', upstreamCalls: 0, credits: 0, cache: 'hit', errors: [] });
    expect(ops[2]).toMatchObject({ caller: 'team-a', upstreamCalls: 0, credits: 0, errors: ['QUOTA_EXCEEDED'] });
    for (const o of ops) expect(typeof o.ms).toBe('number');
    expect(s.logs.lines.join('\n')).not.toMatch(new RegExp(`${TEAM_A}|${TEAM_B}|${s.sandbox.keys.production.authKey}`));
  });

  it('a dry run reserves nothing', async () => {
    const before = (await standing(s, TEAM_B)).caller.creditsUsed;
    const r = await s.gql(PAGE, { first: 50 }, { ...bearer(TEAM_B), 'x-dry-run': '1' });
    expect(r.body.extensions?.jobspikr).toMatchObject({ dryRun: true, estimatedCredits: 50 });
    expect((await standing(s, TEAM_B)).caller.creditsUsed).toBe(before);
  });
});
