import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../helpers/stack.js';

/** POST one operation of a document by name (stack.gql sends no operationName). */
async function named(s: Stack, query: string, operationName: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const res = await s.app.yoga.fetch('http://localhost/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, operationName, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown> | null; errors?: unknown[]; extensions?: { jobspikr?: Record<string, unknown> } };
}

const DOC = 'query A { __typename } query B($filter: JobFilter) { jobs(filter: $filter, first: 20) { nodes { uniqId } } }';

describe('a document of several operations runs the one named, whichever ran first', () => {
  let s: Stack;
  beforeAll(async () => {
    s = await startStack({ key: 'production' });
  });
  afterAll(async () => {
    await s.close();
  });

  it('A after B is A: nothing bought under a cap of 0 credits, and B is still B', async () => {
    const b = await named(s, DOC, 'B', { filter: { city: 'Austin' } });
    expect(b.errors).toBeUndefined();
    expect(b.extensions?.jobspikr).toMatchObject({ creditsCharged: 20 });
    s.sandbox.clearLog();
    const a = await named(s, DOC, 'A', { filter: { city: 'Denver' } }, { 'x-max-credits': '0' });
    expect(a.errors).toBeUndefined();
    expect(a.data).toEqual({ __typename: 'Query' });
    expect(a.extensions?.jobspikr).toMatchObject({ creditsCharged: 0, upstreamCalls: 0 });
    expect(s.calls('data')).toBe(0);
    const again = await named(s, DOC, 'B', { filter: { city: 'Austin' } });
    expect(again.data).toEqual(b.data);
  });
});
