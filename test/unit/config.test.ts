import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { configProblems } from '../helpers/config-problems.js';

describe('loadConfig', () => {
  it('defaults per the issue: port 4000, the documented base URLs, the embedded sandbox without keys', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(4000);
    expect(c.upstream.baseUrl).toBe('https://api.jobspikr.com/v2');
    expect(c.upstream.fallbackBaseUrl).toBe('https://api-bcp.jobspikr.com/v2');
    expect(loadConfig({ JOBSPIKR_CLIENT_ID: 'a', JOBSPIKR_CLIENT_AUTH_KEY: 'k' }).serverKeys?.scheme).toBe('headers');
    expect(c.useSandbox).toBe(true);
    expect(c.requireClientCredentials).toBe(false);
    expect(c.env).toBe('production');
  });

  it('bounds what a request may cause by default, and reads the hardening settings', () => {
    const c = loadConfig({});
    expect(c.operationLimits).toMatchObject({ maxUpstreamCallsPerRequest: 8, maxResponseBytes: 2 * 1024 * 1024, maxCreditsPerOperation: 500 });
    expect(c.http).toMatchObject({ maxConnections: 1_000, requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000 });
    // Node refuses a headers timeout longer than the request timeout: it is held to it.
    expect(loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '2000', HTTP_HEADERS_TIMEOUT_MS: '9000' }).http).toMatchObject({
      requestTimeoutMs: 2_000,
      headersTimeoutMs: 2_000,
    });
    expect(configProblems({ MAX_UPSTREAM_CALLS_PER_REQUEST: '0', MAX_RESPONSE_BYTES: '10', HTTP_MAX_CONNECTIONS: 'many' })).toHaveLength(3);
  });

  it('is pure: reads only what it is given (empty strings count as unset)', () => {
    const c = loadConfig({ PORT: '', JOBSPIKR_BASE_URL: '' });
    expect(c.http.port).toBe(4000);
    expect(c.upstream.baseUrl).toBe('https://api.jobspikr.com/v2');
  });

  it('parses strings as a real environment holds them', () => {
    const c = loadConfig({
      PORT: '8080',
      JOBSPIKR_CLIENT_ID: 'acme_jp_sandbox_0123456789',
      JOBSPIKR_CLIENT_AUTH_KEY: 'k',
      REQUIRE_CLIENT_CREDENTIALS: 'yes',
      UPSTREAM_MAX_ATTEMPTS: '2',
      REDIS_DOWN_BUDGET_SHARE: '0.25',
    });
    expect(c).toMatchObject({
      http: { port: 8080 },
      requireClientCredentials: true,
      upstream: { maxAttempts: 2 },
      rateGate: { downShare: 0.25 },
      useSandbox: false,
    });
  });

  it('multi-tenant mode never falls back to the sandbox', () => {
    expect(loadConfig({ REQUIRE_CLIENT_CREDENTIALS: 'true' }).useSandbox).toBe(false);
  });

  it('reports a half-configured key pair', () => {
    expect(configProblems({ JOBSPIKR_CLIENT_ID: 'x' })).toEqual([expect.stringContaining('JOBSPIKR_CLIENT_AUTH_KEY')]);
    expect(configProblems({ JOBSPIKR_CLIENT_AUTH_KEY: 'x' })).toHaveLength(1);
  });

  it('reports every problem at once, the key pair included', () => {
    const p = configProblems({
      PORT: 'abc',
      LOG_LEVEL: 'loud',
      JOBSPIKR_BASE_URL: 'not a url',
      UPSTREAM_MAX_ATTEMPTS: '0',
      REQUIRE_CLIENT_CREDENTIALS: 'maybe',
      JOBSPIKR_CLIENT_ID: 'only-the-id',
    });
    for (const name of ['PORT', 'LOG_LEVEL', 'JOBSPIKR_BASE_URL', 'UPSTREAM_MAX_ATTEMPTS', 'REQUIRE_CLIENT_CREDENTIALS', 'JOBSPIKR_CLIENT_AUTH_KEY']) {
      expect(
        p.some((line) => line.startsWith(`${name}:`)),
        `${name} in ${JSON.stringify(p)}`,
      ).toBe(true);
    }
    expect(p).toHaveLength(6);
  });

  it('refuses a port that cannot exist', () => {
    expect(configProblems({ PORT: '70000' })).toEqual([expect.stringContaining('PORT')]);
    expect(configProblems({ PORT: '-1' })).toEqual([expect.stringContaining('PORT')]);
  });

  it('the error message lists every problem without echoing secrets', () => {
    try {
      loadConfig({ PORT: 'abc', JOBSPIKR_CLIENT_AUTH_KEY: 'super-secret-key' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toContain('PORT');
      expect(msg).not.toContain('super-secret-key');
    }
  });

  it('configured keys serve requests without keys, except in multi-tenant mode', () => {
    const keys = { JOBSPIKR_CLIENT_ID: 'acme_prod_1', JOBSPIKR_CLIENT_AUTH_KEY: 'k' };
    expect(loadConfig(keys).serverKeys).toEqual({ clientId: 'acme_prod_1', authKey: 'k', scheme: 'headers' });
    expect(loadConfig({ ...keys, JOBSPIKR_AUTH_SCHEME: 'basic' }).serverKeys?.scheme).toBe('basic');
    // Multi-tenant: the operator's production key is never spent on a caller who brought none.
    expect(loadConfig({ ...keys, REQUIRE_CLIENT_CREDENTIALS: 'true' }).serverKeys).toBeUndefined();
    expect(loadConfig({}).serverKeys).toBeUndefined();
  });
});
