import { Writable } from 'node:stream';
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
  limits?: typeof UPSTREAM_LIMITS;
  redisPrefix?: string;
  /** Capture the server's logs from this level up (read them from `stack.logs`); default: silent. */
  logs?: LogLevel;
}

export interface GqlResult {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

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

export interface Stack {
  app: App;
  sandbox: Sandbox;
  /** The server's logs (empty unless started with `logs`). */
  logs: CapturedLogs;
  /** Every response body text gql() received, in order. */
  responses: string[];
  /** POST a GraphQL operation through yoga.fetch (no port), as a browser or client would. */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult>;
  /** GET /healthz (which must answer 200). */
  health(): Promise<Health>;
  /** GET /metrics as text. */
  metrics(): Promise<string>;
  /** Upstream requests the sandbox saw since the last clearLog, optionally for one endpoint. */
  calls(endpoint?: 'data' | 'expired_jobs' | 'aggregate_data'): number;
  close(): Promise<void>;
}

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
  const sandbox = o.shared ?? (await startSandbox(o.sandbox));
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
    ...(o.limits && { limits: o.limits }),
    ...(o.redisPrefix && { redisPrefix: o.redisPrefix }),
  });
  const responses: string[] = [];
  return {
    app,
    sandbox,
    logs,
    responses,
    async gql(query, variables, headers) {
      const res = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await res.text();
      responses.push(text);
      return { status: res.status, body: JSON.parse(text) as GqlResult['body'] };
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
