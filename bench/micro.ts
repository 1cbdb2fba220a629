// In-process CPU cost of the pieces of an uncached search (the sandbox runs in its own process):
//   npx tsx bench/micro.ts [iterations]
// Prints CPU microseconds per call of: the upstream client's search (undici + decode + records),
// JobsService.search uncached (adds cache writes, single-flight, key checks), and whole GraphQL
// requests through yoga.fetch (no sockets): { __typename }, a cached search, an uncached search.
import { createApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { buildQuery } from '../src/upstream/query-dsl.js';
import { OperationUsage } from '../src/budget/usage.js';
import { startProcess } from './lib/proc.js';
import { SEARCH } from './scenarios/search.js';

const n = Number(process.argv[2] ?? 400);
const big = { perMinute: 1e9, perHour: 1e9 };

async function cpu(label: string, f: (i: number) => Promise<unknown>, concurrency = 10): Promise<void> {
  for (let i = 0; i < 50; i++) await f(-1 - i); // warm-up
  const t0 = process.cpuUsage();
  const w0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await f(next++);
    }),
  );
  const d = process.cpuUsage(t0);
  console.log(
    `${label.padEnd(34)} ${((d.user + d.system) / n).toFixed(0).padStart(6)} µs CPU/call  (${((performance.now() - w0) / n).toFixed(2)} ms wall/call)`,
  );
}

async function main(): Promise<void> {
  const sandbox = await startProcess({ BENCH_ROLE: 'sandbox', BENCH_LIMITS: 'unlimited', BENCH_DELAY_MS: '0' });
  const keys = sandbox.ready.keys;
  if (!keys) throw new Error('no keys');
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    JOBSPIKR_BASE_URL: sandbox.ready.url,
    JOBSPIKR_FALLBACK_BASE_URL: sandbox.ready.fallbackUrl ?? sandbox.ready.url,
    JOBSPIKR_CLIENT_ID: keys.sandbox.clientId,
    JOBSPIKR_CLIENT_AUTH_KEY: keys.sandbox.authKey,
  });
  const credentials = { clientId: keys.sandbox.clientId, authKey: keys.sandbox.authKey, scheme: 'headers' as const };
  const app = createApp({ config, logger: createLogger('silent'), serverKeys: credentials, limits: { data: big, expired_jobs: big, aggregate_data: big } });
  let floor = 60_000;
  const filter = () => ({ keywords: 'engineer', salary: { min: floor++ / 1000 + 50_000 }, includeExpired: false });
  try {
    await cpu('client.search (undici+decode+records)', () => app.client.search({ query: buildQuery(filter() as never), size: 10 }, { credentials }));
    await cpu('JobsService.search, uncached', () =>
      app.jobs.search({ filter: filter() as never, size: 10, cursor: null, op: { credentials, usage: new OperationUsage(credentials) } }),
    );
    const gql = async (body: string) =>
      (await app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body })).text();
    await cpu('yoga.fetch { __typename }', () => gql('{"query":"{ __typename }"}'));
    const cached = JSON.stringify({ query: SEARCH, variables: { f: { keywords: 'engineer', salary: { min: 1 } } } });
    await cpu('yoga.fetch cached search', () => gql(cached));
    await cpu('yoga.fetch uncached search', () =>
      gql(JSON.stringify({ query: SEARCH, variables: { f: { keywords: 'engineer', salary: { min: floor++ / 1000 + 40_000 } } } })),
    );
  } finally {
    await app.close();
    await sandbox.stop();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
