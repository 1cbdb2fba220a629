// `npm run bench -- chaos`: the dashboard workload (bench/dashboard.ts) with short cache lifetimes
// (20 s) and two fault windows (the primary host failing for 20% of the run, then both hosts for 15%),
// side by side with the same workload without faults. Reported per window: operations, operations
// with errors, errors a stale or fresh answer could have avoided, answers flagged stale; and for the
// run: HTTP 5xx, upstream 429s, credits against the sandbox ledger. See bench/README.md ("chaos").
//
// Three programs in one file, like the dashboard: the driver (default); CHAOS_ROLE=sandbox, the
// simulator that takes fault commands over IPC; and the GraphQL server, bench/server.ts BENCH_ROLE=app
// (as the dashboard starts it). Between the users and the server the driver runs a small
// HTTP relay that records every request and answer, so the workload itself is the dashboard's, unchanged.
// Knobs: CHAOS_SPEEDUP (default 2; durations that shape the budget shrink by it), DASHBOARD_SEED (7).
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import type { FaultSpec, RequestLogEntry } from '../src/sandbox/server.js';
import { buildScripts, runUser } from './dashboard.js';
import { startProcess, stopChild } from './lib/proc.js';

const SELF = fileURLToPath(import.meta.url);
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const PRODUCTION_CREDITS = 10_000;
const SESSION_MS = 120_000;
const USERS = 10;
const OPERATIONS = 686;
/** Fault windows as shares of the session: primary down, then (after a healthy gap) both hosts down. */
const WINDOWS = { primary: [0.2, 0.4], both: [0.55, 0.7] } as const;
const CACHE_LIFETIME_MS = 20_000;

type LogEntry = Omit<RequestLogEntry, 'method'>;
type SandboxMsg =
  | { type: 'ready'; url: string; fallbackUrl: string; production: { clientId: string; authKey: string } }
  | { type: 'ledger'; creditsRemaining: number; log: LogEntry[] }
  | { type: 'ok' };
type SandboxCmd = { cmd: 'ledger' } | { cmd: 'fault'; spec: FaultSpec } | { cmd: 'clear' };

