import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { getOperationAST, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createContext, type ContextDeps } from './context.js';
import { isAppError, toGraphQLError } from './errors.js';
import { DEFAULT_QUERY } from './graphiql/default-query.js';
import { MAX_BREADTH, RESPONSE_COMPRESSION_MIN_BYTES } from './limits.js';
import type { Metrics } from './metrics.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import { useBudget } from './plugins/use-budget.js';
import { useErrorCodes } from './plugins/use-error-codes.js';
import { useGraphiQL } from './plugins/use-graphiql.js';
import { useHostCheck } from './plugins/use-host-check.js';
import { useOperationalRoutes } from './plugins/use-operational-routes.js';
import { useResponseLimit } from './plugins/use-response-limit.js';
import { useStale } from './plugins/use-stale.js';
import { useResponseCompression } from './plugins/use-response-compression.js';
import { requestCredentials } from './request-credentials.js';
import { schema } from './schema/index.js';
import type { Credentials } from './upstream/credentials.js';
import type { HostPool } from './upstream/hosts.js';

export interface ServerDeps extends Omit<ContextDeps, 'limits'> {
  /** The server's own keys; undefined in multi-tenant mode (callers bring theirs). */
  serverKeys: Credentials | undefined;
  logger: Logger;
  metrics: Metrics;
  hosts: HostPool;
  limits: Config['operationLimits'];
  production: boolean;
  /** Serve GraphiQL on GET /graphql (Accept: text/html). */
  graphiql: boolean;
}

/** Whether the schema has a root type for the operation to run (graphql-js reports the missing ones itself). */
function hasRootType(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean {
  const op = getOperationAST(document, operationName);
  return !!op && !!schema.getRootType(op.operation);
}

/** Build the GraphQL server (no listening, no env): tests call `yoga.fetch` on it directly. */
export function createServer(deps: ServerDeps) {
  const l = deps.limits;
  const contextDeps: ContextDeps = {
    jobs: deps.jobs,
    gate: deps.gate,
    cursors: deps.cursors,
    limits: { complexity: l.maxCost, depth: l.maxDepth, breadth: MAX_BREADTH },
  };
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: deps.logger,
    maskedErrors: { isDev: !deps.production },
    // useBodyLimit below: cheaper, and a chunked body without Content-Length is cut off too (413).
    maxRequestBodySize: false,
    batching: l.maxBatch > 0 ? { limit: l.maxBatch } : false,
    // Served by useGraphiQL below (assets apart, cached and compressed), or not at all.
    graphiql: false,
    context: ({ request }) => {
      try {
        return createContext(contextDeps, requestCredentials(request.headers, deps.serverKeys), request.signal);
      } catch (e) {
        // Refused before execution: the error answers the whole request (401 for missing keys).
        throw isAppError(e) ? toGraphQLError(e) : e;
      }
    },
    plugins: [
      useHostCheck(),
      ...(deps.graphiql
        ? [useGraphiQL({ endpoint: '/graphql', options: { title: 'JobsPikr GraphQL', defaultQuery: DEFAULT_QUERY, shouldPersistHeaders: false } })]
        : []),
      useOperationalRoutes(deps),
      useResponseCompression({ minBytes: RESPONSE_COMPRESSION_MIN_BYTES }),
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
      useStale(),
      useBudget({ maxCredits: l.maxCreditsPerOperation, maxUpstreamCalls: l.maxUpstreamCallsPerRequest }),
      useErrorCodes({ production: deps.production }),
      useResponseLimit(l.maxResponseBytes),
      useBodyLimit(l.maxBodyBytes),
    ],
  });
}
export type Server = ReturnType<typeof createServer>;
