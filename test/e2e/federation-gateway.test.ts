import { buildSubgraphSchema } from '@apollo/subgraph';
import { createGatewayRuntime } from '@graphql-hive/gateway-runtime';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { composeServices } from '@theguild/federation-composition';
import { buildSchema, parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startStack, type Stack } from '../helpers/stack.js';

/** A second team's subgraph: bookmarks that point at JobsPikr jobs by uniqId. */
const BOOKMARKS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable"])

  type Query {
    bookmarks(first: Int! = 10): BookmarkConnection!
  }
  type Bookmark {
    id: ID!
    note: String!
    job: Job!
  }
  type BookmarkConnection {
    nodes: [Bookmark!]!
    hasMore: Boolean!
    totalCount: Int!
  }
  type Job @key(fields: "uniqId") {
    uniqId: String!
    bookmarkCount: Int!
  }
`;

/** A third subgraph that only knows jobs by their Relay global id. */
const VIEWS_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Query {
    recentlyViewed: [Job!]!
  }
  type Job @key(fields: "id") {
    id: ID!
    viewCount: Int!
  }
`;

/** Another subgraph written the Relay way: its own Node interface and PageInfo, as every Relay server has. */
const SAVED_SEARCHES_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable"])

  type Query {
    savedSearches(first: Int! = 10, after: String): SavedSearchConnection!
  }
  interface Node {
    id: ID!
  }
  type SavedSearch implements Node @key(fields: "id") {
    id: ID!
    name: String!
    keywords: String!
  }
  type SavedSearchConnection {
    nodes: [SavedSearch!]!
    pageInfo: PageInfo!
  }
  type PageInfo @shareable {
    hasNextPage: Boolean!
    hasPreviousPage: Boolean!
    startCursor: String
    endCursor: String
  }
