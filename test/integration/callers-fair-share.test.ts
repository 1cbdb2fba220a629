import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// A fair share of the rate budget: one caller holds at most CALLER_MAX_RATE_SHARE of any upstream window.

const sha = (t: string) => createHash('sha256').update(t).digest('hex');
const NOISY = 'noisy-batch-script-token';
const QUIET = 'quiet-dashboard-token';
const PAGE = 'query Page($filter: JobFilter) { jobs(first: 2, filter: $filter) { nodes { uniqId } } }';
const LIMITS = { data: { perMinute: 10, perHour: 500 }, expired_jobs: { perMinute: 10, perHour: 500 }, aggregate_data: { perMinute: 4, perHour: 100 } };
const SANDBOX_LIMITS = { dataPerMinute: 10, dataPerHour: 500, aggregatePerMinute: 4, aggregatePerHour: 100 };
const code = (r: GqlResult) => r.body.errors?.[0]?.extensions?.code ?? null;
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const salary = (min: number) => ({ salary: { min } });

let s: Stack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

/** A stack whose key pair the upstream has already accepted (a pair's first call is a probe from its own bucket). */
async function start(share: string): Promise<Stack> {
  const stack = await startStack({
    limits: LIMITS,
    sandbox: { limits: SANDBOX_LIMITS },
    env: { CALLER_TOKENS: `noisy:${sha(NOISY)},quiet:${sha(QUIET)}`, CALLER_MAX_RATE_SHARE: share, RATE_LIMIT_MAX_WAIT_MS: '0', TRUST_PROXY: 'true' },
  });
  const first = await stack.gql(PAGE, { filter: salary(1) });
  if (code(first) !== null) throw new Error(`warm-up failed: ${JSON.stringify(first.body.errors)}`);
  return stack;
}

/** The noisy caller floods distinct searches (each a new upstream call), then the quiet one asks for its own. */
async function flood(stack: Stack) {
  const noisy = await Promise.all(Array.from({ length: 20 }, (_, i) => stack.gql(PAGE, { filter: salary(1000 + i) }, bearer(NOISY))));
  const quiet = [];
  for (let i = 0; i < 4; i++) quiet.push(await stack.gql(PAGE, { filter: salary(5000 + i) }, bearer(QUIET)));
  return { noisy: noisy.map(code), quiet: quiet.map(code) };
}

describe('CALLER_MAX_RATE_SHARE', () => {
  it('a noisy caller gets its share and no more; a quiet caller’s searches all succeed', async () => {
    s = await start('0.5');
    const r = await flood(s);
    expect(r.noisy.filter((c) => c === null)).toHaveLength(5);
    expect(r.noisy.filter((c) => c === 'RATE_LIMITED')).toHaveLength(15);
    expect(r.quiet).toEqual([null, null, null, null]);
    // The warm-up, the noisy caller's five, the quiet caller's four: the whole window, and no 429.
    expect(s.calls('data')).toBe(10);
    expect(s.sandbox.log.filter((e) => e.status === 429)).toHaveLength(0);
  });

  it('anonymous callers count one per address', async () => {
    s = await start('0.5');
    const from = (ip: string, i: number) => s?.gql(PAGE, { filter: salary(7000 + i) }, { 'x-forwarded-for': ip }) as Promise<GqlResult>;
    const a = await Promise.all(Array.from({ length: 8 }, (_, i) => from('198.51.100.1', i)));
    const b = await Promise.all(Array.from({ length: 3 }, (_, i) => from('198.51.100.2', 100 + i)));
    expect(a.map(code).filter((c) => c === null)).toHaveLength(5);
    expect(b.map(code)).toEqual([null, null, null]);
  });

  it('with the share at 1 (a single-caller deployment) the noisy caller may take the whole window, and the quiet one is starved', async () => {
    s = await start('1');
    const r = await flood(s);
    // The warm-up took one slot; the noisy caller takes every other one.
    expect(r.noisy.filter((c) => c === null)).toHaveLength(9);
    expect(r.quiet).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
  });
});
