import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useGraphQlJit } from '@envelop/graphql-jit';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { getOperationAST, Kind, type DocumentNode, type GraphQLSchema } from 'graphql';
import { createYoga } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { createContext, type ContextDeps } from './context.js';
import { isAppError, toGraphQLError } from './errors.js';
import { DEFAULT_QUERY } from './graphiql/default-query.js';
import { MAX_BREADTH, RESPONSE_COMPRESSION_MIN_BYTES } from './limits.js';
import type { Metrics } from './metrics.js';
import { useBodyLimit } from './plugins/use-body-limit.js';
import type { CallerMetrics } from './callers/caller-metrics.js';
import type { ResolveCaller } from './callers/resolve-caller.js';
import type { AnswerCache } from './plugins/answer-cache.js';
import { useAnswerCache } from './plugins/use-answer-cache.js';
import { useBudget } from './plugins/use-budget.js';
import { RequestCallers, useCaller } from './plugins/use-caller.js';
import { useCors } from './plugins/use-cors.js';
import { useCallerQuota } from './plugins/use-caller-quota.js';
import { useErrorCodes } from './plugins/use-error-codes.js';
import { useLive } from './plugins/use-live.js';
import { useLiveStream } from './plugins/use-live-stream.js';
import type { LiveHub } from './live/hub.js';
import { liveContext } from './live/request.js';
import { useGraphiQL } from './plugins/use-graphiql.js';
import { useHostCheck } from './plugins/use-host-check.js';
import { useOperationalRoutes } from './plugins/use-operational-routes.js';
import { useOperationLog } from './plugins/use-operation-log.js';
import { useResponseLimit } from './plugins/use-response-limit.js';
import { useStale } from './plugins/use-stale.js';
import { useReadiness } from './plugins/use-readiness.js';
import { useTrustedDocuments } from './plugins/use-trusted-documents.js';
import { useTracing } from './plugins/use-tracing.js';
import type { TrustedDocuments } from './ops/trusted-documents.js';
import type { Readiness } from './ops/readiness.js';
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
  /** Live subscriptions (jobPosted); without it a subscription is refused. */
  live?: LiveHub | undefined;
  /** Answers /readyz. */
  readiness: Readiness;
  /** Operation spans (use-tracing.ts); false: the plugin is not even installed. */
  tracing: boolean;
  /** Documents a request may name by id; `only`: no other document runs. */
  trustedDocuments: { documents: TrustedDocuments; only: boolean };
  resolveCaller: ResolveCaller;
  callerMetrics: CallerMetrics;
  cors: Config['cors'];
  /** Serve GraphiQL on GET /graphql (Accept: text/html). */
  graphiql: boolean;
  /** Whole answers of operations served wholly from cache; absent = every operation executes. */
  answers?: AnswerCache | undefined;
}

const isSubscription = (document: DocumentNode, operationName: string | null | undefined): boolean =>
  getOperationAST(document, operationName)?.operation === 'subscription';

/**
 * @envelop/graphql-jit compiles a document once, for the operation named on its first run, and keeps it by
 * document alone: another operation of the same document would run the first one's compiled query (its
 * fields, its credits, under the second one's estimate). Documents of one operation only are compiled.
 */
function hasOneOperation(document: DocumentNode): boolean {
  let n = 0;
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) n++;
  return n === 1;
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
    quotas: deps.quotas,
    callerRateShare: deps.callerRateShare,
    limits: { complexity: l.maxCost, depth: l.maxDepth, breadth: MAX_BREADTH },
  };
  const callers = new RequestCallers();
  return createYoga({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: deps.logger,
    maskedErrors: { isDev: !deps.production },
    // useBodyLimit below: cheaper, and a chunked body without Content-Length is cut off too (413).
    maxRequestBodySize: false,
    // A request that names a trusted document by id (the plugin replaces it with the document's text).
    extraParamNames: ['documentId'],
    batching: l.maxBatch > 0 ? { limit: l.maxBatch } : false,
    // Served by useGraphiQL below (assets apart, cached and compressed), or not at all.
    graphiql: false,
    cors: false,
    context: (initial) => {
      const { request } = initial;
      try {
        const ctx = createContext(contextDeps, requestCredentials(request.headers, deps.serverKeys), request.signal, callers.of(request));
        return deps.live ? { ...ctx, live: liveContext(deps.live, request, initial, initial.params?.extensions, ctx.caller?.id) } : ctx;
      } catch (e) {
        // Refused before execution: the error answers the whole request (401 for missing keys).
        throw isAppError(e) ? toGraphQLError(e) : e;
      }
    },
    plugins: [
      useHostCheck(),
      useCors(deps.cors.origins),
      ...(deps.graphiql
        ? [
            useGraphiQL({
              endpoint: '/graphql',
              // GraphiQL runs subscriptions as GET + text/event-stream, which CSRF prevention refuses without its header.
              options: {
                title: 'JobsPikr GraphQL',
                defaultQuery: DEFAULT_QUERY,
                shouldPersistHeaders: false,
                additionalHeaders: { 'x-graphql-yoga-csrf': '1' },
              },
            }),
          ]
        : []),
      useOperationalRoutes(deps),
      useResponseCompression({ minBytes: RESPONSE_COMPRESSION_MIN_BYTES }),
      // GraphQL over SSE, single-connection mode (graphql-sse's `singleConnection: true`) at /graphql/stream;
      // distinct-connections mode is yoga's own SSE on /graphql.
      useLiveStream(),
      useLive(),
      useReadiness(deps.readiness),
      useCSRFPrevention(),
      useOperationLog(deps.logger, callers),
      // Before anything reads the body: a refused caller token costs no parsing.
      useCaller(deps.resolveCaller, callers),
      useTrustedDocuments(deps.trustedDocuments),
      ...(deps.tracing ? [useTracing()] : []),
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
      // Not for subscriptions either: its compiled subscribe loses inline argument objects (`jobPosted(filter: {...})`).
      useGraphQlJit(
        {},
        {
          enableIf: ({ schema, document, operationName }) =>
            hasOneOperation(document) && hasRootType(schema, document, operationName) && !isSubscription(document, operationName),
        },
      ),
      useStale(),
      useBudget({ maxCredits: l.maxCreditsPerOperation, maxUpstreamCalls: l.maxUpstreamCallsPerRequest }),
      useCallerQuota({ serverKeys: deps.serverKeys, metrics: deps.callerMetrics }),
      useErrorCodes({ production: deps.production }),
      // Last of the onExecute hooks: a remembered answer skips execution, never another plugin's work.
      ...(deps.answers ? [useAnswerCache(deps.answers)] : []),
      useResponseLimit(l.maxResponseBytes),
      useBodyLimit(l.maxBodyBytes),
    ],
  });
}
export type Server = ReturnType<typeof createServer>;
