import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
};

describe('operations settings', () => {
  it('refuses a shutdown grace that is not longer than the upstream deadline', () => {
    expect(problemsOf({ UPSTREAM_DEADLINE_MS: '15000', SHUTDOWN_GRACE_MS: '15000' })).toEqual([
      expect.stringMatching(/^SHUTDOWN_GRACE_MS: must be longer than UPSTREAM_DEADLINE_MS/),
    ]);
    expect(problemsOf({ UPSTREAM_DEADLINE_MS: '1000', SHUTDOWN_GRACE_MS: '1001' })).toEqual([]);
  });

  it('defaults: no delay before the listener closes, a 30 s grace', () => {
    const c = loadConfig({});
    expect(c.shutdown).toEqual({ delayMs: 0, graceMs: 30_000 });
  });

  it('refuses TRUSTED_DOCUMENTS_ONLY without a manifest to trust', () => {
    expect(problemsOf({ TRUSTED_DOCUMENTS_ONLY: 'true' })).toEqual([expect.stringMatching(/^TRUSTED_DOCUMENTS_ONLY: set TRUSTED_DOCUMENTS_FILE too/)]);
    expect(loadConfig({ TRUSTED_DOCUMENTS_FILE: 'm.json', TRUSTED_DOCUMENTS_ONLY: 'true' }).trustedDocuments).toEqual({ file: 'm.json', only: true });
  });
});
