import { Counter, type Registry } from 'prom-client';
import { MAX_CALLER_METRIC_LABELS } from '../limits.js';
import type { Caller } from './caller.js';

/**
 * Spend per caller in /metrics with bounded label cardinality: configured service tokens are always
 * named; JWT callers are named up to MAX_CALLER_METRIC_LABELS, the first to spend taking the names,
 * and count as `other` after; anonymous callers are `anonymous` (addresses never become labels).
 */
export function createCallerMetrics(registry: Registry, tokenIds: readonly string[]) {
  const credits = new Counter({
    name: 'jobspikr_caller_credits_total',
    help: 'Job credits charged per caller (top callers by name, the rest as other)',
    labelNames: ['caller'] as const,
    registers: [registry],
  });
  const calls = new Counter({
    name: 'jobspikr_caller_upstream_calls_total',
    help: 'Upstream calls made per caller (top callers by name, the rest as other)',
    labelNames: ['caller'] as const,
    registers: [registry],
  });
  const named = new Set(tokenIds);
  const dynamic = new Set<string>();
  const label = (c: Caller): string => {
    if (c.kind === 'anonymous') return 'anonymous';
    if (named.has(c.id) || dynamic.has(c.id)) return c.id;
    if (c.kind === 'jwt' && dynamic.size < MAX_CALLER_METRIC_LABELS) {
      dynamic.add(c.id);
      return c.id;
    }
    return 'other';
  };
  return {
    /** Count one operation's spend; nothing is added (and no label taken) for an operation that spent nothing. */
    record(c: Caller, creditsCharged: number, upstreamCalls: number): void {
      if (creditsCharged === 0 && upstreamCalls === 0) return;
      const caller = label(c);
      if (creditsCharged > 0) credits.inc({ caller }, creditsCharged);
      if (upstreamCalls > 0) calls.inc({ caller }, upstreamCalls);
    },
  };
}
export type CallerMetrics = ReturnType<typeof createCallerMetrics>;
