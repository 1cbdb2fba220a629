import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RateGate } from '../../src/budget/rate-gate.js';
import { MAX_LIMITER_KEYS, PROBE_LIMITS } from '../../src/limits.js';
import { createMetrics } from '../../src/metrics.js';
import { startStack, type GqlResult, type Stack } from '../helpers/stack.js';

// Findings 5 and 7: key pairs the upstream has not accepted draw from their own small bucket, one call
// in flight per pair, never from their client id's budget; and per-key state stays bounded.

const codes = (r: GqlResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);
const AGG = 'query($c: String) { aggregate(field: CATEGORY, filter: { company: $c }) { key count } }';

describe('wrong keys for a known client id (finding 5)', () => {
  let s: Stack;
  const tenant = { clientId: 'victim_prod_0000000001', authKey: 'victim-right-key' };
  const headers = (authKey: string) => ({ client_id: tenant.clientId, client_auth_key: authKey });
  beforeAll(async () => {
    s = await startStack({ key: 'none', env: { REQUIRE_CLIENT_CREDENTIALS: 'true', RATE_LIMIT_MAX_WAIT_MS: '3000' } });
    s.sandbox.addKey(tenant, 'production', 10_000);
  });
  beforeEach(() => s.sandbox.clearLog());
  afterAll(async () => {
    await s.close();
  });

  const aggregateUsed = async () => (await s.app.gate.budgets({ ...tenant, scheme: 'headers' })).find((b) => b.endpoint === 'aggregate_data')?.minute.used;

  it('a flood of wrong-key calls does not starve the tenant', async () => {
    expect(codes(await s.gql(AGG, { c: 'warm-up' }, headers(tenant.authKey)))).toEqual([]);
    expect(await aggregateUsed()).toBe(1);
    s.sandbox.clearLog();
    s.sandbox.setDelay(100);
    try {
      // 30 calls with one wrong key and 20 with 20 others, all at once with the tenant's 5.
      const sameWrong = Array.from({ length: 30 }, (_, i) => s.gql(AGG, { c: `w${i}` }, headers('wrong-key')));
      const manyWrong = Array.from({ length: 20 }, (_, i) => s.gql(AGG, { c: `m${i}` }, headers(`guess-${i}`)));
      const own = Array.from({ length: 5 }, (_, i) => s.gql(AGG, { c: `t${i}` }, headers(tenant.authKey)));
      const [same, many, mine] = await Promise.all([Promise.all(sameWrong), Promise.all(manyWrong), Promise.all(own)]);
      for (const r of mine) expect(codes(r)).toEqual([]);
      // One wrong pair: its own bucket's worth reaches the upstream (one at a time), the rest are refused here.
      const sameCodes = same.flatMap(codes);
      expect(sameCodes.filter((c) => c === 'UNAUTHENTICATED')).toHaveLength(PROBE_LIMITS.perMinute);
      expect(sameCodes.filter((c) => c === 'RATE_LIMITED')).toHaveLength(30 - PROBE_LIMITS.perMinute);
      for (const r of many) expect(codes(r)).toEqual(['UNAUTHENTICATED']);
      const log = s.sandbox.log.filter((e) => e.endpoint === 'aggregate_data');
      expect(log.filter((e) => e.status === 401)).toHaveLength(PROBE_LIMITS.perMinute + 20);
      expect(log.filter((e) => e.status === 200)).toHaveLength(5);
      expect(log.filter((e) => e.status === 429)).toHaveLength(0);
    } finally {
      s.sandbox.setDelay(0);
    }
    // The tenant's budget counts the tenant's calls only.
    expect(await aggregateUsed()).toBe(6);
  });

  it('a new pair is verified by one probe; its other calls wait for the verdict and then share the pool', async () => {
    const fresh = { clientId: 'newcomer_prod_000000001', authKey: 'newcomer-key' };
    s.sandbox.addKey(fresh, 'production', 10_000);
    s.sandbox.setDelay(50);
    try {
      const rs = await Promise.all(
        Array.from({ length: 6 }, (_, i) => s.gql(AGG, { c: `n${i}` }, { client_id: fresh.clientId, client_auth_key: fresh.authKey })),
      );
      for (const r of rs) expect(codes(r)).toEqual([]);
    } finally {
      s.sandbox.setDelay(0);
    }
    const calls = s.sandbox.log.filter((e) => e.clientId === fresh.clientId);
    expect(calls).toHaveLength(6);
    // All six are in the id's budget (the probe too, once answered), as the upstream counted them.
    const used = (await s.app.gate.budgets({ ...fresh, scheme: 'headers' })).find((b) => b.endpoint === 'aggregate_data')?.minute.used;
    expect(used).toBe(6);
  });
});

describe('per-key state is bounded (finding 7)', () => {
  const gate = (minuteMs: number, hourMs: number) =>
    new RateGate({
      logger: pino({ level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      minuteMs,
      hourMs,
      maxWaitMs: 0,
      downShare: 0.5,
      windowMargin: { ratio: 0, maxMs: 0 },
    });
  const signal = new AbortController().signal;

  it('random client ids never hold more than MAX_LIMITER_KEYS logs', async () => {
    const g = gate(60_000, 3_600_000);
    for (let i = 0; i < MAX_LIMITER_KEYS + 5_000; i++) await g.acquire({ clientId: `random-${i}`, authKey: 'k', scheme: 'headers' }, 'data', signal);
    expect(g.trackedKeys).toBe(MAX_LIMITER_KEYS);
  });

  it('a log whose calls have all left their windows is dropped', async () => {
    const g = gate(20, 40);
    const ids = Array.from({ length: 50 }, (_, i) => ({ clientId: `gone-${i}`, authKey: 'k', scheme: 'headers' as const }));
    for (const c of ids) await g.acquire(c, 'data', signal);
    expect(g.trackedKeys).toBe(50);
    await new Promise((r) => setTimeout(r, 60));
    for (const c of ids) await g.budgets(c);
    expect(g.trackedKeys).toBe(0);
  });
});
