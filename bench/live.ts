// `npm run bench -- live`: 200 subscribers on 10 filters (jobPosted over SSE) for 2 minutes, side by side
// with the same 200 clients polling `jobs` every 10 s themselves; upstream calls, credits and RSS of the
// GraphQL process. The sandbox has the contract's limits, runs under its PRODUCTION key (every record
// bought costs a credit) and publishes new postings all along. See bench/README.md ("Live job alerts").
//
// One file, three programs: the driver (default), and with LIVE_BENCH_ROLE=sandbox|app the sandbox and
// the GraphQL server (one process each). Knobs: LIVE_BENCH_SECONDS (default 120), LIVE_BENCH_CLIENTS
// (default 200), LIVE_BENCH_FILTERS (default 10), LIVE_BENCH_POSTINGS_PER_MINUTE (default 30, a third of
// them matching no filter), LIVE_BENCH_POLL_S (the polling clients' period, default 10).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createClient } from 'graphql-sse';
import { Agent, request } from 'undici';
import { stopChild } from './lib/proc.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS = fileURLToPath(new URL('./live-results.json', import.meta.url));

const num = (name: string, def: number): number => {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? def : Number(raw);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};
const SECONDS = num('LIVE_BENCH_SECONDS', 120);
const CLIENTS = num('LIVE_BENCH_CLIENTS', 200);
const FILTERS = num('LIVE_BENCH_FILTERS', 10);
const POSTINGS_PER_MINUTE = num('LIVE_BENCH_POSTINGS_PER_MINUTE', 30);
const POLL_S = num('LIVE_BENCH_POLL_S', 10);
const topicTitle = (i: number) => `Benchtopic${i}`;

interface Stats {
  type: 'stats';
  rssBytes: number;
  dataCalls: number;
  creditsRemaining: number;
  published: string[][];
}
type Message = { type: 'ready'; url: string; production?: { clientId: string; authKey: string } } | Stats;

interface Child {
  ready: Extract<Message, { type: 'ready' }>;
  ask(): Promise<Stats>;
  stop(): Promise<void>;
}

async function startChild(env: Record<string, string>): Promise<Child> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', SELF], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: ((m: Stats) => void)[] = [];
  const ready = await new Promise<Extract<Message, { type: 'ready' }>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`live bench ${env.LIVE_BENCH_ROLE} exited with ${code} before ready`)));
    child.on('message', (m: Message) => (m.type === 'ready' ? resolve(m) : waiting.shift()?.(m)));
  });
  return {
    ready,
    ask: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
        child.send({ cmd: 'stats' });
      }),
    stop: () => stopChild(child),
  };
}

const send = (m: Message): void => void process.send?.(m);

