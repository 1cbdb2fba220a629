import { ConfigError, loadConfig } from '../../src/config.js';

/** The problems loadConfig reports for `env` (none when it loads); anything else it throws is rethrown. */
export function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
}
