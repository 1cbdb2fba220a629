import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { JobGlobalIdDocument, JobsByIdsDocument, NodeTypeDocument } from '../generated/graphql.js';
import { codeOf, dataOf, readData } from '../helpers/results.js';
import { dataBodies, lookedUp } from '../helpers/sent.js';
import { startStack, type Stack } from '../helpers/stack.js';

// job / jobsByUniqIds / node / nodes: every lookup of one operation goes upstream as one `terms` call.

let stack: Stack;
let ids: string[];
let cursor = 0;
beforeAll(async () => {
  stack = await startStack({ unlimited: true, sandbox: { jobCount: 1200 } });
  ids = stack.sandbox.jobs.map((r) => r.uniq_id);
});
afterAll(async () => {
  await stack.close();
});
beforeEach(() => stack.sandbox.clearLog());

/** `n` ids no earlier test has looked up, so nothing is served from the record cache. */
function fresh(n: number): string[] {
  const out = ids.slice(cursor, cursor + n);
  cursor += n;
  expect(out).toHaveLength(n);
  return out;
}
const unknownId = (i: number) => `${'f'.repeat(28)}${String(i).padStart(4, '0')}`;
const globalId = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
const termsSent = () => dataBodies(stack.sandbox).map(lookedUp);

describe('job(uniqId:)', () => {
  it('25 aliased lookups in one operation make exactly one upstream call', async () => {
    const want = fresh(25);
    const query = `{ ${want.map((id, i) => `j${i}: job(uniqId: "${id}") { uniqId title }`).join(' ')} }`;
    const r = await stack.gql(query);
    expect(r.body.errors).toBeUndefined();
    const data = dataOf(r);
    for (const [i, id] of want.entries()) expect(data[`j${i}`]).toMatchObject({ uniqId: id });
    expect(stack.calls()).toBe(1);
    expect(termsSent()).toEqual([[...want].sort()]);
    const [body] = dataBodies(stack.sandbox);
    expect(body?.size).toBe(25);
    expect(body?.search_query_json).toEqual({ terms: { uniq_id: [...want].sort() } });
    expect(r.body.extensions?.jobspikr).toMatchObject({ upstreamCalls: 1 });
  });

  it('the same lookups again are served from the record cache: zero calls', async () => {
    const want = fresh(3);
    const query = `{ ${want.map((id, i) => `j${i}: job(uniqId: "${id}") { uniqId }`).join(' ')} }`;
    await stack.gql(query);
    stack.sandbox.clearLog();
    const r = await stack.gql(query);
    expect(r.body.errors).toBeUndefined();
    expect(stack.calls()).toBe(0);
  });

  it('unknown id is null; upper case is the same id', async () => {
    const [id = ''] = fresh(1);
    const r = await stack.gql(`{ a: job(uniqId: "${unknownId(1)}") { uniqId } b: job(uniqId: "${id.toUpperCase()}") { uniqId } }`);
    expect(r.body.errors).toBeUndefined();
    expect(r.body.data).toEqual({ a: null, b: { uniqId: id } });
    expect(stack.calls()).toBe(1);
  });

  it('an invalid uniqId is BAD_USER_INPUT with no upstream call', async () => {
    for (const bad of ['abc', 'g'.repeat(32), `${'a'.repeat(32)}0`, '', "' OR 1=1 --"]) {
      const r = await stack.gql('query($id: String!) { job(uniqId: $id) { uniqId } }', { id: bad });
      expect(codeOf(r), bad).toBe('BAD_USER_INPUT');
      expect(r.body.data).toEqual({ job: null });
    }
    expect(stack.calls()).toBe(0);
  });
});

