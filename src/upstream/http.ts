import { setTimeout as sleep } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import type { Logger } from 'pino';
import { authHeaders, type Credentials } from './credentials.js';
import { EnvelopeSchema, type Envelope } from './envelope.js';
import { UpstreamError } from './errors.js';
import type { Host, HostPool } from './hosts.js';
import { xmlToEnvelope } from './xml.js';
import type { Metrics } from '../metrics.js';

export type Endpoint = 'data' | 'expired_jobs' | 'aggregate_data';

/** One upstream call as the adapters describe it. */
export interface UpstreamCall {
  endpoint: Endpoint;
  method: 'GET' | 'POST';
  query?: Record<string, string>;
  /** JSON body text (POST). */
  body?: string;
  credentials: Credentials;
  /** The GraphQL request's signal: a client that goes away cancels its upstream call. */
  signal?: AbortSignal | undefined;
  /** Safe to send again after the upstream may have acted on it (no credits can be charged twice). */
  repeatable: boolean;
}

/** Budget hooks run around every attempt (rate limiter, 429 feedback). */
export interface RequestGate {
  acquire(credentials: Credentials, endpoint: Endpoint, signal: AbortSignal): Promise<void>;
  penalize(credentials: Credentials, endpoint: Endpoint, retryAfterSeconds: number): Promise<void>;
}

