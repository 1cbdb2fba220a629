// The entry other modules import ('./config.js'): the schema is in config/env.ts, the grouping in config/groups.ts.
import { parseCallerTokens } from './config/caller-tokens.js';
import { EnvSchema } from './config/env.js';
import { type Config, group } from './config/groups.js';

export { parseCallerTokens } from './config/caller-tokens.js';
export type { Env, LogLevel } from './config/env.js';
export type { Config, ServerKeys } from './config/groups.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parse the environment; every problem is reported at once. Pure: no process access. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const r = EnvSchema.safeParse(cleaned);
  const problems = r.success ? [] : r.error.issues.map((i) => `${i.path.join('.') || 'env'}: ${i.message}`);
  // Checked outside the schema so it is reported together with every other problem.
  if ('JOBSPIKR_CLIENT_ID' in cleaned !== 'JOBSPIKR_CLIENT_AUTH_KEY' in cleaned) {
    problems.push('JOBSPIKR_CLIENT_AUTH_KEY: set both JOBSPIKR_CLIENT_ID and JOBSPIKR_CLIENT_AUTH_KEY, or neither (neither = embedded sandbox)');
  }
  if (r.success && r.data.LIVE_MIN_POLL_MS > r.data.LIVE_MAX_POLL_MS) problems.push('LIVE_MIN_POLL_MS: must not be greater than LIVE_MAX_POLL_MS');
  if (r.success && r.data.TRUSTED_DOCUMENTS_ONLY && !r.data.TRUSTED_DOCUMENTS_FILE) {
    problems.push('TRUSTED_DOCUMENTS_ONLY: set TRUSTED_DOCUMENTS_FILE too (with no manifest every document would be refused)');
  }
  if (r.success && r.data.SHUTDOWN_GRACE_MS <= r.data.UPSTREAM_DEADLINE_MS) {
    problems.push('SHUTDOWN_GRACE_MS: must be longer than UPSTREAM_DEADLINE_MS, or a shutdown cuts upstream calls that would still have answered');
  }
  if (typeof cleaned.CALLER_TOKENS === 'string') problems.push(...parseCallerTokens(cleaned.CALLER_TOKENS).problems);
  // A browser sends its Origin as scheme://host[:port]; anything else listed would never match.
  for (const o of cleaned.CORS_ORIGINS?.split(',').map((x) => x.trim().replace(/\/+$/, '')) ?? []) {
    if (o && !/^https?:\/\/[^/\s]+$/.test(o)) problems.push(`CORS_ORIGINS: ${o} is not an origin (scheme://host[:port])`);
  }
  if (cleaned.AUTH_REQUIRED && ['true', '1', 'yes'].includes(cleaned.AUTH_REQUIRED) && !cleaned.CALLER_TOKENS && !cleaned.AUTH_JWKS_URL) {
    problems.push('AUTH_REQUIRED: set CALLER_TOKENS or AUTH_JWKS_URL, or no caller can be identified');
  }
  if (!r.success || problems.length) throw new ConfigError(problems);
  return group(r.data);
}
