import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { RateBudgetsDocument } from '../generated/graphql.js';
import { codesOf as codes, dataOf } from '../helpers/results.js';
import { startStack, type Stack } from '../helpers/stack.js';

// The upstream does not count requests it answers 401 (CONTRACT §5, and the sandbox does the same),
// nor of course attempts that never reached it: neither may use up a client id's rate budget here.

const MINUTE_MS = 20_000;
const ENV = { RATE_WINDOW_MINUTE_MS: String(MINUTE_MS), RATE_LIMIT_MAX_WAIT_MS: '50' };
const TENANT = { clientId: 'wrongkeys_jp_sandbox_000000001', authKey: 'tenant-right-key' };
const AGG = 'query($f: JobFilter) { aggregate(field: CATEGORY, filter: $f) { key count } }';
const shape = (tag: string, i: number) => ({ f: { company: `${tag}-${i}` } });
const keys = (authKey: string) => ({ client_id: TENANT.clientId, client_auth_key: authKey });

/** The budget as the gate holds it (apiUsage shows it only to a pair the upstream has accepted). */
async function pool(stack: Stack, endpoint: string, c: { clientId: string; authKey: string } = stack.sandbox.keys.sandbox) {
  const b = (await stack.app.gate.budgets({ ...c, scheme: 'headers' })).find((x) => x.endpoint === endpoint);
  return { remainingThisMinute: (b?.limitPerMinute ?? 0) - (b?.minute.used ?? 0), remainingThisHour: (b?.limitPerHour ?? 0) - (b?.hour.used ?? 0) };
}

async function remaining(stack: Stack, endpoint: string, headers: Record<string, string> = {}) {
  const r = await stack.gql(RateBudgetsDocument, {}, headers);
  return dataOf(r).apiUsage.limits.find((l) => l.endpoint === `/v2/${endpoint}`);
}

describe('wrong keys do not spend the client id’s rate budget', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: ENV, sandbox: { minuteMs: MINUTE_MS } });
    stack.sandbox.addKey(TENANT, 'sandbox');
  });
  beforeEach(() => stack.sandbox.clearLog());
  afterAll(async () => {
    await stack.close();
  });

  it('15 wrong-key aggregates (more than the minute’s 10) are each UNAUTHENTICATED, and leave the budget whole', async () => {
    for (let i = 0; i < 15; i++) expect(codes(await stack.gql(AGG, shape('wrong', i), keys(`guess-${i}`)))).toEqual(['UNAUTHENTICATED']);
    // Concurrent wrong guesses too (fewer than the limit at once: each holds its slot until the 401).
    const burst = await Promise.all(Array.from({ length: 8 }, (_, i) => stack.gql(AGG, shape('burst', i), keys(`burst-${i}`))));
    for (const r of burst) expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    expect(stack.sandbox.log.map((e) => e.status)).toEqual(Array.from({ length: 23 }, () => 401));

    expect(await pool(stack, 'aggregate_data', TENANT)).toEqual({ remainingThisMinute: 10, remainingThisHour: 100 });
    const [aggregate] = (await stack.app.gate.budgets({ ...TENANT, scheme: 'headers' })).filter((b) => b.endpoint === 'aggregate_data');
    expect(aggregate?.minute).toEqual({ used: 0, resetAt: null });
    expect(aggregate?.hour).toEqual({ used: 0, resetAt: null });
  });

  it('the right key then gets its whole minute: 10 distinct aggregates answered, the 11th RATE_LIMITED without a call', async () => {
    for (let i = 0; i < 10; i++) expect(codes(await stack.gql(AGG, shape('right', i), keys(TENANT.authKey)))).toEqual([]);
    const over = await stack.gql(AGG, shape('right', 10), keys(TENANT.authKey));
    expect(codes(over)).toEqual(['RATE_LIMITED']);
    expect(stack.sandbox.log.map((e) => e.status)).toEqual(Array.from({ length: 10 }, () => 200));
    expect(await remaining(stack, 'aggregate_data', keys(TENANT.authKey))).toMatchObject({ remainingThisMinute: 0, remainingThisHour: 90 });
  });

  it('another client id’s budget was never touched', async () => {
    expect(await pool(stack, 'aggregate_data')).toEqual({ remainingThisMinute: 10, remainingThisHour: 100 });
  });
});

describe('attempts that never reached the upstream do not count', () => {
  it('connection refused on both hosts, then both circuits open: no slot of the budget stays taken', async () => {
    const [primary, fallback] = [await freePort(), await freePort()];
    const stack = await startStack({
      env: {
        ...ENV,
        JOBSPIKR_BASE_URL: `http://127.0.0.1:${primary}/v2`,
        JOBSPIKR_FALLBACK_BASE_URL: `http://127.0.0.1:${fallback}/v2`,
        FAILOVER_THRESHOLD: '2',
      },
      sandbox: { minuteMs: MINUTE_MS },
    });
    try {
      const first = await stack.gql('{ jobs(first: 2) { totalCount } }');
      expect(codes(first)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(await stack.metrics()).toMatch(/jobspikr_upstream_requests_total\{endpoint="data",host="primary",outcome="upstream_unavailable"\} 2/);
      expect((await stack.health()).upstream).toEqual({ primary: 'open', fallback: 'open' });
      // Both circuits open: refused before any host is tried.
      const again = await stack.gql('{ jobs(first: 3) { totalCount } }');
      expect(codes(again)).toEqual(['UPSTREAM_UNAVAILABLE']);
      expect(await pool(stack, 'data')).toEqual({ remainingThisMinute: 100, remainingThisHour: 5_000 });
    } finally {
      await stack.close();
    }
  });
});
