import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateOperation } from '../../src/plugins/operation-estimate.js';
import { startStack, type Stack } from '../helpers/stack.js';

/** A second team's subgraph that prices its own types at nothing (it buys nothing). */
const NOTES_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost"])

  type Query {
    notes: [Note!]!
  }
  type Note @cost(weight: 0) {
    text: String!
    job: Job!
  }
  type Job @key(fields: "uniqId") {
    uniqId: String!
  }
`;

const MAX_COST = 100;

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

interface GatewayResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
  extensions?: { cost?: { estimated: number; max: number } };
}

/**
 * Hive Gateway with demand control on, composed from the jobs subgraph (its SDL as `_service` serves
 * it) and a second one: the gateway prices operations by our @cost/@listSize in JobsPikr credits.
 */
describe('demand control at a real gateway (Hive Gateway, maxCost 100)', () => {
  let stack: Stack;
  const servers: Server[] = [];
  let gatewayUrl: string;
  let uniqId: string;

  beforeAll(async () => {
    stack = await startStack();
    uniqId = stack.sandbox.jobs[7]?.uniq_id ?? '';
    const jobs = await listen((req, res) => void stack.app.yoga(req, res));
    const sdl = await fetch(jobs.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    const jobsSdl = ((await sdl.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
    const notesSchema = buildSubgraphSchema({
      typeDefs: parse(NOTES_SDL),
      resolvers: { Query: { notes: () => [{ text: 'look at this one', job: { uniqId } }] }, Job: { __resolveReference: (ref: { uniqId: string }) => ref } },
    });
    const notes = await listen(createYoga({ schema: notesSchema, logging: false }));
    const composed = composeServices([
      { name: 'jobs', typeDefs: parse(jobsSdl), url: jobs.url },
      { name: 'notes', typeDefs: parse(NOTES_SDL), url: notes.url },
    ]);
    if (composed.errors) throw new Error(`composition failed:\n${composed.errors.map((e) => e.message).join('\n')}`);
    const gateway = createGatewayRuntime({
      supergraph: composed.supergraphSdl,
      logging: false,
      demandControl: { maxCost: MAX_COST, includeExtensionMetadata: true },
    });
    const gw = await listen(gateway);
    servers.push(jobs.server, notes.server, gw.server);
    gatewayUrl = gw.url;
  });

  afterAll(async () => {
    for (const s of servers.reverse()) {
      await new Promise<void>((resolve) => {
        s.close(() => resolve());
        s.closeAllConnections();
      });
    }
    await stack?.close();
  });

  async function viaGateway(query: string, variables?: Record<string, unknown>): Promise<GatewayResult> {
    const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as GatewayResult;
  }

  it('prices every paying field as our credit estimate does, field by field', async () => {
    const ids = (n: number) => stack.sandbox.jobs.slice(0, n).map((j) => j.uniq_id);
    const cases: { query: string; variables?: Record<string, unknown>; credits: number }[] = [
      { query: '{ jobs(first: 7) { nodes { uniqId title } } }', credits: 7 },
      { query: '{ jobs(first: 9) { totalCount pageInfo { hasNextPage } edges { cursor node { title location { city } salary { from } } } } }', credits: 9 },
      { query: 'query($n: Int) { jobs(first: $n) { nodes { uniqId } } }', variables: { n: 12 }, credits: 12 },
      { query: '{ jobs { nodes { uniqId } } }', credits: 10 },
      { query: '{ expiredJobs(from: "2026-01-01", to: "2026-01-31", first: 5) { nodes { uniqId job { title } } } }', credits: 5 },
      { query: '{ expiredJobs(from: "2026-01-01", to: "2026-01-31", first: 5) { nodes { uniqId expiredOn } } }', credits: 0 },
      { query: `{ job(uniqId: "${uniqId}") { title location { city } } }`, credits: 1 },
      { query: `{ node(id: "${encodeGlobalID('Job', uniqId)}") { id } }`, credits: 1 },
      // A gateway cannot count a list argument: id lists are priced at the most they take (100).
      { query: 'query($ids: [String!]!) { jobsByUniqIds(uniqIds: $ids) { uniqId } }', variables: { ids: ids(100) }, credits: 100 },
      { query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: ids(100).map((u) => encodeGlobalID('Job', u)) }, credits: 100 },
      { query: '{ aggregate(field: COMPANY, limit: 5) { key count } }', credits: 0 },
      { query: '{ apiUsage { sandbox limits { endpoint remainingThisMinute } } }', credits: 0 },
    ];
    for (const c of cases) {
      const ours = estimateOperation(parse(c.query), undefined, c.variables).credits;
      const r = await viaGateway(c.query, c.variables);
      expect({ query: c.query, gateway: r.extensions?.cost?.estimated, ours, errors: r.errors }).toEqual({
        query: c.query,
        gateway: c.credits,
        ours: c.credits,
        errors: undefined,
      });
    }
  });

  it('refuses an operation over maxCost before the subgraph is asked (no upstream call), and passes one at maxCost', async () => {
    stack.sandbox.clearLog();
    const over = await viaGateway(`{ jobs(first: 100) { nodes { uniqId } } job(uniqId: "${uniqId}") { title } }`);
    expect(over.data ?? null).toBeNull();
    // One error per subgraph fetch the gateway refused to send.
    expect(new Set(over.errors?.map((e) => e.extensions?.code))).toEqual(new Set(['COST_ESTIMATED_TOO_EXPENSIVE']));
    expect(over.extensions?.cost).toEqual({ estimated: 101, max: MAX_COST });
    expect(stack.calls()).toBe(0);

    const atMax = await viaGateway('{ jobs(first: 100) { nodes { uniqId } } }');
    expect(atMax.errors).toBeUndefined();
    expect((atMax.data?.jobs as { nodes: unknown[] } | undefined)?.nodes).toHaveLength(100);
    expect(atMax.extensions?.cost?.estimated).toBe(100);
  });

  it('prices a job reached from the other subgraph: its @cost where it is referenced, plus the entity fetch (an upper bound)', async () => {
    const r = await viaGateway('{ notes { text job { uniqId title } } }');
    expect(r.errors).toBeUndefined();
    expect((r.data?.notes as { job: { uniqId: string } }[] | undefined)?.[0]?.job.uniqId).toBe(uniqId);
    // 1 for the Job the notes subgraph returns (our @cost travels with the entity type through the
    // supergraph) + 1 for the `_entities` fetch, whose union type federation defines and no subgraph can price.
    expect(r.extensions?.cost?.estimated).toBe(2);
  });
});
