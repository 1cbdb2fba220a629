import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { IncomingMessage } from 'node:http';
import { GraphQLError, getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createGraphQLError, createYoga, maskError, type GraphiQLOptions, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import { createContext, type ContextDeps } from './context.js';
import type { Metrics } from './metrics.js';
import { useBudget } from './plugins/budget.js';
import { useErrorCodes } from './plugins/error-codes.js';
import { requestCredentials } from './request-credentials.js';
import { schema } from './schema/index.js';
import { isAppError } from './upstream/errors.js';
import type { Credentials } from './upstream/credentials.js';
import type { HostPool } from './upstream/hosts.js';

export interface ServerLimits {
  maxDepth: number;
  maxAliases: number;
  maxTokens: number;
  maxDirectives: number;
  maxCost: number;
  maxBodyBytes: number;
  maxBatch: number;
  maxCreditsPerOperation: number;
}

export interface ServerDeps extends Omit<ContextDeps, 'limits'> {
  /** The server's own keys; undefined in multi-tenant mode (callers bring theirs). */
  serverKeys: Credentials | undefined;
  logger: Logger;
  metrics: Metrics;
  hosts: HostPool;
  limits: ServerLimits;
  production: boolean;
}

/** The query GraphiQL opens with: the seed's example search, which the sandbox data answers. */
export const DEFAULT_QUERY = `# Software engineering jobs in San Francisco, mid level, $80,000-$100,000
query SeedExample($after: String) {
  jobs(
    filter: {
      keywords: "software engineer"
      city: "San Francisco"
      seniority: [MID]
      salary: { min: 80000, max: 100000, currency: "USD" }
    }
    first: 10
    after: $after
  ) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      uniqId
      title
      companyName
      postDate
      location { city state }
      salary { offered from to currency }
      skills
    }
  }
  apiUsage { sandbox creditsRemaining limits { endpoint remainingThisMinute } }
}
`;

/**
 * Expected failures keep their code; everything else is masked (and logged by yoga). In production
 * the masked error is "Unexpected error." with nothing of the original: no message, no stack.
 */
export function maskErrors(production: boolean) {
  return (error: unknown, message: string, isDev?: boolean): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (isAppError(original) && error instanceof GraphQLError) {
      return new GraphQLError(original.message, { nodes: error.nodes, path: error.path, extensions: original.toExtensions() });
    }
    return maskError(error, message, production ? false : (isDev ?? true));
  };
}

/** The path of a request URL without building a URL object (this runs on every request). */
function pathOf(url: string): string {
  const scheme = url.indexOf('://');
  const start = scheme < 0 ? 0 : url.indexOf('/', scheme + 3);
  if (start < 0) return '/';
  let end = url.length;
  for (const c of ['?', '#']) {
    const i = url.indexOf(c, start);
    if (i >= 0 && i < end) end = i;
  }
  return url.slice(start, end);
}

function useOperationalRoutes(deps: ServerDeps): Plugin {
  return {
    async onRequest({ request, endResponse }) {
      const path = pathOf(request.url);
      if (path === '/healthz') {
        endResponse(Response.json({ status: 'ok', upstream: deps.hosts.status() }));
      } else if (path === '/metrics') {
        endResponse(new Response(await deps.metrics.registry.metrics(), { headers: { 'content-type': deps.metrics.registry.contentType } }));
      }
    },
  };
}

const tooLarge = () => createGraphQLError('Request body too large', { extensions: { http: { status: 413 }, code: 'REQUEST_ENTITY_TOO_LARGE' } });

/**
 * Request bodies over `limit` bytes get 413, with or without Content-Length. yoga's own limit pipes
 * every body through a TransformStream and a new Request (a tenth of the CPU of a small request);
 * a body that came through Node's HTTP parser with a valid Content-Length is exactly that long
 * (the parser frames it; Content-Length with chunked encoding is refused), so only the header is
 * checked then. Anything else (chunked, or a Request handed to `yoga.fetch`) is counted on the stream.
 */
function useBodyLimit(limit: number): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, serverContext, fetchAPI }) {
      const length = request.headers.get('content-length');
      if (length !== null) {
        if (!/^\d+$/.test(length)) {
          throw createGraphQLError('Content-Length header is invalid.', { extensions: { http: { status: 400 }, code: 'BAD_REQUEST' } });
        }
        if (Number(length) > limit) throw tooLarge();
        if ((serverContext as { req?: unknown }).req instanceof IncomingMessage) return;
      }
      if (!requestParser || request.body === null) return;
      const parse = requestParser;
      setRequestParser(async (req) => parse(new fetchAPI.Request(req.url, { method: req.method, headers: req.headers, body: await readLimited(req, limit) })));
    },
  };
}

/** The body as bytes, refused (413) as soon as more than `limit` bytes have arrived. */
async function readLimited(req: Request, limit: number): Promise<BodyInit> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    for await (const chunk of req.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  }
  return new Blob(chunks as BlobPart[]);
}

/** GraphiQL's page inlines ~9 MB of assets: loaded on the first GraphiQL request, not at start-up (~50 MB of heap). */
async function renderGraphiQL(options: GraphiQLOptions): Promise<string> {
  const m = await import('@graphql-yoga/render-graphiql');
  return m.renderGraphiQL(options);
}

/** Whether the schema has a root type for the operation to run (graphql-js reports the missing ones itself). */
function hasRootType(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean {
  const op = getOperationAST(document, operationName);
  return !!op && !!schema.getRootType(op.operation);
}

/** Build the GraphQL server (no listening, no env): tests call `yoga.fetch` on it directly. */
export function createServer(deps: ServerDeps) {
  const l = deps.limits;
  const contextDeps = {
    jobs: deps.jobs,
    gate: deps.gate,
    cursorSecret: deps.cursorSecret,
    limits: { complexity: l.maxCost, depth: l.maxDepth, breadth: 1000 },
  };
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: deps.logger,
    maskedErrors: { maskError: maskErrors(deps.production), isDev: !deps.production },
    // useBodyLimit below: cheaper, and a chunked body without Content-Length is cut off too (413).
    maxRequestBodySize: false,
    batching: l.maxBatch > 0 ? { limit: l.maxBatch } : false,
    graphiql: { title: 'JobsPikr GraphQL', defaultQuery: DEFAULT_QUERY, shouldPersistHeaders: false },
    renderGraphiQL,
    context: ({ request }) => createContext(contextDeps, requestCredentials(request.headers, deps.serverKeys), request.signal),
    plugins: [
      useOperationalRoutes(deps),
      useCSRFPrevention(),
      EnvelopArmorPlugin({
        maxDepth: { n: l.maxDepth, ignoreIntrospection: true },
        maxAliases: { n: l.maxAliases },
        maxTokens: { n: l.maxTokens },
        maxDirectives: { n: l.maxDirectives },
        costLimit: { enabled: false },
        blockFieldSuggestion: { enabled: deps.production },
      }),
      // Compiled execution (graphql-jit), cached per parsed document: ~2x cheaper execution of a cached search.
      // Only for operations the schema can run: graphql-jit throws a plain Error (a 500) for a mutation on a
      // schema without one, where graphql-js answers a GraphQLError that is the caller's input error.
      useGraphQlJit({}, { enableIf: ({ schema, document, operationName }) => hasRootType(schema, document, operationName) }),
      useBudget({ defaultMaxCredits: l.maxCreditsPerOperation }),
      useErrorCodes(),
      // After every request parser, so it wraps whichever one is chosen.
      useBodyLimit(l.maxBodyBytes),
    ],
  });
}
export type Server = ReturnType<typeof createServer>;
