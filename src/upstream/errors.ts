/** Stable error codes of the public surface (SURFACE.md), plus the server-side credit cap. */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'CREDITS_EXHAUSTED'
  | 'CREDITS_LIMIT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR';

export interface AppErrorOptions {
  retryAfter?: number;
  details?: Record<string, string | number | boolean | null>;
  cause?: unknown;
}

/**
 * An expected failure the client should see with its code. Messages are written by us: never an
 * upstream body, URL or credential.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  /** Seconds until a retry may succeed (RATE_LIMITED). */
  readonly retryAfter: number | undefined;
  readonly details: Record<string, string | number | boolean | null>;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfter = options.retryAfter;
    this.details = options.details ?? {};
  }

  /** The extensions a GraphQL error carries for this failure. */
  toExtensions(): Record<string, string | number | boolean | null> {
    const ext: Record<string, string | number | boolean | null> = { code: this.code, ...this.details };
    if (this.retryAfter !== undefined) ext.retryAfter = this.retryAfter;
    return ext;
  }
}

/** Failure talking to JobsPikr; `retryable` says whether the same request may be sent again. */
export class UpstreamError extends AppError {
  readonly retryable: boolean;
  /** True when the failure says something about the host's health (5xx, resets, timeouts, junk). */
  readonly hostFault: boolean;
  readonly httpStatus: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: AppErrorOptions & { retryable?: boolean; hostFault?: boolean; httpStatus?: number } = {},
  ) {
    super(code, message, opts);
    this.name = 'UpstreamError';
    this.retryable = opts.retryable ?? false;
    this.hostFault = opts.hostFault ?? false;
    this.httpStatus = opts.httpStatus;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

export const badInput = (message: string, details?: AppErrorOptions['details']): AppError =>
  new AppError('BAD_USER_INPUT', message, details ? { details } : {});
