import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import { estimateCredits } from './credit-estimate.js';

function maxCreditsHeader(request: Request, fallback: number): number {
  const raw = request.headers.get('x-max-credits');
  if (raw === null) return fallback;
  if (!/^\d{1,9}$/.test(raw.trim())) {
    throw new GraphQLError('x-max-credits must be a whole number of credits', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return Number(raw.trim());
}

const isDryRun = (request: Request): boolean => {
  const v = request.headers.get('x-dry-run')?.trim().toLowerCase();
  return v === '1' || v === 'true';
};

/**
 * The credit guard and the usage report: refuses an operation whose worst case costs more than
 * `x-max-credits` (or the server default) before anything leaves, answers `x-dry-run: 1` with the
 * estimate only, and adds `extensions.jobspikr` (what the operation cost) to every result.
 */
export function useBudget(opts: { defaultMaxCredits: number }): Plugin<Context & { request: Request }> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const ctx = args.contextValue;
      // Sandbox keys cost nothing (CONTRACT §2): their worst case is 0 and no cap applies.
      const estimate = ctx.usage.sandbox ? 0 : estimateCredits(args.document, args.operationName, args.variableValues);
      const max = maxCreditsHeader(ctx.request, opts.defaultMaxCredits);
      if (isDryRun(ctx.request)) {
        setResultAndStopExecution({
          data: null,
          extensions: { jobspikr: { dryRun: true, estimatedCredits: estimate, maxCredits: max, withinLimit: estimate <= max, sandbox: ctx.usage.sandbox } },
        });
        return;
      }
      if (estimate > max) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(`This operation could spend up to ${estimate} job credits, more than the ${max} allowed; lower \`first\` or raise x-max-credits`, {
              extensions: { code: 'CREDITS_LIMIT', estimatedCredits: estimate, maxCredits: max },
            }),
          ],
          extensions: { jobspikr: { ...ctx.usage.toJSON(), estimatedCredits: estimate } },
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
