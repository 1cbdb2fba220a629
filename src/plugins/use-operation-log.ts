import { GraphQLError, getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { OperationUsage } from '../budget/usage.js';
import type { Caller } from '../callers/caller.js';
import type { RequestCallers } from './use-caller.js';
import { withCode } from './use-error-codes.js';

/** What an operation's context carries when it got far enough to have one (ours, from createContext). */
interface Seen {
  params?: { operationName?: string | null | undefined };
  caller?: Caller | null;
  usage?: OperationUsage;
}

type Outcome = 'hit' | 'miss' | 'partial' | 'none';

/** hit: all from cache (or a call someone else made); miss: all upstream; partial: both; none: no data lookups. */
function cacheOutcome(u: OperationUsage | undefined): Outcome {
  if (!u) return 'none';
  const saved = u.lookups.hit + u.lookups.coalesced;
  if (u.upstreamCalls > 0) return saved > 0 ? 'partial' : 'miss';
  return saved > 0 ? 'hit' : 'none';
}

/** Public codes of a result's errors (as useErrorCodes will answer them), each once. */
function codes(result: unknown): string[] {
  const errors = (result as { errors?: readonly unknown[] } | null)?.errors ?? [];
  const out = new Set<string>();
  for (const e of errors) {
    const code = e instanceof GraphQLError ? withCode(e).extensions.code : undefined;
    out.add(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
  }
  return [...out];
}

/**
 * One log line per GraphQL operation: its name, the caller, duration, upstream calls, credits
 * charged, cache outcome and error codes. Never a token or a key: the caller is named by its id.
 * A request refused before it had an operation (an invalid token, an unreadable body) gets one line too.
 * Registered before useCaller, so the time of a refused token is counted.
 */
export function useOperationLog(logger: Logger, callers: RequestCallers): Plugin {
  const started = new WeakMap<Request, number>();
  const logged = new WeakSet<Request>();
  // The operation's name as the document gives it (a request need not send operationName).
  const names = new WeakMap<object, string | null>();
  const line = (request: Request, seen: Seen, result: unknown) => {
    const t0 = started.get(request);
    const u = seen.usage;
    logger.info(
      {
        operation: names.get(seen) ?? seen.params?.operationName ?? null,
        caller: (seen.caller ?? callers.of(request))?.id ?? null,
        ms: t0 === undefined ? null : Math.round((performance.now() - t0) * 10) / 10,
        upstreamCalls: u?.upstreamCalls ?? 0,
        credits: u?.creditsCharged ?? 0,
        cache: cacheOutcome(u),
        errors: codes(result),
      },
      'operation',
    );
  };
  return {
    onRequestParse({ request }) {
      started.set(request, performance.now());
    },
    onExecute({ args }) {
      names.set(args.contextValue as object, getOperationAST(args.document, args.operationName)?.name?.value ?? null);
    },
    onExecutionResult({ request, result, context }) {
      logged.add(request);
      line(request, context as Seen, Symbol.asyncIterator in (result as object) ? null : result);
    },
    onResultProcess({ request, result }) {
      if (logged.has(request) || !started.has(request)) return;
      for (const r of Array.isArray(result) ? result : [result]) line(request, {}, r);
    },
  };
}
