import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { CallerMetrics } from '../callers/caller-metrics.js';
import type { Reservation } from '../callers/caller-quotas.js';
import type { Context } from '../context.js';
import { isAppError, type AppError } from '../errors.js';
import type { Credentials } from '../upstream/credentials.js';
import { estimateOperationOnce } from './operation-estimate.js';

type Result = ExecutionResult & { extensions?: Record<string, unknown> };

/** `extensions.jobspikr` with the caller's credits left added (after useBudget has written it). */
function withCreditsLeft(result: Result, left: number | null): Result {
  const jobspikr = (result.extensions?.jobspikr ?? {}) as Record<string, unknown>;
  return { ...result, extensions: { ...result.extensions, jobspikr: { ...jobspikr, callerCreditsLeft: left } } };
}

/**
 * Caller quotas on the server's keys. Before the operation's first upstream call its worst case
 * (operation-estimate.ts) is reserved; when that does not fit, the fields that needed the upstream fail
 * with QUOTA_EXCEEDED and nothing leaves. After execution the reservation is settled to the credits
 * really charged, so what the cache served costs the caller nothing, and an operation served wholly
 * from cache reserves nothing at all. A caller spending its own JobsPikr keys, or a free sandbox key,
 * is not held to a quota. Registered after useBudget, whose refusals come first and whose
 * `extensions.jobspikr` this extends.
 */
export function useCallerQuota(o: { serverKeys: Credentials | undefined; metrics: CallerMetrics }): Plugin<Context> {
  return {
    onExecute({ args }) {
      const ctx = args.contextValue;
      const caller = ctx.caller;
      if (!caller) return;
      let held: Reservation | undefined;
      let refused: AppError | undefined;
      if (ctx.credentials === o.serverKeys && !ctx.usage.sandbox) {
        ctx.admission.arm(async () => {
          // useBudget read the worst case before execution; an operation it did not see is read here.
          const estimate =
            caller.creditsPerPeriod === null
              ? 0
              : (ctx.usage.worstCaseCredits ?? estimateOperationOnce(args.document, args.operationName, args.variableValues).credits);
          const r = await ctx.quotas.reserve(caller, estimate);
          if (isAppError(r)) {
            refused = r;
            throw r;
          }
          held = r;
        });
      }
      return {
        async onExecuteDone({ result, setResult }) {
          const u = ctx.usage;
          o.metrics.record(caller, u.creditsCharged, u.upstreamCalls);
          if (Symbol.asyncIterator in result) return;
          const quota = caller.creditsPerPeriod;
          let left: number | null;
          if (held) {
            const used = await ctx.quotas.settle(held, u.creditsCharged);
            left = quota === null || used === null ? null : Math.max(0, quota - used);
          } else if (refused) {
            const l = refused.details.creditsLeft;
            left = typeof l === 'number' ? l : null;
          } else {
            left = await ctx.quotas.creditsLeft(caller);
          }
          setResult(withCreditsLeft(result, left));
        },
      };
    },
  };
}
