import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
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

function useOperationalRoutes(deps: ServerDeps): Plugin {
  return {
    async onRequest({ url, endResponse }) {
      if (url.pathname === '/healthz') {
        endResponse(Response.json({ status: 'ok', upstream: deps.hosts.status() }));
      } else if (url.pathname === '/metrics') {
        endResponse(new Response(await deps.metrics.registry.metrics(), { headers: { 'content-type': deps.metrics.registry.contentType } }));
      }
    },
  };
}

/** Build the GraphQL server (no listening, no env): tests call `yoga.fetch` on it directly. */
export function createServer(deps: ServerDeps) {
  const l = deps.limits;
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: deps.logger,
    maskedErrors: { maskError: maskErrors(deps.production), isDev: !deps.production },
    // Counted on the stream, so a chunked body without Content-Length is cut off too (413).
    maxRequestBodySize: l.maxBodyBytes,
    batching: l.maxBatch > 0 ? { limit: l.maxBatch } : false,
    graphiql: { title: 'JobsPikr GraphQL', defaultQuery: DEFAULT_QUERY, shouldPersistHeaders: false },
    renderGraphiQL,
    context: ({ request }) => {
      const credentials = requestCredentials(request.headers, deps.serverKeys);
      return createContext(
        { jobs: deps.jobs, gate: deps.gate, cursorSecret: deps.cursorSecret, limits: { complexity: l.maxCost, depth: l.maxDepth, breadth: 1000 } },
        credentials,
        request.signal,
      );
    },
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
      useBudget({ defaultMaxCredits: l.maxCreditsPerOperation }),
      useErrorCodes(),
    ],
  });
}
export type Server = ReturnType<typeof createServer>;
