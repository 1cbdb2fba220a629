// CPU that caller identity and quotas add to a cached search, as a ratio in one run:
//   npx tsx bench/callers.ts [searches per variant]
// Apps in this process over one sandbox process, all on the sandbox's production key (so quotas
// count) and logging at info to /dev/null (the operation log line is in every figure):
//   baseline: no caller identified (no token, no address: nothing to resolve, reserve or settle);
//   token:    a service token (CALLER_TOKENS) with a quota;
//   jwt:      an RS256 JWT verified against a JWKS over HTTP (cached key set), with a quota;
//   token+redis / baseline+redis: the same with REDIS_URL (quota counts in Redis).
// One search at a time, the variants taking turns search by search (in a rotating order), the CPU of each read around it
// (process.cpuUsage): the machine's other load then falls on every variant alike, and the median
// and the trimmed mean (10th-90th percentile) per variant leave out preemption and GC spikes.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { pino } from 'pino';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { AUDIENCE, ISSUER, startIssuer } from '../test/helpers/jwks.js';
import { startRedis } from '../test/helpers/redis.js';
import { startProcess } from './lib/proc.js';
import { SEARCH } from './scenarios/search.js';

const n = Number(process.argv[2] ?? 5000);
const big = { perMinute: 1e9, perHour: 1e9 };
const TOKEN = 'bench-service-token-0123456789';
const body = JSON.stringify({ query: SEARCH, variables: { f: { keywords: 'engineer', salary: { min: 1 } } } });

interface Variant {
  name: string;
  app: App;
  headers: Record<string, string>;
}

/** CPU µs of one cached search. */
async function cpuOfOne(v: Variant): Promise<number> {
  const t0 = process.cpuUsage();
  const res = await v.app.yoga.fetch('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...v.headers }, body });
  const text = await res.text();
  const d = process.cpuUsage(t0);
  if (!text.includes('"nodes"') || text.includes('"errors"')) throw new Error(`${v.name}: ${text.slice(0, 200)}`);
  return d.user + d.system;
}

const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const median = (xs: number[]): number => sorted(xs)[Math.floor(xs.length / 2)] ?? Number.NaN;
function trimmedMean(xs: number[]): number {
  const s = sorted(xs).slice(Math.floor(xs.length * 0.1), Math.ceil(xs.length * 0.9));
  return s.reduce((a, b) => a + b, 0) / s.length;
}

async function main(): Promise<void> {
  const sandbox = await startProcess({ BENCH_ROLE: 'sandbox', BENCH_LIMITS: 'unlimited', BENCH_DELAY_MS: '0' });
  const issuer = await startIssuer();
  const redis = await startRedis();
  const keys = sandbox.ready.keys;
  if (!keys) throw new Error('no keys');
  const logger = createLogger('info', pino.destination('/dev/null'));
  const env = (extra: Record<string, string>) =>
    loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      JOBSPIKR_BASE_URL: sandbox.ready.url,
      JOBSPIKR_FALLBACK_BASE_URL: sandbox.ready.fallbackUrl ?? sandbox.ready.url,
      JOBSPIKR_CLIENT_ID: keys.production.clientId,
      JOBSPIKR_CLIENT_AUTH_KEY: keys.production.authKey,
      CURSOR_SECRET: 'bench',
      ...extra,
    });
  const serverKeys = { clientId: keys.production.clientId, authKey: keys.production.authKey, scheme: 'headers' as const };
  const make = (extra: Record<string, string>, prefix: string) =>
    createApp({ config: env(extra), logger, serverKeys, limits: { data: big, expired_jobs: big, aggregate_data: big }, redisPrefix: prefix });
  const callers = {
    CALLER_TOKENS: `bench:${createHash('sha256').update(TOKEN).digest('hex')}`,
    CALLER_CREDITS_PER_DAY: '1000000000',
    AUTH_JWKS_URL: issuer.url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  };
  const jwt = await issuer.sign({ sub: 'bench-jwt' }, { expiresIn: 3600 });
  const variants: Variant[] = [
    { name: 'baseline', app: make({}, 'b0:'), headers: {} },
    { name: 'token', app: make(callers, 'b1:'), headers: { authorization: `Bearer ${TOKEN}` } },
    { name: 'jwt', app: make(callers, 'b2:'), headers: { authorization: `Bearer ${jwt}` } },
    { name: 'baseline+redis', app: make({ REDIS_URL: redis.url }, 'b3:'), headers: {} },
    { name: 'token+redis', app: make({ ...callers, REDIS_URL: redis.url }, 'b4:'), headers: { authorization: `Bearer ${TOKEN}` } },
  ];
  const cpu: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]));
  try {
    // Fill the cache, compile the document, warm the JIT.
    for (let i = 0; i < 500; i++) for (const v of variants) await cpuOfOne(v);
    // Each round starts with the next variant, so no variant always follows the same one.
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < variants.length; j++) {
        const v = variants[(i + j) % variants.length] as Variant;
        cpu[v.name]?.push(await cpuOfOne(v));
      }
    }
    const stat = (name: string) => ({ median: median(cpu[name] ?? []), trimmedMean: trimmedMean(cpu[name] ?? []) });
    const ratio = (name: string, base: string) => ({
      median: stat(name).median / stat(base).median,
      trimmedMean: stat(name).trimmedMean / stat(base).trimmedMean,
    });
    const result = {
      at: new Date().toISOString(),
      searchesPerVariant: n,
      cpuMicrosPerSearch: Object.fromEntries(variants.map((v) => [v.name, stat(v.name)])),
      ratio: { token: ratio('token', 'baseline'), jwt: ratio('jwt', 'baseline'), tokenRedis: ratio('token+redis', 'baseline+redis') },
    };
    console.table(variants.map((v) => ({ variant: v.name, 'median µs': stat(v.name).median, 'trimmed mean µs': Math.round(stat(v.name).trimmedMean) })));
    const f = (r: { median: number; trimmedMean: number }) => `${r.median.toFixed(3)}x (trimmed mean ${r.trimmedMean.toFixed(3)}x)`;
    console.log(
      `identity + quota CPU per cached search, target <= 1.05x: token ${f(result.ratio.token)}, jwt ${f(result.ratio.jwt)}, token with Redis ${f(result.ratio.tokenRedis)}`,
    );
    writeFileSync(new URL('./callers-results.json', import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const v of variants) await v.app.close();
    await issuer.close();
    await redis.stop();
    await sandbox.stop();
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
