import { GraphQLError, type ASTNode, type Source } from 'graphql';

/** Stable error codes of the public surface (SURFACE.md, both releases). */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'CREDITS_EXHAUSTED'
  | 'CREDITS_LIMIT'
  | 'QUOTA_EXCEEDED'
  | 'UPSTREAM_UNAVAILABLE'
  | 'UPSTREAM_ERROR'
  | 'PERSISTED_QUERY_NOT_FOUND'
  | 'PERSISTED_QUERY_ONLY'
  | 'SUBSCRIPTION_LIMIT'
  | 'SLOW_CONSUMER';

export type Detail = string | number | boolean | null;

export interface AppErrorOptions {
  /** Seconds until a retry may succeed (RATE_LIMITED, QUOTA_EXCEEDED). */
  retryAfter?: number;
  details?: Record<string, Detail>;
  /** HTTP status of the whole response when this error ends the request before execution. */
  httpStatus?: number;
  cause?: unknown;
}

/**
 * An expected failure the client should see with its code. Messages are written by us: never an
 * upstream body, URL or credential.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryAfter: number | undefined;
  readonly details: Record<string, Detail>;
  readonly responseStatus: number | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryAfter = options.retryAfter;
    this.details = options.details ?? {};
    this.responseStatus = options.httpStatus;
  }

  /** The extensions a GraphQL error carries for this failure. */
  toExtensions(): Record<string, Detail> {
    const ext: Record<string, Detail> = { code: this.code, ...this.details };
    if (this.retryAfter !== undefined) ext.retryAfter = this.retryAfter;
    return ext;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;

interface Located {
  nodes?: ReadonlyArray<ASTNode> | ASTNode | undefined;
  source?: Source | undefined;
  positions?: ReadonlyArray<number> | undefined;
  path?: ReadonlyArray<string | number> | undefined;
}

/**
 * The one place an AppError becomes a GraphQL error: its own message and code, the location of the
 * error it replaces, and no original error (so yoga neither masks it nor logs it as a crash).
 */
export function toGraphQLError(e: AppError, at: Located = {}): GraphQLError {
  const http = e.responseStatus === undefined ? undefined : { status: e.responseStatus };
  return new GraphQLError(e.message, {
    nodes: at.nodes,
    source: at.source,
    positions: at.positions,
    path: at.path,
    extensions: http ? { ...e.toExtensions(), http } : e.toExtensions(),
  });
}

export const badInput = (message: string, details?: Record<string, Detail>): AppError => new AppError('BAD_USER_INPUT', message, details ? { details } : {});

export const unauthenticated = (message: string): AppError => new AppError('UNAUTHENTICATED', message, { httpStatus: 401 });

export const forbidden = (message: string): AppError => new AppError('FORBIDDEN', message, { httpStatus: 403 });

export const creditsLimit = (estimatedCredits: number, maxCredits: number, scope = 'operation'): AppError =>
  new AppError(
    'CREDITS_LIMIT',
    `This ${scope} could spend up to ${estimatedCredits} job credits, more than the ${maxCredits} allowed; lower \`first\` or ask for fewer items`,
    { details: { estimatedCredits, maxCredits } },
  );

export const quotaExceeded = (message: string, retryAfter: number, details?: Record<string, Detail>): AppError =>
  new AppError('QUOTA_EXCEEDED', message, { retryAfter, ...(details && { details }) });