`;

function bookmarksSubgraph(uniqIds: readonly string[]) {
  return buildSubgraphSchema({
    typeDefs: parse(BOOKMARKS_SDL),
    resolvers: {
      Query: {
        bookmarks: (_: unknown, args: { first: number }) => ({
          nodes: uniqIds.slice(0, args.first).map((uniqId, i) => ({ id: `bm${i}`, note: `Bookmark ${i}`, job: { uniqId } })),
          totalCount: uniqIds.length,
          hasMore: args.first < uniqIds.length,
        }),
      },
      Job: {
        __resolveReference: (ref: { uniqId: string }) => ({ uniqId: ref.uniqId }),
        bookmarkCount: (job: { uniqId: string }) => (uniqIds.includes(job.uniqId) ? 1 : 0),
      },
    },
  });
}

function viewsSubgraph(uniqIds: readonly string[]) {
  const ids = uniqIds.map((u) => encodeGlobalID('Job', u));
  return buildSubgraphSchema({
    typeDefs: parse(VIEWS_SDL),
    resolvers: {
      Query: { recentlyViewed: () => ids.map((id) => ({ id })) },
      Job: {
        __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
        viewCount: (job: { id: string }) => ids.indexOf(job.id) + 1,
      },
    },
  });
}

async function listen(handler: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

async function close(server: Server | undefined): Promise<void> {
  if (!server) return;
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

interface GatewayResult {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

describe('the jobs subgraph behind a real federation gateway', () => {
  let stack: Stack;
  const servers: Server[] = [];
  let gatewayUrl: string;
  let subgraphRequests = 0;
  let bookmarked: string[];
  let viewed: string[];
  let supergraphSdl: string;
  let publicSdl: string;
  let jobsSdl: string;

  beforeAll(async () => {
    stack = await startStack();
    // jobs the bookmarks point at: 25 distinct records, none fetched before (cold record cache)
    bookmarked = stack.sandbox.jobs.slice(100, 125).map((j) => j.uniq_id);
    viewed = stack.sandbox.jobs.slice(200, 203).map((j) => j.uniq_id);

    const jobs = await listen((req, res) => {
      subgraphRequests++;
      void stack.app.yoga(req, res);
    });
    servers.push(jobs.server);
    const sdlRes = await fetch(jobs.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    jobsSdl = z.object({ data: z.object({ _service: z.object({ sdl: z.string() }) }) }).parse(await sdlRes.json()).data._service.sdl;

    const bookmarks = await listen(createYoga({ schema: bookmarksSubgraph(bookmarked), logging: false }));
    const views = await listen(createYoga({ schema: viewsSubgraph(viewed), logging: false }));
    servers.push(bookmarks.server, views.server);

    const composed = composeServices([
      { name: 'jobs', typeDefs: parse(jobsSdl), url: jobs.url },
      { name: 'bookmarks', typeDefs: parse(BOOKMARKS_SDL), url: bookmarks.url },
      { name: 'views', typeDefs: parse(VIEWS_SDL), url: views.url },
    ]);
    if (composed.errors) throw new Error(`composition failed:\n${composed.errors.map((e) => e.message).join('\n')}`);
    supergraphSdl = composed.supergraphSdl;
    publicSdl = composed.publicSdl;

    const gateway = createGatewayRuntime({ supergraph: supergraphSdl, logging: false });
    const gw = await listen(gateway);
    servers.push(gw.server);
    gatewayUrl = gw.url;
  });

  afterAll(async () => {
    for (const s of servers.reverse()) await close(s);
    await stack?.close();
  });

  async function viaGateway(query: string, variables?: Record<string, unknown>): Promise<GatewayResult> {
    const res = await fetch(gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    expect(res.status).toBe(200);
    return (await res.json()) as GatewayResult;
  }

  it('composes: Job is an entity keyed by id and by uniqId, and the public API keeps the SURFACE names', () => {
    expect(supergraphSdl).toMatch(/type Job[^{]*@join__type\(graph: JOBS, key: "id"\)/);
    expect(supergraphSdl).toMatch(/type Job[^{]*@join__type\(graph: JOBS, key: "uniqId"\)/);
    expect(supergraphSdl).toMatch(/type ExpiredJob[^{]*@join__type\(graph: JOBS, key: "id"\)/);
    const query = buildSchema(publicSdl).getQueryType()?.getFields() ?? {};
    expect(String(query.jobsByUniqIds?.type)).toBe('[Job]!');
    expect(String(query.jobs?.type)).toBe('JobConnection!');
    expect(String(query.node?.type)).toBe('Node');
    expect(String(query.bookmarks?.type)).toBe('BookmarkConnection!');
  });

  it('composes next to another Relay-style subgraph that defines PageInfo (PageInfo must be @shareable)', () => {
    const composed = composeServices([
      { name: 'jobs', typeDefs: parse(jobsSdl), url: 'http://jobs.invalid/graphql' },
      { name: 'saved', typeDefs: parse(SAVED_SEARCHES_SDL), url: 'http://saved.invalid/graphql' },
    ]);
    expect(composed.errors?.map((e) => e.message) ?? []).toEqual([]);
    expect(
      String(
        buildSchema(composed.publicSdl ?? '')
          .getQueryType()
          ?.getFields().savedSearches?.type,
      ),
    ).toBe('SavedSearchConnection!');
  });

  it('resolves 25 job references from the other subgraph with one _entities fetch and one upstream /data call', async () => {
    stack.sandbox.clearLog();
    subgraphRequests = 0;
    const r = await viaGateway('{ bookmarks(first: 25) { totalCount nodes { note job { uniqId title companyName id } } } }');
    expect(r.errors).toBeUndefined();
    const { nodes } = z
      .object({ bookmarks: z.object({ nodes: z.array(z.object({ job: z.object({ uniqId: z.string(), title: z.string().nullable(), id: z.string() }) })) }) })
      .parse(r.data).bookmarks;
    expect(nodes.map((n) => n.job.uniqId)).toEqual(bookmarked);
    expect(nodes.map((n) => n.job.id)).toEqual(bookmarked.map((u) => encodeGlobalID('Job', u)));
    expect(nodes.filter((n) => n.job.title !== null).length).toBeGreaterThan(20);
    expect(subgraphRequests).toBe(1);
    expect(stack.calls('data')).toBe(1);
    expect(stack.calls()).toBe(1);
    expect(stack.sandbox.log[0]?.records).toBe(25);
  });

  it('answers fields of both subgraphs in one operation, in both directions', async () => {
    stack.sandbox.clearLog();
    const r = await viaGateway(`{
      jobs(filter: { keywords: "engineer" }, first: 5) { totalCount pageInfo { hasNextPage } nodes { uniqId title bookmarkCount } }
      bookmarks(first: 2) { totalCount hasMore nodes { note job { title bookmarkCount } } }
    }`);
    expect(r.errors).toBeUndefined();
    const { jobs, bookmarks: bm } = z
      .object({
        jobs: z.object({ pageInfo: z.object({ hasNextPage: z.boolean() }), nodes: z.array(z.object({ uniqId: z.string(), bookmarkCount: z.number() })) }),
        bookmarks: z.object({
          totalCount: z.number(),
          hasMore: z.boolean(),
          nodes: z.array(z.object({ note: z.string(), job: z.object({ bookmarkCount: z.number() }) })),
        }),
      })
      .parse(r.data);
    expect(jobs.nodes).toHaveLength(5);
    expect(jobs.pageInfo.hasNextPage).toBe(true);
    for (const n of jobs.nodes) expect(n.bookmarkCount).toBe(bookmarked.includes(n.uniqId) ? 1 : 0);
    expect(bm.totalCount).toBe(25);
    expect(bm.hasMore).toBe(true);
    expect(bm.nodes.map((n) => [n.note, n.job.bookmarkCount])).toEqual([
      ['Bookmark 0', 1],
      ['Bookmark 1', 1],
    ]);
    // the search costs one call; the bookmarked jobs are already in the record cache
    expect(stack.calls('data')).toBe(1);
  });

  it('resolves references that carry only the global id (@key(fields: "id"))', async () => {
    stack.sandbox.clearLog();
    const r = await viaGateway('{ recentlyViewed { id uniqId title viewCount location { city } } }');
    expect(r.errors).toBeUndefined();
    const list = z.object({ recentlyViewed: z.array(z.object({ id: z.string(), uniqId: z.string(), viewCount: z.number() })) }).parse(r.data).recentlyViewed;
    expect(list.map((j) => j.uniqId)).toEqual(viewed);
    expect(list.map((j) => j.id)).toEqual(viewed.map((u) => encodeGlobalID('Job', u)));
    expect(list.map((j) => j.viewCount)).toEqual([1, 2, 3]);
    expect(stack.calls('data')).toBe(1);
    expect(stack.sandbox.log[0]?.records).toBe(3);
  });

  it('returns null for a reference to an unknown job without failing the rest', async () => {
    const unknown = 'f'.repeat(32);
    const r = await viaGateway('query ($ids: [String!]!) { jobsByUniqIds(uniqIds: $ids) { uniqId } bookmarks(first: 1) { nodes { note } } }', {
      ids: [bookmarked[0], unknown],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data?.jobsByUniqIds).toEqual([{ uniqId: bookmarked[0] }, null]);
    expect(r.data?.bookmarks).toEqual({ nodes: [{ note: 'Bookmark 0' }] });
  });
});
