import { badInput, creditsLimit, type AppError } from '../errors.js';
import type { OperationEstimate } from './operation-estimate.js';

export interface AllowanceLimits {
  /** Worst-case job credits for the whole HTTP request (a batch sums). */
  maxCredits: number;
  /** Distinct upstream calls for the whole HTTP request (MAX_UPSTREAM_CALLS_PER_REQUEST). */
  maxUpstreamCalls: number;
}

/** What the operations of one HTTP request have reserved so far. */
interface Allowance {
  credits: number;
  calls: Set<string>;
  lookups: number;
  introspection: number;
}

/** Operations of one batch share their HTTP request's Request object: that is the allowance's key. */
const allowances = new WeakMap<Request, Allowance>();

export interface Reservation {
  /** Worst-case credits of the request so far, this operation included. */
  credits: number;
  /** Distinct upstream calls of the request so far, this operation included. */
  upstreamCalls: number;
}

/**
 * Reserve an operation's worst case against its HTTP request's allowance, or say why not. Checked
 * before the operation runs, so an operation over a limit sends nothing; the operations of a batch add
 * up (the same search asked twice is one call). Synchronous, so batched operations cannot race it.
 */
export function reserve(request: Request, est: OperationEstimate, limits: AllowanceLimits): { ok: true; total: Reservation } | { ok: false; error: AppError } {
  let a = allowances.get(request);
  if (!a) {
    a = { credits: 0, calls: new Set(), lookups: 0, introspection: 0 };
    allowances.set(request, a);
  }
  if (a.introspection + est.introspection > 1) {
    return {
      ok: false,
      error: badInput('Introspection (__schema or __type) may be asked once per request: no aliased or batched repeats', { limit: 'introspection' }),
    };
  }
  let calls = a.calls.size + a.lookups + est.lookups;
  for (const c of est.calls) if (!a.calls.has(c)) calls++;
  if (calls > limits.maxUpstreamCalls) {
    return {
      ok: false,
      error: badInput(
        `This request could make ${calls} upstream calls, more than the ${limits.maxUpstreamCalls} allowed (MAX_UPSTREAM_CALLS_PER_REQUEST); ask for fewer distinct searches, counts or lookups`,
        { limit: 'MAX_UPSTREAM_CALLS_PER_REQUEST', upstreamCalls: calls, maxUpstreamCalls: limits.maxUpstreamCalls },
      ),
    };
  }
  const credits = a.credits + est.credits;
  if (credits > limits.maxCredits) return { ok: false, error: creditsLimit(credits, limits.maxCredits, a.credits > 0 ? 'request' : 'operation') };
  a.credits = credits;
  for (const c of est.calls) a.calls.add(c);
  a.lookups += est.lookups;
  a.introspection += est.introspection;
  return { ok: true, total: { credits, upstreamCalls: calls } };
}