/** The sandbox: contract limits, production key, publishing postings (each aimed at a filter, or at none). */
async function sandboxRole(): Promise<void> {
  const { DEFAULT_LIMITS, startSandbox } = await import('../src/sandbox/server.js');
  const sandbox = await startSandbox({ limits: DEFAULT_LIMITS, productionCredits: 1_000_000 });
  const published: string[][] = Array.from({ length: FILTERS }, () => []);
  let n = 0;
  const timer = setInterval(() => {
    const slot = n++ % 3 === 2 ? -1 : (n * 7) % FILTERS; // a third match no filter
    const [posting] = sandbox.publish(1, slot < 0 ? {} : { job_title: `${topicTitle(slot)} engineer` });
    if (posting && slot >= 0) published[slot]?.push(posting.uniq_id);
  }, 60_000 / POSTINGS_PER_MINUTE);
  process.on('message', () => {
    const mem = process.memoryUsage().rss;
    send({
      type: 'stats',
      rssBytes: mem,
      dataCalls: sandbox.log.filter((e) => e.endpoint === 'data').length,
      creditsRemaining: sandbox.creditsRemaining(sandbox.keys.production.clientId),
      published,
    });
  });
  const stop = () => {
    clearInterval(timer);
    void sandbox.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  send({ type: 'ready', url: sandbox.url, production: sandbox.keys.production });
}

/** The GraphQL server as in production, configured from the environment only. */
async function appRole(): Promise<void> {
  const { createApp } = await import('../src/app.js');
  const { loadConfig } = await import('../src/config.js');
  const { createLogger } = await import('../src/logger.js');
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'silent', ...process.env, PORT: '0', HOST: '127.0.0.1' });
  if (!config.serverKeys) throw new Error('app role needs JOBSPIKR_CLIENT_ID and JOBSPIKR_CLIENT_AUTH_KEY');
  const app = createApp({ config, logger: createLogger(config.log.level), serverKeys: config.serverKeys });
  const http = createServer(app.yoga);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  process.on('message', () => send({ type: 'stats', rssBytes: process.memoryUsage().rss, dataCalls: 0, creditsRemaining: 0, published: [] }));
  const stop = () => {
    http.closeAllConnections();
    void new Promise<void>((resolve) => http.close(() => resolve())).then(() => app.close()).finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  send({ type: 'ready', url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` });
}

interface Outcome {
  scenario: string;
  seconds: number;
  clients: number;
  upstreamCalls: number;
  credits: number;
  /** Matching postings published during the run, and how many distinct of them the clients saw (summed over clients). */
  matchingPublished: number;
  jobsSeenPerClient: number;
  graphqlRequests: number;
  rssMaxMb: number;
  rssEndMb: number;
}

async function run(scenario: 'live' | 'polling', appEnv: Record<string, string>): Promise<Outcome> {
  const sandbox = await startChild({ LIVE_BENCH_ROLE: 'sandbox' });
  const keys = sandbox.ready.production;
  if (!keys) throw new Error('sandbox sent no keys');
  const app = await startChild({
    LIVE_BENCH_ROLE: 'app',
    JOBSPIKR_BASE_URL: sandbox.ready.url,
    JOBSPIKR_FALLBACK_BASE_URL: sandbox.ready.url,
    JOBSPIKR_CLIENT_ID: keys.clientId,
    JOBSPIKR_CLIENT_AUTH_KEY: keys.authKey,
    ...appEnv,
  });
  const base = app.ready.url;
  const start = await sandbox.ask();
  const seen: Set<string>[] = Array.from({ length: CLIENTS }, () => new Set());
  let requests = 0;
  let rssMax = 0;
  const sampler = setInterval(() => {
    void app.ask().then((s) => {
      rssMax = Math.max(rssMax, s.rssBytes);
    });
  }, 1_000);
  const stops: (() => void)[] = [];
  const deadline = Date.now() + SECONDS * 1000;
  if (scenario === 'live') {
    for (let c = 0; c < CLIENTS; c++) {
      const client = createClient({ url: `${base}/graphql`, retryAttempts: 3 });
      requests++;
      const dispose = client.subscribe<{ jobPosted: { uniqId: string } }>(
        { query: 'subscription($f: JobFilter) { jobPosted(filter: $f) { uniqId title companyName } }', variables: { f: { title: topicTitle(c % FILTERS) } } },
        { next: (r) => r.data && seen[c]?.add(r.data.jobPosted.uniqId), error: () => undefined, complete: () => undefined },
      );
      stops.push(() => {
        dispose();
        client.dispose();
      });
    }
    await sleep(deadline - Date.now());
  } else {
    const dispatcher = new Agent({ connections: 50 });
    const query = 'query($f: JobFilter) { jobs(filter: $f, first: 10) { nodes { uniqId title companyName } } }';
    await Promise.all(
      Array.from({ length: CLIENTS }, async (_, c) => {
        await sleep(Math.round((c / CLIENTS) * POLL_S * 1000)); // staggered, as real tabs are
        while (Date.now() < deadline) {
          const t0 = Date.now();
          requests++;
          const res = await request(`${base}/graphql`, {
            method: 'POST',
            dispatcher,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ query, variables: { f: { title: topicTitle(c % FILTERS) } } }),
          });
          const body = (await res.body.json()) as { data?: { jobs?: { nodes: { uniqId: string }[] } } };
          for (const j of body.data?.jobs?.nodes ?? []) seen[c]?.add(j.uniqId);
          await sleep(Math.max(0, POLL_S * 1000 - (Date.now() - t0)));
        }
      }),
    );
    await dispatcher.close();
  }
  clearInterval(sampler);
  const end = await sandbox.ask();
  const rssEnd = (await app.ask()).rssBytes;
  for (const s of stops) s();
  await app.stop();
  await sandbox.stop();
  // Only postings published in the run count as "new"; polling clients also see older jobs, not counted.
  const fresh = end.published.map((ids) => new Set(ids));
  const jobsSeen = seen.reduce((n, s, c) => n + [...s].filter((id) => fresh[c % FILTERS]?.has(id)).length, 0);
  return {
    scenario,
    seconds: SECONDS,
    clients: CLIENTS,
    upstreamCalls: end.dataCalls - start.dataCalls,
    credits: start.creditsRemaining - end.creditsRemaining,
    matchingPublished: end.published.reduce((n, ids) => n + ids.length, 0),
    jobsSeenPerClient: Math.round((jobsSeen / CLIENTS) * 10) / 10,
    graphqlRequests: requests,
    rssMaxMb: Math.round(Math.max(rssMax, rssEnd) / 2 ** 20),
    rssEndMb: Math.round(rssEnd / 2 ** 20),
  };
}

export async function main(): Promise<void> {
  console.log(`live bench: ${CLIENTS} clients on ${FILTERS} filters for ${SECONDS} s; ${POSTINGS_PER_MINUTE} postings a minute`);
  const outcomes: Outcome[] = [];
  // Every bench client is one caller (this machine): the per-caller bound is lifted for it.
  outcomes.push(await run('live', { LIVE_MAX_SUBSCRIPTIONS_PER_CALLER: String(CLIENTS) }));
  console.log(outcomes.at(-1));
  outcomes.push(await run('polling', {}));
  console.log(outcomes.at(-1));
  // The same clients when the search cache is as fresh as their period (what they must have to see new jobs).
  outcomes.push({ ...(await run('polling', { CACHE_TTL_SEARCH_MS: String(POLL_S * 1000) })), scenario: 'polling, cache = period' });
  console.log(outcomes.at(-1));
  writeFileSync(
    RESULTS,
    `${JSON.stringify({ at: new Date().toISOString(), postingsPerMinute: POSTINGS_PER_MINUTE, pollSeconds: POLL_S, outcomes }, null, 2)}\n`,
  );
  console.log(`\n| measure | ${outcomes.map((o) => o.scenario).join(' | ')} |\n|---|${outcomes.map(() => '---').join('|')}|`);
  for (const k of ['upstreamCalls', 'credits', 'matchingPublished', 'jobsSeenPerClient', 'graphqlRequests', 'rssMaxMb', 'rssEndMb'] as const) {
    console.log(`| ${k} | ${outcomes.map((o) => o[k]).join(' | ')} |`);
  }
}

const role = process.env.LIVE_BENCH_ROLE;
const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (role === 'sandbox') void sandboxRole();
else if (role === 'app') void appRole();
else if (isMain) void main().then(() => process.exit(0));