const num = (name: string, def: number): number => {
  const v = Number(process.env[name] ?? def);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number`);
  return v;
};

/** CHAOS_ROLE=sandbox: the simulator with the contract's limits (windows shrunk), faults injected on command. */
async function sandboxRole(): Promise<void> {
  const { DEFAULT_LIMITS, startSandbox } = await import('../src/sandbox/server.js');
  const speedup = num('CHAOS_SPEEDUP', 2);
  const sandbox = await startSandbox({
    limits: DEFAULT_LIMITS,
    minuteMs: Math.round(60_000 / speedup),
    hourMs: Math.round(3_600_000 / speedup),
    productionCredits: PRODUCTION_CREDITS,
  });
  const production = sandbox.keys.production;
  const send = (m: SandboxMsg) => process.send?.(m);
  process.on('message', (m: SandboxCmd) => {
    if (m.cmd === 'ledger') {
      const log = sandbox.log.map(({ method: _m, ...e }) => e);
      send({ type: 'ledger', creditsRemaining: sandbox.creditsRemaining(production.clientId), log });
      return;
    }
    if (m.cmd === 'fault') sandbox.injectFault(m.spec);
    else sandbox.clearFaults();
    send({ type: 'ok' });
  });
  const stop = () => void sandbox.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('disconnect', stop);
  send({ type: 'ready', url: sandbox.url, fallbackUrl: sandbox.fallbackUrl, production });
}

async function startSandboxChild(speedup: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', SELF], {
    cwd: ROOT,
    env: { ...process.env, CHAOS_ROLE: 'sandbox', CHAOS_SPEEDUP: String(speedup) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const waiting: ((m: SandboxMsg) => void)[] = [];
  const ready = await new Promise<Extract<SandboxMsg, { type: 'ready' }>>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`chaos sandbox exited with ${code} before ready`)));
    child.on('message', (m: SandboxMsg) => (m.type === 'ready' ? resolve(m) : waiting.shift()?.(m)));
  });
  const ask = (c: SandboxCmd) =>
    new Promise<SandboxMsg>((resolve) => {
      waiting.push(resolve);
      child.send(c);
    });
  return { pid: child.pid ?? -1, ready, ask, stop: () => stopChild(child) };
}

/** One request through the relay, as the driver saw it. */
interface Seen {
  atMs: number;
  key: string;
  status: number;
  errors: { code: string; path: string }[];
  stale: { path: (string | number)[]; ageSeconds: number; reason: string }[];
  /** uniq_ids the request asked for (lookups) */
  asked: string[];
  /** uniq_ids in the answer's data */
  answered: string[];
  /** the answer's text when it was a 5xx (to say what broke) */
  failure?: string;
}

const UNIQ = /\b[0-9a-f]{32}\b/g;

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A relay in front of the app that records each operation and its answer (the users talk to it). */
async function startRelay(target: string, t0: () => number, seen: Seen[]) {
  const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
  const server = createServer((req, res) => {
    void (async () => {
      const text = await body(req);
      const atMs = t0();
      const r = await request(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text, dispatcher: agent });
      const out = await r.body.text();
      res.writeHead(r.statusCode, { 'content-type': 'application/json' });
      res.end(out);
      let parsed: {
        data?: unknown;
        errors?: { path?: unknown[]; extensions?: { code?: string } }[];
        extensions?: { jobspikr?: { stale?: Seen['stale'] } };
      } = {};
      try {
        parsed = JSON.parse(out) as typeof parsed;
      } catch {
        // a non-JSON answer counts by its status
      }
      const reqBody = JSON.parse(text) as { query: string; variables?: unknown };
      seen.push({
        atMs,
        key: JSON.stringify([reqBody.query, reqBody.variables ?? {}]),
        status: r.statusCode,
        errors: (parsed.errors ?? []).map((e) => ({ code: e.extensions?.code ?? 'NONE', path: (e.path ?? []).join('.') })),
        stale: parsed.extensions?.jobspikr?.stale ?? [],
        asked: JSON.stringify(reqBody.variables ?? {}).match(UNIQ) ?? [],
        answered: JSON.stringify(parsed.data ?? null).match(UNIQ) ?? [],
        ...(r.statusCode >= 500 && { failure: out.slice(0, 300) }),
      });
    })().catch(() => {
      res.writeHead(502);
      res.end();
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await agent.close();
    },
  };
}

type WindowName = 'before' | 'primary down' | 'between' | 'both down' | 'after';
const windowOf = (share: number): WindowName =>
  share < WINDOWS.primary[0]
    ? 'before'
    : share < WINDOWS.primary[1]
      ? 'primary down'
      : share < WINDOWS.both[0]
        ? 'between'
        : share < WINDOWS.both[1]
          ? 'both down'
          : 'after';

interface WindowRow {
  ops: number;
  /** operations with errors, by code */
  codes: Record<string, number>;
  withErrors: number;
  /** operations with an error for data answered before (the same operation, or every id it asked for) */
  avoidable: number;
  stale: number;
}

interface RunResult {
  faults: boolean;
  windows: Record<WindowName, WindowRow>;
  http5xx: number;
  upstream429: number;
  upstreamCalls: number;
  creditsSpent: number;
  creditsReported: number | null;
  staleReasons: Record<string, number>;
  maxStaleAgeSeconds: number;
  /** avoidable errors (first few) */
  examples: string[];
  /** 5xx answers */
  failures: string[];
}

async function run(faults: boolean, speedup: number, seed: number, log: (l: string) => void): Promise<RunResult> {
  const scaled = (ms: number) => String(Math.max(1, Math.round(ms / speedup)));
  const sessionMs = SESSION_MS;
  const sandbox = await startSandboxChild(speedup);
  const sb = sandbox.ready;
  const app = await startProcess({
    BENCH_ROLE: 'app',
    BENCH_LIMITS: 'contract',
    NODE_ENV: 'production',
    JOBSPIKR_BASE_URL: sb.url,
    JOBSPIKR_FALLBACK_BASE_URL: sb.fallbackUrl,
    JOBSPIKR_CLIENT_ID: sb.production.clientId,
    JOBSPIKR_CLIENT_AUTH_KEY: sb.production.authKey,
    RATE_WINDOW_MINUTE_MS: scaled(60_000),
    RATE_WINDOW_HOUR_MS: scaled(3_600_000),
    RATE_LIMIT_MAX_WAIT_MS: scaled(2_000),
    // The window margin covers a request's transit, which real time measures: 1 s, whatever the speedup.
    RATE_WINDOW_MARGIN_RATIO: '1',
    RATE_WINDOW_MARGIN_MAX_MS: '1000',
    UPSTREAM_DEADLINE_MS: scaled(15_000),
    FAILOVER_COOLDOWN_MS: scaled(30_000),
    FAILOVER_PROBE_INTERVAL_MS: scaled(5_000),
    CACHE_TTL_SEARCH_MS: scaled(CACHE_LIFETIME_MS),
    CACHE_TTL_AGGREGATE_MS: scaled(CACHE_LIFETIME_MS),
    CACHE_TTL_EXPIRED_MS: scaled(CACHE_LIFETIME_MS),
    CACHE_TTL_RECORD_MS: scaled(CACHE_LIFETIME_MS),
  });
  const seen: Seen[] = [];
  let started = 0;
  const relay = await startRelay(app.ready.url, () => performance.now() - started, seen);
  const timers: NodeJS.Timeout[] = [];
  try {
    log(`${faults ? 'faults' : 'no faults'}: sandbox pid ${sandbox.pid}, app pid ${app.pid}`);
    const scripts = buildScripts({ seed, users: USERS, operations: OPERATIONS, sessionMs });
    const agent = new Agent({ connections: 64, keepAliveTimeout: 30_000 });
    const wall = sessionMs / speedup;
    if (faults) {
      const at = (share: number, f: () => Promise<unknown>) => timers.push(setTimeout(() => void f(), share * wall));
      at(WINDOWS.primary[0], () => sandbox.ask({ cmd: 'fault', spec: { kind: 'status503', host: 'primary' } }));
      at(WINDOWS.primary[1], () => sandbox.ask({ cmd: 'clear' }));
      at(WINDOWS.both[0], () => sandbox.ask({ cmd: 'fault', spec: { kind: 'status503', host: 'both' } }));
      at(WINDOWS.both[1], () => sandbox.ask({ cmd: 'clear' }));
    }
    started = performance.now();
    const out: Parameters<typeof runUser>[3] = [];
    await Promise.all(scripts.map((script, u) => runUser(u, script, { url: relay.url, speedup, t0: started }, out)));
    const usage = await request(relay.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ apiUsage { creditsUsedByThisServer } }' }),
      dispatcher: agent,
    });
    const u = (await usage.body.json()) as { data?: { apiUsage?: { creditsUsedByThisServer: number } } };
    await agent.close();
    const ledger = (await sandbox.ask({ cmd: 'ledger' })) as Extract<SandboxMsg, { type: 'ledger' }>;
    const upstream = ledger.log.filter((e) => e.clientId === sb.production.clientId);
    const windows = Object.fromEntries(
      (['before', 'primary down', 'between', 'both down', 'after'] as const).map((w) => [w, { ops: 0, codes: {}, withErrors: 0, avoidable: 0, stale: 0 }]),
    ) as Record<WindowName, WindowRow>;
    // What had been answered before each operation: operations answered whole, and ids seen in answers.
    const okKeys = new Set<string>();
    const knownIds = new Set<string>();
    const staleReasons: Record<string, number> = {};
    const examples: string[] = [];
    let maxAge = 0;
    const ops = seen.filter((s) => !s.key.includes('apiUsage { creditsUsedByThisServer }')).sort((a, b) => a.atMs - b.atMs);
    for (const s of ops) {
      const w = windows[windowOf(s.atMs / wall)];
      w.ops++;
      if (s.stale.length) w.stale++;
      for (const n of s.stale) {
        staleReasons[n.reason] = (staleReasons[n.reason] ?? 0) + 1;
        maxAge = Math.max(maxAge, n.ageSeconds);
      }
      if (s.errors.length) {
        w.withErrors++;
        for (const c of new Set(s.errors.map((e) => e.code))) w.codes[c] = (w.codes[c] ?? 0) + 1;
        const before = okKeys.has(s.key) || (s.asked.length > 0 && s.asked.every((id) => knownIds.has(id)));
        if (before) {
          w.avoidable++;
          if (examples.length < 12)
            examples.push(
              `${windowOf(s.atMs / wall)} at ${(s.atMs / 1000).toFixed(1)} s: ${s.errors.map((e) => `${e.path}:${e.code}`).join(',')} ${s.key.slice(0, 160)}`,
            );
        }
      } else okKeys.add(s.key);
      for (const id of s.answered) knownIds.add(id);
    }
    return {
      faults,
      windows,
      http5xx: seen.filter((s) => s.status >= 500).length,
      upstream429: upstream.filter((e) => e.status === 429).length,
      upstreamCalls: upstream.length,
      creditsSpent: PRODUCTION_CREDITS - ledger.creditsRemaining,
      creditsReported: u.data?.apiUsage?.creditsUsedByThisServer ?? null,
      staleReasons,
      maxStaleAgeSeconds: maxAge,
      examples,
      failures: seen.flatMap((x) => (x.failure ? [`${x.status} ${x.key.slice(0, 120)}: ${x.failure}`] : [])),
    };
  } finally {
    for (const t of timers) clearTimeout(t);
    await relay.close();
    await app.stop();
    await sandbox.stop();
  }
}

export async function main(): Promise<void> {
  const speedup = num('CHAOS_SPEEDUP', 2);
  const seed = num('DASHBOARD_SEED', 7);
  const log = (l: string) => console.log(l);
  log(
    `chaos: dashboard workload (${USERS} users, ${OPERATIONS} operations, ${SESSION_MS / 1000} s of workload time at ${speedup}x), cache lifetimes ${CACHE_LIFETIME_MS / 1000} s; primary down ${WINDOWS.primary.map((x) => `${Math.round(x * 100)}%`).join('-')}, both down ${WINDOWS.both.map((x) => `${Math.round(x * 100)}%`).join('-')}`,
  );
  const calm = await run(false, speedup, seed, log);
  const chaos = await run(true, speedup, seed, log);
  const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)}%` : '-');
  const names = Object.keys(chaos.windows) as WindowName[];
  log('');
  log('window        | no faults: ops / with errors | faults: ops / with errors (share) / avoidable / flagged stale');
  for (const w of names) {
    const a = calm.windows[w];
    const b = chaos.windows[w];
    log(
      `${w.padEnd(13)} | ${String(a.ops).padStart(4)} / ${a.withErrors} ${JSON.stringify(a.codes)} | ${String(b.ops).padStart(4)} / ${b.withErrors} (${pct(b.withErrors, b.ops)}) / ${b.avoidable} / ${b.stale} ${JSON.stringify(b.codes)}`,
    );
  }
  for (const r of [calm, chaos]) {
    log(
      `${r.faults ? 'faults   ' : 'no faults'}: HTTP 5xx ${r.http5xx}, upstream 429s ${r.upstream429}, upstream calls ${r.upstreamCalls}, credits ledger ${r.creditsSpent} vs apiUsage ${r.creditsReported} (${r.creditsSpent === r.creditsReported ? 'equal' : 'DIFFER'}), stale answers by reason ${JSON.stringify(r.staleReasons)}, oldest stale ${r.maxStaleAgeSeconds} s`,
    );
  }
  for (const r of [calm, chaos]) for (const l of [...r.failures, ...r.examples]) log(`  ${r.faults ? 'faults' : 'no faults'}: ${l}`);
  const both = chaos.windows['both down'];
  const ok =
    chaos.windows['primary down'].withErrors === 0 &&
    both.withErrors <= 0.05 * both.ops &&
    both.avoidable === 0 &&
    chaos.windows.after.avoidable === 0 &&
    chaos.http5xx + calm.http5xx === 0 &&
    chaos.upstream429 + calm.upstream429 === 0 &&
    chaos.creditsSpent === chaos.creditsReported &&
    calm.creditsSpent === calm.creditsReported;
  log(ok ? 'chaos: all targets met' : 'chaos: TARGET MISSED');
  if (!ok) process.exitCode = 1;
}

const fail = (e: unknown) => {
  console.error(e);
  process.exit(1);
};
if (process.env.CHAOS_ROLE === 'sandbox') void sandboxRole().catch(fail);
else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) void main().catch(fail);
