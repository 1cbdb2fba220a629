import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineerPageDocument as PAGE } from '../generated/graphql.js';
import { dataOf } from '../helpers/results.js';
import { startStack, type Stack } from '../helpers/stack.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ key: 'production' });
});
afterAll(() => stack.close());

describe('pages cut from a larger cached page', () => {
  it('paging on after a cut page is served from the rest of that page: nothing is bought twice', async () => {
    const big = dataOf(await stack.gql(PAGE, { first: 20 }));
    const first = dataOf(await stack.gql(PAGE, { first: 10 }));
    const second = await stack.gql(PAGE, { first: 10, after: first.jobs.pageInfo.endCursor });
    const next = dataOf(second).jobs;
    expect([...first.jobs.nodes, ...next.nodes].map((n) => n.uniqId)).toEqual(big.jobs.nodes.map((n) => n.uniqId));
    expect(stack.calls('data')).toBe(1);
    expect(second.body.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, creditsSavedByCache: 10, upstreamCalls: 0 });
    // The end of the cut-and-resumed pages is the upstream's own cursor: the next page continues as the big page would.
    const third = await stack.gql(PAGE, { first: 5, after: next.pageInfo.endCursor });
    const fromBig = await stack.gql(PAGE, { first: 5, after: big.jobs.pageInfo.endCursor });
    expect(third.body.data).toEqual(fromBig.body.data);
    expect(stack.sandbox.creditsRemaining(stack.sandbox.keys.production.clientId)).toBe(10_000 - 25);
  });
});
