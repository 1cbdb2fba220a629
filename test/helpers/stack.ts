import { Writable } from 'node:stream';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import type { Logger } from 'pino';
import { createApp, type App } from '../../src/app.js';
import { loadConfig, type LogLevel } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import type { UPSTREAM_LIMITS } from '../../src/budget/rate-gate.js';
import type { Credentials } from '../../src/upstream/credentials.js';

export interface StackOptions {
  /** Extra env for loadConfig (strings, as in production; NODE_ENV too). */
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** Reuse a running sandbox (e.g. two server instances over one upstream). */
  shared?: Sandbox;
  /** Which sandbox key the server uses: the free sandbox key (default) or the production one. */
  key?: 'sandbox' | 'production' | 'none';
  /** The server's upstream budgets when they differ from the contract's (tests shrink them). */
  limits?: typeof UPSTREAM_LIMITS;
  /**
   * No rate limit anywhere, for tests that page through the whole data set: the sandbox's limits and
   * the server's budgets are both far beyond what a test sends (`sandbox.limits` and `limits` still win).
   */
  unlimited?: boolean;
  redisPrefix?: string;
  /** Capture the server's logs from this level up (read them from `stack.logs`); default: silent. */
  logs?: LogLevel;
}

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

/** A GraphQL response; `TData` is the generated result type of a typed document. */
export interface GqlBody<TData = Record<string, unknown>> {
  data?: TData | null;
  errors?: GqlError[];
  extensions?: Record<string, unknown>;
}

export interface GqlResult<TData = Record<string, unknown>> {
  status: number;
  body: GqlBody<TData>;
  /** The response headers (gql() always sets them; results built by hand may leave them out). */
  headers?: Headers;
}

/** Sandbox rate limits no test reaches (the sandbox's own option, for tests that start a sandbox alone). */
export const UNLIMITED_SANDBOX: NonNullable<SandboxOptions['limits']> = {
  dataPerMinute: 1e6,
  dataPerHour: 1e6,
  aggregatePerMinute: 1e6,
  aggregatePerHour: 1e6,
};

/** Server budgets no test reaches. */
const UNLIMITED_BUDGETS: typeof UPSTREAM_LIMITS = {
  data: { perMinute: 1e6, perHour: 1e6 },
  expired_jobs: { perMinute: 1e6, perHour: 1e6 },
  aggregate_data: { perMinute: 1e6, perHour: 1e6 },
};

/** Log lines written to a stream the test owns (pino JSON, one line each), like production output. */
export interface CapturedLogs {
  logger: Logger;
  /** Raw lines, as an operator would read them. */
  lines: string[];
  /** The lines parsed. */
  entries(): Record<string, unknown>[];
}

export interface Health {
  status: string;
  upstream: { primary: string; fallback: string };
}

/** A document's variables are required when it has a required one; request headers follow them. */
type VariablesThenHeaders<TVariables> =
  Record<never, never> extends TVariables
    ? [variables?: TVariables, headers?: Record<string, string>]
    : [variables: TVariables, headers?: Record<string, string>];

export interface Stack {
  app: App;
  sandbox: Sandbox;
  /** The server's logs (empty unless started with `logs`). */
  logs: CapturedLogs;
  /** Every response body text gql() received, in order. */
  responses: string[];
  /**
   * POST a GraphQL operation through yoga.fetch (no port), as a browser or client would. A typed
   * document (test/generated) types the variables and the result; a string is sent as it is, for
   * operations whose text is the point of the test (hostile input, literal arguments, built selections).
   */
  gql<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, ...rest: VariablesThenHeaders<TVariables>): Promise<GqlResult<TData>>;
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult>;
  /** GET /healthz (which must answer 200). */
  health(): Promise<Health>;
  /** GET /metrics as text. */
  metrics(): Promise<string>;
  /** Upstream requests the sandbox saw since the last clearLog, optionally for one endpoint. */
  calls(endpoint?: 'data' | 'expired_jobs' | 'aggregate_data'): number;
  close(): Promise<void>;
}

/** Printed once per document: a test sends the same few documents many times. */
const printed = new WeakMap<TypedDocumentNode, string>();
const source = (document: TypedDocumentNode): string => {
  const text = printed.get(document) ?? print(document);
  printed.set(document, text);
  return text;
};

/** A logger (the app's own redaction rules) writing to memory. */
export function captureLogs(level: LogLevel): CapturedLogs {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: createLogger(level, stream), lines, entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** A real sandbox on a real port and the app over it, configured like production but quiet and fast. */
export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const sandbox = o.shared ?? (await startSandbox(o.unlimited ? { limits: UNLIMITED_SANDBOX, ...o.sandbox } : o.sandbox));
  const limits = o.limits ?? (o.unlimited ? UNLIMITED_BUDGETS : undefined);
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: o.logs ?? 'silent',
    JOBSPIKR_BASE_URL: sandbox.url,
    JOBSPIKR_FALLBACK_BASE_URL: sandbox.fallbackUrl,
    UPSTREAM_BACKOFF_BASE_MS: '10',
    UPSTREAM_BACKOFF_MAX_MS: '50',
    FAILOVER_PROBE_INTERVAL_MS: '50',
    FAILOVER_COOLDOWN_MS: '500',
    CURSOR_SECRET: 'test-secret',
    ...o.env,
  });
  const k = o.key ?? 'sandbox';
  const serverKeys: Credentials | undefined = k === 'none' ? undefined : { ...sandbox.keys[k], scheme: 'headers' };
  const logs = captureLogs(config.log.level);
  const app = createApp({
    config,
    logger: logs.logger,
    serverKeys,
    ...(limits && { limits }),
    ...(o.redisPrefix && { redisPrefix: o.redisPrefix }),
  });
  const responses: string[] = [];
  return {
    app,
    sandbox,
    logs,
    responses,
    async gql(document: string | TypedDocumentNode, variables?: unknown, headers?: Record<string, string>): Promise<GqlResult> {
      const res = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: typeof document === 'string' ? document : source(document), variables }),
      });
      const text = await res.text();
      responses.push(text);
      return { status: res.status, headers: res.headers, body: JSON.parse(text) as GqlBody };
    },
    async health() {
      const res = await app.yoga.fetch('http://localhost/healthz');
      if (res.status !== 200) throw new Error(`/healthz answered ${res.status}`);
      return (await res.json()) as Health;
    },
    async metrics() {
      return (await app.yoga.fetch('http://localhost/metrics')).text();
    },
    calls: (endpoint) => sandbox.log.filter((e) => !endpoint || e.endpoint === endpoint).length,
    async close() {
      await app.close();
      if (!o.shared) await sandbox.close();
    },
  };
}
