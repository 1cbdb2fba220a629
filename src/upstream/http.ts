import { setTimeout as sleep } from 'node:timers/promises';
import { authHeaders } from './credentials.js';
import { decode } from './decode.js';
import type { Envelope } from './envelope.js';
import { exchange, MidBodyError, type Exchange } from './exchange.js';
import { statusError, transportError, UpstreamError } from './errors.js';
import type { Host, HostOutcome } from './hosts.js';
import type { Deadline, GateSlot, HttpOptions, UpstreamCall, UpstreamResult } from './http-types.js';
import { accumulate, annotate, isTracing, SpanKind, traced, traceHeaders } from '../telemetry/spans.js';

// The call/gate/options types live in http-types.ts; re-exported so importers keep this path.
export type { CallBudget, Endpoint, GateSlot, HttpOptions, RequestGate, UpstreamCall, UpstreamResult } from './http-types.js';

const NO_SLOT: GateSlot = { release: () => Promise.resolve() };

/** The one request path: gate → pick host → request → status → parse, with retries and failover. */
export function createHttp(opts: HttpOptions) {
  async function attempt(host: Host, call: UpstreamCall, signal: AbortSignal): Promise<Envelope> {
    const qs = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    let res: Exchange;
    try {
      res = await exchange(opts.dispatcher, {
        url: `${host.baseUrl}/${call.endpoint}${qs}`,
        method: call.method,
        headers: {
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...authHeaders(call.credentials),
          ...traceHeaders(),
        },
        body: call.body,
        signal,
        headersTimeout: opts.headersTimeoutMs,
        bodyTimeout: opts.bodyTimeoutMs,
      });
    } catch (e) {
      if (signal.aborted) throw e;
      // Records were on their way (and, under a production key, charged): resend only what is free.
      if (e instanceof MidBodyError)
        throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr connection broke mid-response', { retryable: call.repeatable, hostFault: true });
      throw transportError(e, call.repeatable);
    }
    if (res.statusCode !== 200) throw statusError(res.statusCode, res.headers['retry-after'], call.repeatable);
    const ct = res.headers['content-type'];
    return decode(res.text, Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? ''));
  }

  function backoff(attemptNo: number): number {
    const cap = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** (attemptNo - 1));
    return cap / 2 + Math.random() * (cap / 2); // "equal jitter": never zero, never in lock-step
  }

  /** Rate budget for one attempt; running out of deadline while queued is RATE_LIMITED, not a host fault. */
  async function budget(call: UpstreamCall, signal: AbortSignal, deadline: Deadline): Promise<GateSlot> {
    if (!opts.gate) return NO_SLOT;
    const t0 = isTracing() ? performance.now() : 0;
    try {
      return await opts.gate.acquire(call.credentials, call.endpoint, signal, call.budget);
    } catch (e) {
      if (e instanceof UpstreamError || call.signal?.aborted || !deadline.aborted) throw e;
      throw new UpstreamError('RATE_LIMITED', `The JobsPikr ${call.endpoint} rate budget of this key is spent; retry shortly`, { retryAfter: 1 });
    } finally {
      if (t0) accumulate('jobspikr.limiter_wait_ms', Math.round(performance.now() - t0));
    }
  }

  /** One attempt on one host, its outcome recorded on the host, in metrics and in logs. */
  async function tryHost(call: UpstreamCall, attemptNo: number, signal: AbortSignal, deadline: Deadline): Promise<UpstreamResult | UpstreamError> {
    const host = opts.hosts.pick();
    const t0 = performance.now();
    let outcome: HostOutcome = 'unknown';
    const fields = () => ({ endpoint: call.endpoint, host: host.name, attempt: attemptNo, ms: Math.round(performance.now() - t0) });
    try {
      const envelope = await attempt(host, call, signal);
      outcome = 'up';
      if (isTracing()) noteAttempt(host, attemptNo, 200, envelope.job_data.length);
      opts.metrics.upstreamRequests.inc({ endpoint: call.endpoint, host: host.name, outcome: 'ok' });
      opts.metrics.upstreamSeconds.observe({ endpoint: call.endpoint, host: host.name }, (performance.now() - t0) / 1000);
      // Served by the fallback is worth seeing at the default level; the primary is the normal case.
      opts.logger[host.name === 'fallback' ? 'info' : 'debug'](fields(), 'upstream call served');
      return { envelope, host: host.name };
    } catch (e) {
      const err = asUpstreamError(e, call, deadline);
      outcome = err.hostFault ? 'down' : 'up';
      if (isTracing()) noteAttempt(host, attemptNo, err.httpStatus, 0);
      opts.metrics.upstreamRequests.inc({ endpoint: call.endpoint, host: host.name, outcome: err.code.toLowerCase() });
      opts.logger.warn({ ...fields(), code: err.code, status: err.httpStatus, retryable: err.retryable }, 'upstream call failed');
      return err;
    } finally {
      opts.hosts.settle(host, outcome);
    }
  }

  /**
   * Send a call; resolves with the parsed envelope or rejects with an UpstreamError.
   * The deadline is a timer cleared when the call settles: `AbortSignal.timeout` kept every call's
   * timer (and the signals hanging on it) alive for the whole deadline, long after the answer.
   */
  async function send(call: UpstreamCall): Promise<UpstreamResult> {
    const started = Date.now();
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));
    }, opts.deadlineMs);
    timer.unref();
    // AbortSignal.any, not a listener on the request's signal: one request may start dozens of calls.
    const signal = call.signal ? AbortSignal.any([call.signal, controller.signal]) : controller.signal;
    try {
      // The span of this call (every attempt); upstream requests carry its traceparent.
      return await traced(
        `JobsPikr ${call.method} /${call.endpoint}`,
        { 'jobspikr.endpoint': call.endpoint, 'http.request.method': call.method },
        () => sendWithin(call, started, signal, controller.signal),
        SpanKind.CLIENT,
      );
    } finally {
      clearTimeout(timer);
    }
  }

  async function sendWithin(call: UpstreamCall, started: number, signal: AbortSignal, deadline: AbortSignal): Promise<UpstreamResult> {
    // A call that may be charged runs to its deadline once sent, whoever still waits: the upstream
    // charges on arrival, so cancelling it would buy the records and throw them away. The caller's
    // signal still cancels what has not left (the queue for rate budget, the pause between attempts).
    const sent = call.repeatable ? signal : deadline;
    for (let attemptNo = 1; ; attemptNo++) {
      const slot = await budget(call, signal, deadline);
      const r = await tryHost(call, attemptNo, sent, deadline).catch(async (e: unknown) => {
        if (e instanceof UpstreamError && e.uncounted) await slot.release('unsent'); // no host could be tried
        throw e;
      });
      if (!(r instanceof UpstreamError)) {
        await slot.settled?.('answered');
        return r;
      }
      if (r.uncounted) await slot.release(r.code === 'UNAUTHENTICATED' ? 'refused' : 'unsent');
      else await slot.settled?.('failed');
      if (r.code === 'RATE_LIMITED' && r.httpStatus === 429 && opts.gate) {
        await opts.gate.penalize(call.credentials, call.endpoint, r.retryAfter ?? 1);
      }
      if (!r.retryable || attemptNo >= opts.maxAttempts || signal.aborted) throw r;
      const wait = r.code === 'RATE_LIMITED' ? (r.retryAfter ?? 1) * 1000 : backoff(attemptNo);
      if (Date.now() - started + wait >= opts.deadlineMs) throw r;
      await sleep(wait, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) throw r;
    }
  }

  return { send };
}

/** The last attempt's host, status and records on the call's span (tracing on only). */
function noteAttempt(host: Host, attemptNo: number, status: number | undefined, records: number): void {
  annotate({
    'jobspikr.host': host.name,
    'server.address': new URL(host.baseUrl).host,
    'jobspikr.attempts': attemptNo,
    'jobspikr.retries': attemptNo - 1,
    'jobspikr.records': records,
    ...(status !== undefined && { 'http.response.status_code': status }),
  });
}

/** Normalise whatever an attempt threw; a deadline becomes UPSTREAM_UNAVAILABLE, a client abort stays an abort. */
function asUpstreamError(e: unknown, call: UpstreamCall, deadline: Deadline): UpstreamError {
  if (e instanceof UpstreamError) return e;
  if (call.signal?.aborted) throw e;
  if (deadline.aborted) return new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr did not answer in time', { hostFault: true });
  throw e;
}
