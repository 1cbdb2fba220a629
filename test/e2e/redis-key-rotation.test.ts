import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startReplicas, type Replicas } from '../helpers/replicas.js';
import type { GqlResult, Stack } from '../helpers/stack.js';

// Finding 6: after a key rotation the old pair must not go on reading what the new pair bought. Two
// replicas share one real Redis (trust marks, cache); the upstream is the sandbox.

const codes = (r: GqlResult) => (r.body.errors ?? []).map((e) => e.extensions?.code);
const PAGE = '{ jobs(first: 5, filter: { keywords: "engineer" }) { nodes { uniqId } } }';

describe('trust in a key pair ends when its client id rotates keys', () => {
  let r: Replicas;
  let a: Stack;
  let b: Stack;
  const clientId = 'rotating_prod_00000001';
  const headers = (authKey: string) => ({ client_id: clientId, client_auth_key: authKey });
  beforeAll(async () => {
    r = await startReplicas({
      sandbox: { jobCount: 300 },
      // Each replica asks Redis at once whether a pair is still trusted.
      env: { REQUIRE_CLIENT_CREDENTIALS: 'true', VERIFIED_KEY_RECHECK_MS: '1' },
      redisPrefix: 'rotation:',
    });
    [a, b] = r.stacks as [Stack, Stack];
    r.sandbox.addKey({ clientId, authKey: 'old-key' }, 'production', 10_000);
  });
  beforeEach(() => r.sandbox.clearLog());
  afterAll(async () => {
    await r.close();
  });

  it('the old pair reads the shared cache while it is the accepted one', async () => {
    expect(codes(await a.gql(PAGE, undefined, headers('old-key')))).toEqual([]);
    const cached = await b.gql(PAGE, undefined, headers('old-key'));
    expect(codes(cached)).toEqual([]);
    expect(r.sandbox.log.filter((e) => e.endpoint === 'data')).toHaveLength(1);
  });

  it('a wrong key for the id (refused) does not end the accepted pair’s trust', async () => {
    expect(codes(await a.gql('{ jobs(first: 1, filter: { keywords: "x" }) { totalCount } }', undefined, headers('guess')))).toEqual(['UNAUTHENTICATED']);
    r.sandbox.clearLog();
    expect(codes(await b.gql(PAGE, undefined, headers('old-key')))).toEqual([]);
    expect(r.sandbox.log).toHaveLength(0);
  });

  it('once a new pair of the id is accepted, the old pair gets none of what it bought: its request goes upstream and is refused', async () => {
    r.sandbox.addKey({ clientId, authKey: 'new-key' }, 'production', 10_000);
    const bought = '{ jobs(first: 2, filter: { keywords: "nurse" }) { nodes { uniqId } } }';
    // The new pair is accepted on replica a and buys a page ...
    expect(codes(await a.gql(bought, undefined, headers('new-key')))).toEqual([]);
    r.sandbox.clearLog();
    // ... which the old pair, on replica b, is not served from the id's cache.
    const old = await b.gql(bought, undefined, headers('old-key'));
    expect(codes(old)).toEqual(['UNAUTHENTICATED']);
    expect(old.body.data?.jobs ?? null).toBeNull();
    expect(r.sandbox.log.map((e) => e.status)).toEqual([401]);
    // The new pair reads the id's cache, on either replica.
    r.sandbox.clearLog();
    expect(codes(await b.gql(PAGE, undefined, headers('new-key')))).toEqual([]);
    expect(codes(await b.gql(bought, undefined, headers('new-key')))).toEqual([]);
    expect(r.sandbox.log).toHaveLength(0);
  });

  it('a 401 for the accepted pair (revoked) ends trust on every replica', async () => {
    r.sandbox.addKey({ clientId, authKey: 'third-key' }, 'production', 10_000);
    // new-key is revoked: its next uncached call is refused on replica a ...
    expect(codes(await a.gql('{ jobs(first: 1, filter: { keywords: "chef" }) { totalCount } }', undefined, headers('new-key')))).toEqual(['UNAUTHENTICATED']);
    r.sandbox.clearLog();
    // ... and replica b no longer serves it the cached page.
    expect(codes(await b.gql(PAGE, undefined, headers('new-key')))).toEqual(['UNAUTHENTICATED']);
    expect(r.sandbox.log.map((e) => e.status)).toEqual([401]);
  });
});
