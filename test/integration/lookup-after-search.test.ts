import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

const nodesOf = (jobs: unknown): { uniqId: string }[] => (jobs as { nodes?: { uniqId: string }[] } | undefined)?.nodes ?? [];

// Root fields run in parallel. A lookup by id in the same operation as a search whose page holds that
// id waits for the search, so the record is taken from the page just bought, not bought a second time.
describe('a lookup next to a search in one operation', () => {
  let warm: Stack;
  let cold: Stack;
  let paid: Stack;
  let ids: string[];
  beforeAll(async () => {
    warm = await startStack({ sandbox: { jobCount: 300 } });
    // Another server over the same sandbox learns what the page holds, so `cold` starts with nothing cached.
    const page = await warm.gql('{ jobs(first: 5, filter: { keywords: "engineer" }) { nodes { uniqId } } }');
    ids = nodesOf(page.body.data?.jobs).map((n) => n.uniqId);
    expect(ids).toHaveLength(5);
    cold = await startStack({ shared: warm.sandbox });
    paid = await startStack({ shared: warm.sandbox, key: 'production' });
  });
  afterAll(async () => {
    await cold.close();
    await paid.close();
    await warm.close();
  });

  it('buys the page once: the looked-up records come from it', async () => {
    warm.sandbox.clearLog();
    const r = await cold.gql(`{
      jobs(first: 5, filter: { keywords: "engineer" }) { nodes { uniqId } }
      one: job(uniqId: "${ids[2]}") { uniqId title }
      some: jobsByUniqIds(uniqIds: ["${ids[0]}", "${ids[4]}"]) { uniqId }
    }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?.one).toMatchObject({ uniqId: ids[2] });
    expect(r.body.data?.some).toEqual([{ uniqId: ids[0] }, { uniqId: ids[4] }]);
    expect(warm.sandbox.log.map((e) => [e.endpoint, e.records])).toEqual([['data', 5]]);
  });

  it('still buys an id the page does not hold: one call for the search, one for the lookup', async () => {
    warm.sandbox.clearLog();
    const other = await warm.gql('{ jobs(first: 1, filter: { keywords: "nurse" }) { nodes { uniqId } } }');
    const outside = nodesOf(other.body.data?.jobs)[0]?.uniqId;
    expect(outside).toBeDefined();
    expect(ids).not.toContain(outside);
    warm.sandbox.clearLog();
    const r = await cold.gql(`{
      jobs(first: 3, filter: { keywords: "analyst" }) { nodes { uniqId } }
      job(uniqId: "${outside}") { uniqId }
    }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?.job).toEqual({ uniqId: outside });
    expect(warm.sandbox.log.map((e) => e.endpoint)).toEqual(['data', 'data']);
  });

  it('under a production key, with the lookup written first, charges the page only', async () => {
    warm.sandbox.clearLog();
    const r = await paid.gql(`{
      job(uniqId: "${ids[1]}") { uniqId }
      jobs(first: 5, filter: { keywords: "engineer" }) { nodes { uniqId } }
    }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data?.job).toEqual({ uniqId: ids[1] });
    expect(warm.sandbox.log.map((e) => [e.endpoint, e.records])).toEqual([['data', 5]]);
    expect(r.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 5, upstreamCalls: 1 });
  });
});
