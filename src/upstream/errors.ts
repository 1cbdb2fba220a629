import { AppError, type AppErrorOptions, type ErrorCode } from '../errors.js';

/** Failure talking to JobsPikr; `retryable` says whether the same request may be sent again. */
export class UpstreamError extends AppError {
  readonly retryable: boolean;
  /** True when the failure says something about the host's health (5xx, resets, timeouts, junk). */
  readonly hostFault: boolean;
  readonly httpStatus: number | undefined;
  /**
   * The upstream did not count this attempt against the key's rate limit: it answered 401 (CONTRACT §5
   * counts only requests it accepts), or the attempt never reached it. The limiter gives the slot back.
   */
  readonly uncounted: boolean;

  constructor(
    code: ErrorCode,
    message: string,
    opts: AppErrorOptions & { retryable?: boolean; hostFault?: boolean; httpStatus?: number; uncounted?: boolean } = {},
  ) {
    super(code, message, opts);
    this.name = 'UpstreamError';
    this.retryable = opts.retryable ?? false;
    this.hostFault = opts.hostFault ?? false;
    this.httpStatus = opts.httpStatus;
    this.uncounted = opts.uncounted ?? false;
  }
}

/** Seconds from a Retry-After header (seconds or an HTTP date); 1 when absent or unreadable. */
function retryAfterSeconds(header: string | string[] | undefined): number {
  const v = Array.isArray(header) ? header[0] : header;
  const n = v === undefined ? NaN : Number(v);
  if (Number.isFinite(n) && n >= 0) return Math.max(1, Math.ceil(n));
  const at = v === undefined ? NaN : Date.parse(v);
  return Number.isFinite(at) ? Math.max(1, Math.ceil((at - Date.now()) / 1000)) : 1;
}

/**
 * Error for a non-200 status; the body is dumped by the caller, never copied into the error.
 * A status answer means no records were delivered, so nothing was charged and resending is safe,
 * except 504: a gateway gave up waiting, and the API behind it may still deliver (and charge).
 */
export function statusError(status: number, retryAfter: string | string[] | undefined, repeatable: boolean): UpstreamError {
  if (status === 429) {
    return new UpstreamError('RATE_LIMITED', 'JobsPikr rate limit reached', { retryAfter: retryAfterSeconds(retryAfter), retryable: true, httpStatus: status });
  }
  if (status >= 500) {
    return new UpstreamError('UPSTREAM_UNAVAILABLE', `JobsPikr answered ${status}`, {
      retryable: status !== 504 || repeatable,
      hostFault: true,
      httpStatus: status,
    });
  }
  // Only 401 is the contract's answer to wrong keys, and it is not counted; a 403 might be, so it keeps its slot.
  if (status === 401 || status === 403) {
    return new UpstreamError('UNAUTHENTICATED', 'JobsPikr rejected the API credentials', { httpStatus: status, uncounted: status === 401 });
  }
  if (status === 402) return new UpstreamError('CREDITS_EXHAUSTED', 'The JobsPikr job credits of this key are exhausted', { httpStatus: status });
  return new UpstreamError('UPSTREAM_ERROR', `JobsPikr refused the request (HTTP ${status})`, { httpStatus: status, retryable: repeatable && status === 408 });
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * A transport failure as an UpstreamError. Only a failure to connect proves the request never reached
 * JobsPikr; a reset or timeout after sending may follow a charge, so only repeatable calls go again.
 * Anything else (an invalid header, a bug) is not the host's fault and is rethrown as it is.
 */
export function transportError(e: unknown, repeatable: boolean): UpstreamError {
  const { code, syscall } = (e ?? {}) as { code?: unknown; syscall?: unknown };
  if (typeof code !== 'string' || code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_NOT_SUPPORTED') throw e;
  if (CONNECT_CODES.has(code) || syscall === 'connect' || syscall === 'getaddrinfo') {
    return new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr could not be reached', { retryable: true, hostFault: true, uncounted: true });
  }
  return new UpstreamError('UPSTREAM_UNAVAILABLE', 'JobsPikr closed the connection without an answer', { retryable: repeatable, hostFault: true });
}
