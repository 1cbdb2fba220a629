import { afterEach, describe, expect, it } from 'vitest';
import { ExpiredCountDocument, ExpiryOfJobsDocument } from '../generated/graphql.js';
import { dataOf } from '../helpers/results.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const AGG = '{ aggregate(field: CITY, limit: 5) { key count } }';

describe('budget at cold start and around purchases', () => {
  it('a call started before the key was accepted is joined, not repeated, once the key is accepted', async () => {
    stack = await startStack();
    // The first count is slow, so it is still in flight when a search proves the key meanwhile.
    stack.sandbox.injectFault({ kind: 'slow', endpoint: 'aggregate_data', times: 1, delayMs: 400 });
    const first = stack.gql(AGG);
    await new Promise((r) => setTimeout(r, 50));
    const search = await stack.gql('{ jobs(first: 1) { totalCount } }');
    expect(search.body.errors).toBeUndefined();
    const second = await stack.gql(AGG);
    const a = await first;
    expect(a.body.errors).toBeUndefined();
    expect(second.body.data).toEqual(a.body.data);
    expect(stack.calls('aggregate_data')).toBe(1);
    expect(second.body.extensions?.jobspikr).toMatchObject({ upstreamCalls: 0 });
  });

  it('buying jobs that have not expired keeps the expired list cached; buying an expired one refreshes it', async () => {
    stack = await startStack();
    const EXPIRED = { from: '2024-01-01', to: '2026-12-31', first: 100 };
    await stack.gql('{ jobs(first: 20) { totalCount } }');
    const before = await stack.gql(ExpiredCountDocument, EXPIRED);
    expect(before.body.errors).toBeUndefined();
    expect(before.body.data).toEqual({ expiredJobs: { totalCount: 0 } });
    // A default search excludes expired jobs: nothing it buys can be on the list.
    await stack.gql('{ jobs(first: 20, filter: { keywords: "engineer" }) { totalCount } }');
    await stack.gql(ExpiredCountDocument, EXPIRED);
    expect(stack.calls('expired_jobs')).toBe(1);
    // With expired jobs included, the purchase can change the list: it is asked again.
    const withExpired = await stack.gql(ExpiryOfJobsDocument, { first: 100, filter: { includeExpired: true } });
    const nodes = dataOf(withExpired).jobs.nodes;
    const expiredBought = nodes.filter((n) => n.hasExpired !== false).length;
    expect(expiredBought).toBeGreaterThan(0);
    const after = await stack.gql(ExpiredCountDocument, EXPIRED);
    expect(stack.calls('expired_jobs')).toBe(2);
    expect(dataOf(after).expiredJobs.totalCount).toBeGreaterThan(0);
  });
});

describe('trust in an accepted key lapses after VERIFIED_KEY_TTL_MS', () => {
  it('serves the cache while trusted, asks the upstream again once trust lapsed, then trusts anew', async () => {
    stack = await startStack({ env: { VERIFIED_KEY_TTL_MS: '300' } });
    const q = '{ jobs(first: 4) { nodes { uniqId } } }';
    await stack.gql(q);
    await stack.gql(q);
    expect(stack.calls('data')).toBe(1);
    await new Promise((r) => setTimeout(r, 400));
    await stack.gql(q);
    expect(stack.calls('data')).toBe(2);
    await stack.gql(q);
    expect(stack.calls('data')).toBe(2);
  });
});