export interface HttpOptions {
  dispatcher: Dispatcher;
  hosts: HostPool;
  logger: Logger;
  metrics: Metrics;
  gate?: RequestGate;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  /** Deadline of one upstream call, every retry included. */
  deadlineMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export interface UpstreamResult {
  envelope: Envelope;
  host: Host['name'];
}

const unavailable = (message: string) =>
  new UpstreamError('UPSTREAM_UNAVAILABLE', message, { retryable: true, hostFault: true });

function retryAfterSeconds(header: string | string[] | undefined): number {
  const v = Array.isArray(header) ? header[0] : header;
  const n = v === undefined ? NaN : Number(v);
  if (Number.isFinite(n) && n >= 0) return Math.max(1, Math.ceil(n));
  const at = v === undefined ? NaN : Date.parse(v);
  return Number.isFinite(at) ? Math.max(1, Math.ceil((at - Date.now()) / 1000)) : 1;
}

/** Error for a non-200 status; the body is dumped by the caller, never copied into the error. */
function statusError(status: number, retryAfter: string | string[] | undefined, repeatable: boolean): UpstreamError {
  if (status === 429) {
    return new UpstreamError('RATE_LIMITED', 'JobsPikr rate limit reached', {
      retryAfter: retryAfterSeconds(retryAfter),
      retryable: true,
      httpStatus: status,
    });
  }
  if (status >= 500) return new UpstreamError('UPSTREAM_UNAVAILABLE', `JobsPikr answered ${status}`, { retryable: true, hostFault: true, httpStatus: status });
  if (status === 401 || status === 403) return new UpstreamError('UNAUTHENTICATED', 'JobsPikr rejected the API credentials', { httpStatus: status });
  if (status === 402) return new UpstreamError('CREDITS_EXHAUSTED', 'The JobsPikr job credits of this key are exhausted', { httpStatus: status });
  return new UpstreamError('UPSTREAM_ERROR', `JobsPikr refused the request (HTTP ${status})`, { httpStatus: status, retryable: repeatable && status === 408 });
}

/** Body text → envelope; HTML pages, truncated JSON and wrong types are UPSTREAM_ERROR. */
function decode(text: string, contentType: string): Envelope {
  let doc: unknown;
  try {
    if (/xml/i.test(contentType)) doc = xmlToEnvelope(text);
    else if (/json/i.test(contentType) || /^\s*[[{]/.test(text)) doc = JSON.parse(text);
    else throw new Error('not JSON');
  } catch {
    throw new UpstreamError('UPSTREAM_ERROR', 'JobsPikr sent a response that could not be read', { hostFault: true });
  }
  const parsed = EnvelopeSchema.safeParse(doc);
  if (!parsed.success) throw new UpstreamError('UPSTREAM_ERROR', 'JobsPikr sent a response of an unexpected shape', { hostFault: true });
  if (parsed.data.status === 'error') throw new UpstreamError('UPSTREAM_ERROR', 'JobsPikr reported an error');
  return parsed.data;
}

/** The one request path: gate → pick host → request → status → parse, with retries and failover. */
export function createHttp(opts: HttpOptions) {
  async function attempt(host: Host, call: UpstreamCall, signal: AbortSignal): Promise<Envelope> {
    const qs = call.query ? `?${new URLSearchParams(call.query).toString()}` : '';
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${host.baseUrl}/${call.endpoint}${qs}`, {
        method: call.method,
        headers: {
          accept: 'application/json',
          ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...authHeaders(call.credentials),
        },
        body: call.body,
        dispatcher: opts.dispatcher,
        signal,
        headersTimeout: opts.headersTimeoutMs,
        bodyTimeout: opts.bodyTimeoutMs,
      });
    } catch (e) {
      if (signal.aborted) throw e;
      throw unavailable('JobsPikr could not be reached');
    }
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      throw statusError(res.statusCode, res.headers['retry-after'], call.repeatable);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (e) {
      if (signal.aborted) throw e;
      throw new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr connection broke mid-response', {
        retryable: call.repeatable,
        hostFault: true,
      });
    }
    const ct = res.headers['content-type'];
    return decode(text, Array.isArray(ct) ? (ct[0] ?? '') : (ct ?? ''));
  }

  function backoff(attemptNo: number): number {
    const cap = Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** (attemptNo - 1));
    return cap / 2 + Math.random() * (cap / 2); // "equal jitter": never zero, never in lock-step
  }

  /** Send a call; resolves with the parsed envelope or rejects with an UpstreamError. */
  async function send(call: UpstreamCall): Promise<UpstreamResult> {
    const started = Date.now();
    const deadline = AbortSignal.timeout(opts.deadlineMs);
    const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
    for (let attemptNo = 1; ; attemptNo++) {
      const host = opts.hosts.pick();
      const t0 = performance.now();
      try {
        if (opts.gate) await opts.gate.acquire(call.credentials, call.endpoint, signal);
        const envelope = await attempt(host, call, signal);
        opts.hosts.success(host);
        opts.metrics.upstreamRequests.inc({ endpoint: call.endpoint, host: host.name, outcome: 'ok' });
        opts.metrics.upstreamSeconds.observe({ endpoint: call.endpoint, host: host.name }, (performance.now() - t0) / 1000);
        opts.logger.debug({ endpoint: call.endpoint, host: host.name, attempt: attemptNo, ms: Math.round(performance.now() - t0) }, 'upstream call');
        return { envelope, host: host.name };
      } catch (e) {
        const err = asUpstreamError(e, call, deadline);
        if (err.hostFault || err.code === 'UPSTREAM_UNAVAILABLE') opts.hosts.failure(host);
        opts.metrics.upstreamRequests.inc({ endpoint: call.endpoint, host: host.name, outcome: err.code.toLowerCase() });
        opts.logger.warn({ endpoint: call.endpoint, host: host.name, attempt: attemptNo, code: err.code, status: err.httpStatus }, 'upstream call failed');
        if (err.code === 'RATE_LIMITED' && err.httpStatus === 429 && opts.gate) {
          await opts.gate.penalize(call.credentials, call.endpoint, err.retryAfter ?? 1);
        }
        if (!err.retryable || attemptNo >= opts.maxAttempts || signal.aborted) throw err;
        const wait = err.code === 'RATE_LIMITED' ? (err.retryAfter ?? 1) * 1000 : backoff(attemptNo);
        if (Date.now() - started + wait >= opts.deadlineMs) throw err;
        await sleep(wait, undefined, { signal }).catch(() => undefined);
        if (call.signal?.aborted) throw err;
      }
    }
  }

  return { send };
}

/** Normalise whatever an attempt threw; a deadline becomes UPSTREAM_UNAVAILABLE, a client abort stays an abort. */
function asUpstreamError(e: unknown, call: UpstreamCall, deadline: AbortSignal): UpstreamError {
  if (e instanceof UpstreamError) return e;
  if (call.signal?.aborted) throw e;
  if (deadline.aborted) {
    return new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr did not answer in time', { hostFault: true });
  }
  throw e;
}