describe('jobsByUniqIds', () => {
  it('keeps the order asked, null where unknown, one call', async () => {
    const [a = '', b = '', c = ''] = fresh(3);
    const asked = [c, unknownId(2), a, b, a];
    const r = await stack.gql(JobsByIdsDocument, { ids: asked });
    expect(r.body.errors).toBeUndefined();
    expect(dataOf(r).jobsByUniqIds.map((j) => j?.uniqId ?? null)).toEqual([c, null, a, b, a]);
    expect(stack.calls()).toBe(1);
    expect(termsSent()).toEqual([[a, b, c, unknownId(2)].sort()]);
  });

  it('an empty list is an empty list, no call', async () => {
    const r = await stack.gql('{ jobsByUniqIds(uniqIds: []) { uniqId } }');
    expect(r.body).toMatchObject({ data: { jobsByUniqIds: [] } });
    expect(stack.calls()).toBe(0);
  });

  it('any invalid id, or more than 100, is BAD_USER_INPUT with no call', async () => {
    const [a = ''] = fresh(1);
    const r1 = await stack.gql('query($ids: [String!]!) { jobsByUniqIds(uniqIds: $ids) { uniqId } }', { ids: [a, 'nope'] });
    expect(codeOf(r1)).toBe('BAD_USER_INPUT');
    const r2 = await stack.gql('query($ids: [String!]!) { jobsByUniqIds(uniqIds: $ids) { uniqId } }', {
      ids: Array.from({ length: 101 }, (_, i) => unknownId(i)),
    });
    expect(codeOf(r2)).toBe('BAD_USER_INPUT');
    expect(stack.calls()).toBe(0);
  });

  it('100 ids are one call; beyond that the batches split at 100', async () => {
    const hundred = fresh(100);
    const r = await stack.gql(JobsByIdsDocument, { ids: hundred });
    expect(dataOf(r).jobsByUniqIds.map((j) => j?.uniqId)).toEqual(hundred);
    expect(stack.calls()).toBe(1);
    stack.sandbox.clearLog();
    const more = fresh(150);
    const r2 = await stack.gql('query($a: [String!]!, $b: [String!]!) { a: jobsByUniqIds(uniqIds: $a) { uniqId } b: jobsByUniqIds(uniqIds: $b) { uniqId } }', {
      a: more.slice(0, 75),
      b: more.slice(75),
    });
    expect(r2.body.errors).toBeUndefined();
    expect(stack.calls()).toBe(2);
    expect(termsSent().flat().sort()).toEqual([...more].sort());
  });
});

describe('node / nodes', () => {
  it('Job global IDs batch with job and jobsByUniqIds into one call', async () => {
    const [a = '', b = '', c = '', d = '', e = ''] = fresh(5);
    const r = await stack.gql(
      `query($n: ID!, $ns: [ID!]!) {
        job(uniqId: "${a}") { id uniqId }
        jobsByUniqIds(uniqIds: ["${b}"]) { uniqId }
        node(id: $n) { id ... on Job { uniqId title } }
        nodes(ids: $ns) { id ... on Job { uniqId } }
      }`,
      { n: globalId('Job', c), ns: [globalId('Job', d), globalId('Job', unknownId(3)), globalId('Job', e)] },
    );
    expect(r.body.errors).toBeUndefined();
    const data = readData(r, z.looseObject({ node: z.looseObject({ uniqId: z.string() }), nodes: z.array(z.looseObject({ uniqId: z.string() }).nullable()) }));
    expect(data.job).toEqual({ id: globalId('Job', a), uniqId: a });
    expect(data.node.uniqId).toBe(c);
    expect(data.nodes.map((n) => n?.uniqId ?? null)).toEqual([d, null, e]);
    expect(stack.calls()).toBe(1);
    expect(termsSent()).toEqual([[a, b, c, d, e, unknownId(3)].sort()]);
  });

  it('a Job id round-trips through node', async () => {
    const [a = ''] = fresh(1);
    const r1 = await stack.gql(JobGlobalIdDocument, { id: a });
    const id = dataOf(r1).job?.id ?? '';
    expect(id).not.toBe('');
    const r2 = await stack.gql(NodeTypeDocument, { id });
    expect(r2.body.data).toEqual({ node: { __typename: 'Job', id } });
  });

  it('a global ID that is not a job gives null or BAD_USER_INPUT, never an upstream call or a masked error', async () => {
    for (const id of [globalId('Job', 'nope'), 'not-base64!', globalId('Nothing', 'a'.repeat(32))]) {
      const r = await stack.gql('query($id: ID!) { node(id: $id) { id } }', { id });
      if (r.body.errors) expect(codeOf(r), `${id}: ${JSON.stringify(r.body.errors)}`).toBe('BAD_USER_INPUT');
      else expect(r.body.data).toEqual({ node: null });
    }
    expect(stack.calls()).toBe(0);
  });
});
