import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { OperationUsage } from '../budget/usage.js';
import { badInput, toGraphQLError } from '../errors.js';

/** The cache's name in Cache-Status (RFC 9211 asks for one that identifies it). */
const CACHE_NAME = 'jobspikr-graphql';

/** `x-max-stale: N`: the oldest data (seconds) a client accepts in place of a failed fresh call; absent = no cap of its own. */
function maxStaleHeader(request: Request): number | undefined {
  const raw = request.headers.get('x-max-stale');
  if (raw === null) return undefined;
  if (!/^\d{1,9}$/.test(raw.trim())) throw toGraphQLError(badInput('x-max-stale must be a whole number of seconds (0 = never answer from stale data)'));
  return Number(raw.trim());
}

/**
 * Stale answers, as a client sees them: reads `x-max-stale` before execution, and when any field of
 * the response was answered from data past its lifetime, adds an RFC 9211 `Cache-Status` header
 * (`hit`, the negative `ttl` of the stalest field, and the reason in `detail`). The fields themselves
 * are listed in `extensions.jobspikr.stale` by the usage report (use-budget.ts).
 */
export function useStale(): Plugin<Context & { request: Request }> {
  const byRequest = new WeakMap<Request, OperationUsage[]>();
  return {
    onExecute({ args }) {
      const ctx = args.contextValue;
      ctx.usage.stale.maxAgeSeconds = maxStaleHeader(ctx.request);
      const list = byRequest.get(ctx.request);
      if (list) list.push(ctx.usage);
      else byRequest.set(ctx.request, [ctx.usage]);
    },
    onResponse({ request, response }) {
      const usages = byRequest.get(request);
      if (!usages) return;
      let worst: { pastLifetimeSeconds: number; reason: string } | undefined;
      for (const u of usages) {
        const w = u.stale.worst();
        if (w && (!worst || w.pastLifetimeSeconds > worst.pastLifetimeSeconds)) worst = w;
      }
      if (worst) response.headers.set('cache-status', `${CACHE_NAME}; hit; ttl=${-Math.max(1, worst.pastLifetimeSeconds)}; detail=${worst.reason}`);
    },
  };
}
