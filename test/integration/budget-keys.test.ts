import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreditsDocument, FiveTitlesDocument as PAGE, JobTitleDocument } from '../generated/graphql.js';
import { codesOf as codes, dataOf } from '../helpers/results.js';
import { startStack, type Stack } from '../helpers/stack.js';

const AGG = `query { aggregate(field: JOB_BOARD) { key count } }`;
const headers = (clientId: string, authKey: string) => ({ client_id: clientId, client_auth_key: authKey });

let s: Stack;
let prod: { clientId: string; authKey: string };

beforeAll(async () => {
  s = await startStack({ key: 'production' });
  prod = s.sandbox.keys.production;
});
afterAll(async () => {
  await s.close();
});

describe('cached data goes only to key pairs the upstream accepted', () => {
  it('a wrong key for a client whose data is cached gets no cached data: its request goes upstream and fails', async () => {
    const filter = { city: 'San Francisco' };
    const own = await s.gql(PAGE, { filter });
    expect(own.body.errors).toBeUndefined();
    const agg = await s.gql(AGG);
    expect(agg.body.errors).toBeUndefined();
    s.sandbox.clearLog();
    const wrong = headers(prod.clientId, 'not-the-key');
    for (const r of [await s.gql(PAGE, { filter }, wrong), await s.gql(AGG, { filter }, wrong)]) {
      expect(r.body.data ?? null).toBeNull();
      expect(codes(r)).toEqual(['UNAUTHENTICATED']);
    }
    const ids = dataOf(own).jobs.nodes.map((n) => n.uniqId);
    const lookup = await s.gql(JobTitleDocument, { id: ids[0] ?? '' }, wrong);
    expect(lookup.body.data?.job ?? null).toBeNull();
    expect(codes(lookup)).toEqual(['UNAUTHENTICATED']);
    // Each was refused by the upstream itself, not answered from the cache.
    expect(s.sandbox.log.map((e) => e.status)).toEqual([401, 401, 401]);
    expect(JSON.stringify(s.sandbox.log)).not.toContain('not-the-key');
  });

  it("a wrong key never joins an accepted key's call in flight", async () => {
    s.sandbox.clearLog();
    s.sandbox.setDelay(150);
    try {
      const filter = { city: 'Boston' };
      const [good, bad, good2] = await Promise.all([
        s.gql(PAGE, { filter }),
        s.gql(PAGE, { filter }, headers(prod.clientId, 'still-wrong')),
        s.gql(PAGE, { filter }, headers(prod.clientId, prod.authKey)),
      ]);
      expect(good.body.errors).toBeUndefined();
      expect(good2.body.data).toEqual(good.body.data);
      expect(bad.body.data ?? null).toBeNull();
      expect(codes(bad)).toEqual(['UNAUTHENTICATED']);
      expect(s.sandbox.log.map((e) => e.status).sort()).toEqual([200, 401]);
    } finally {
      s.sandbox.setDelay(0);
    }
  });

  it('requests with one unverified pair share one call among themselves (one 401, not one per request)', async () => {
    s.sandbox.clearLog();
    s.sandbox.setDelay(100);
    try {
      const rs = await Promise.all(Array.from({ length: 4 }, () => s.gql(AGG, undefined, headers(prod.clientId, 'wrong-again'))));
      for (const r of rs) expect(codes(r)).toEqual(['UNAUTHENTICATED']);
      expect(s.sandbox.log).toHaveLength(1);
    } finally {
      s.sandbox.setDelay(0);
    }
  });

  it('a new pair gets no cached data until the upstream has accepted it; then it does', async () => {
    // Another production client of the same upstream: its own caches, its own verification.
    const other = { clientId: 'acme_prod_0000000042', authKey: 'acme-key-42' };
    s.sandbox.addKey(other, 'production', 500);
    s.sandbox.clearLog();
    const filter = { city: 'San Francisco' };
    const first = await s.gql(PAGE, { filter }, headers(other.clientId, other.authKey));
    expect(first.body.errors).toBeUndefined();
    expect(s.calls('data')).toBe(1); // not served from the first client's cache
    expect(first.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 5, upstreamCalls: 1, creditsRemaining: 495 });
    const second = await s.gql(PAGE, { filter }, headers(other.clientId, other.authKey));
    expect(second.body.data).toEqual(first.body.data);
    expect(second.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 5, upstreamCalls: 0 });
    expect(s.calls('data')).toBe(1);
    expect(s.sandbox.creditsRemaining(other.clientId)).toBe(495);
    // Its usage is its own, not the server key's.
    const usage = await s.gql(CreditsDocument, {}, headers(other.clientId, other.authKey));
    expect(usage.body.data?.apiUsage).toEqual({ sandbox: false, creditsRemaining: 495, creditsUsedByThisServer: 5 });
  });

  it('a rotated key: the new pair is verified by its first call, then reads the cache', async () => {
    const rotated = { clientId: 'acme_prod_0000000077', authKey: 'old-key' };
    s.sandbox.addKey(rotated, 'production', 100);
    const filter = { city: 'Chicago' };
    expect((await s.gql(PAGE, { filter }, headers(rotated.clientId, rotated.authKey))).body.errors).toBeUndefined();
    s.sandbox.addKey({ clientId: rotated.clientId, authKey: 'new-key' }, 'production', 100);
    s.sandbox.clearLog();
    const fresh = await s.gql(PAGE, { filter }, headers(rotated.clientId, 'new-key'));
    expect(fresh.body.errors).toBeUndefined();
    expect(s.calls('data')).toBe(1); // the cached page was not served to the unverified pair
    const cached = await s.gql(PAGE, { filter }, headers(rotated.clientId, 'new-key'));
    expect(cached.body.data).toEqual(fresh.body.data);
    expect(s.calls('data')).toBe(1);
  });
});
