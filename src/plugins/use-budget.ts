import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { badInput, toGraphQLError } from '../errors.js';
import { estimateOperationOnce } from './operation-estimate.js';
import { reserve } from './request-allowance.js';

/** `x-max-credits` may lower the server's cap for a request, never raise it. */
function maxCreditsHeader(request: Request, serverMax: number): number {
  const raw = request.headers.get('x-max-credits');
  if (raw === null) return serverMax;
  if (!/^\d{1,9}$/.test(raw.trim())) throw toGraphQLError(badInput('x-max-credits must be a whole number of credits'));
  return Math.min(Number(raw.trim()), serverMax);
}

const isDryRun = (request: Request): boolean => {
  const v = request.headers.get('x-dry-run')?.trim().toLowerCase();
  return v === '1' || v === 'true';
};

export interface BudgetOptions {
  /** MAX_CREDITS_PER_OPERATION: worst-case credits of one HTTP request (a batch sums). */
  maxCredits: number;
  /** MAX_UPSTREAM_CALLS_PER_REQUEST. */
  maxUpstreamCalls: number;
}

/**
 * The credit and call guard and the usage report: refuses, before anything leaves, an operation whose
 * worst case would take its HTTP request past the credit cap (`x-max-credits` may only lower it) or past
 * MAX_UPSTREAM_CALLS_PER_REQUEST, or that repeats introspection; answers `x-dry-run: 1` with the
 * estimate only, and adds `extensions.jobspikr` (what the operation cost) to every result.
 */
export function useBudget(opts: BudgetOptions): Plugin<Context & { request: Request }> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      // A copy: the memoised estimate is shared by every request of the same document and variables.
      const est = { ...estimateOperationOnce(args.document, args.operationName, args.variableValues) };
      // Sandbox keys cost nothing (CONTRACT §2): their worst case is 0 credits (calls still count).
      if (ctx.usage.sandbox) est.credits = 0;
      ctx.usage.worstCaseCredits = est.credits;
      const maxCredits = maxCreditsHeader(ctx.request, opts.maxCredits);
      if (isDryRun(ctx.request)) {
        const upstreamCalls = est.calls.size + est.lookups;
        setResultAndStopExecution({
          data: null,
          extensions: {
            jobspikr: {
              dryRun: true,
              estimatedCredits: est.credits,
              maxCredits,
              estimatedUpstreamCalls: upstreamCalls,
              maxUpstreamCalls: opts.maxUpstreamCalls,
              withinLimit: est.credits <= maxCredits && upstreamCalls <= opts.maxUpstreamCalls && est.introspection <= 1,
              sandbox: ctx.usage.sandbox,
            },
          },
        });
        return;
      }
      const r = reserve(ctx.request, est, { maxCredits, maxUpstreamCalls: opts.maxUpstreamCalls });
      if (!r.ok) {
        setResultAndStopExecution({
          errors: [toGraphQLError(r.error)],
          extensions: { jobspikr: { ...ctx.usage.toJSON(), estimatedCredits: est.credits } },
        });
        return;
      }
      return {
        async onExecuteDone({ result, setResult }) {
          if (Symbol.asyncIterator in result) return;
          // An operation served wholly from cache saw no balance: report the last one known.
          if (ctx.usage.creditsRemaining === null) ctx.usage.creditsRemaining = (await ctx.jobs.credits(ctx.credentials)).remaining;
          setResult({ ...result, extensions: { ...result.extensions, jobspikr: ctx.usage.toJSON() } });
        },
      };
    },
  };
}
