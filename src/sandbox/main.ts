/**
 * `npm run sandbox`: the JobsPikr simulator as a standalone process. The one sandbox file that reads
 * process.env: PORT (default 4010), SANDBOX_FALLBACK_PORT (default PORT + 1), SANDBOX_HOST (default
 * 127.0.0.1), SANDBOX_SEED (default 42), SANDBOX_JOB_COUNT (default 3000), SANDBOX_POSTINGS_PER_MINUTE (default 3).
 */
import { startSandbox } from './server.js';

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

const port = intFromEnv('PORT', 4010);
const sandbox = await startSandbox({
  port,
  fallbackPort: intFromEnv('SANDBOX_FALLBACK_PORT', port === 0 ? 0 : port + 1),
  host: process.env.SANDBOX_HOST ?? '127.0.0.1',
  seed: intFromEnv('SANDBOX_SEED', 42),
  jobCount: intFromEnv('SANDBOX_JOB_COUNT', 3000),
  postingsPerMinute: intFromEnv('SANDBOX_POSTINGS_PER_MINUTE', 3),
});

const { sandbox: sandboxKey, production } = sandbox.keys;
console.log(`JobsPikr sandbox with ${sandbox.jobs.length} jobs
  base URL:      ${sandbox.url}
  fallback URL:  ${sandbox.fallbackUrl}
  sandbox key:     client_id=${sandboxKey.clientId} client_auth_key=${sandboxKey.authKey}
  production key:  client_id=${production.clientId} client_auth_key=${production.authKey} (${sandbox.creditsRemaining(production.clientId)} credits)`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) return;
  stopping = true;
  console.log(`sandbox: ${signal}, closing`);
  sandbox.close().then(
    () => {
      process.exitCode = 0;
    },
    (error: unknown) => {
      console.error('sandbox: error while closing', error);
      process.exitCode = 1;
    },
  );
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
