import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.js';
import type { UPSTREAM_LIMITS } from '../../src/budget/rate-gate.js';
import type { Credentials } from '../../src/upstream/credentials.js';

export interface StackOptions {
  /** Extra env for loadConfig (strings, as in production). */
  env?: Record<string, string>;
  sandbox?: SandboxOptions;
  /** Reuse a running sandbox (e.g. two server instances over one upstream). */
  shared?: Sandbox;
  /** Which sandbox key the server uses: the free sandbox key (default) or the production one. */
  key?: 'sandbox' | 'production' | 'none';
  limits?: typeof UPSTREAM_LIMITS;
  redisPrefix?: string;
}

export interface GqlResult {
  status: number;
  body: {
    data?: Record<string, unknown> | null;
    errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

export interface Stack {
  app: App;
  sandbox: Sandbox;
  /** POST a GraphQL operation through yoga.fetch (no port), as a browser or client would. */
  gql(query: string, variables?: Record<string, unknown>, headers?: Record<string, string>): Promise<GqlResult>;
  /** Upstream requests the sandbox saw since the last clearLog, optionally for one endpoint. */
  calls(endpoint?: 'data' | 'expired_jobs' | 'aggregate_data'): number;
  close(): Promise<void>;
}

/** A real sandbox on a real port and the app over it, configured like production but quiet and fast. */
export async function startStack(o: StackOptions = {}): Promise<Stack> {
  const sandbox = o.shared ?? (await startSandbox(o.sandbox));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
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
  const app = createApp({
    config,
    logger: createLogger(config.LOG_LEVEL),
    serverKeys,
    ...(o.limits && { limits: o.limits }),
    ...(o.redisPrefix && { redisPrefix: o.redisPrefix }),
  });
  return {
    app,
    sandbox,
    async gql(query, variables, headers) {
      const res = await app.yoga.fetch('http://localhost/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, body: (await res.json()) as GqlResult['body'] };
    },
    calls: (endpoint) => sandbox.log.filter((e) => !endpoint || e.endpoint === endpoint).length,
    async close() {
      await app.close();
      if (!o.shared) await sandbox.close();
    },
  };
}
