import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command, Ready, Reply } from '../protocol.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The Node/V8 flags `npm start` gives the server (package.json `scripts.start`, e.g.
 * `--heap-growing-percent=50`), so the measured app process runs as deployed.
 */
export function startFlags(): string[] {
  // BENCH_START_FLAGS replaces them, to compare settings before changing `npm start`
  if (process.env.BENCH_START_FLAGS !== undefined) return process.env.BENCH_START_FLAGS.split(' ').filter(Boolean);
  const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts?: { start?: string } };
  const words = (pkg.scripts?.start ?? '').split(/\s+/);
  const flags: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (w === '--import' || w === '--require') i++;
    else if (w.startsWith('--')) flags.push(w);
  }
  return flags;
}

export interface BenchProcess {
  pid: number;
  ready: Ready;
  send(command: Command): Promise<Reply>;
  stop(): Promise<void>;
}

/** SIGTERM a child process and wait for it to exit (SIGKILL after 5 s). */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

let bundled: string | undefined;

const SERVER_BUNDLE_DIR = '.bench-out/server';
/** The bundle's source map, for naming a profile's frames (./attribute.ts). */
export const SERVER_BUNDLE_MAP = `${SERVER_BUNDLE_DIR}/server.js.map`;

/**
 * bench/server.ts bundled by the production build script (scripts/build.mjs), once per bench run: the
 * measured processes run the code as deployed (one bundle, plain `node`, no TypeScript loader in the
 * process's CPU or memory).
 */
function serverBundle(): string {
  // BENCH_TSX=1: the TypeScript sources through tsx instead, so a CPU profile names files and packages
  if (process.env.BENCH_TSX === '1') return 'bench/server.ts';
  if (bundled) return bundled;
  runBuild('bench/server.ts', SERVER_BUNDLE_DIR);
  bundled = `${SERVER_BUNDLE_DIR}/server.js`;
  return bundled;
}

/** `npm run build`'s script (scripts/build.mjs): `entry` bundled into `outdir`, `dist/` when none is given. */
export function runBuild(...entryAndOutdir: [] | [entry: string, outdir: string]): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', ...entryAndOutdir], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/build.mjs ${entryAndOutdir.join(' ')} failed (${r.status})`);
}

/** Start the bundled bench/server.ts as its own process (one pid) and wait for `ready`. */
export async function startProcess(env: Record<string, string>): Promise<BenchProcess> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") goes to every server process.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  if (env.BENCH_ROLE !== 'sandbox') nodeArgs.unshift(...startFlags());
  const script = serverBundle();
  const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, ...loader, script], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let nextId = 1;
  const pending = new Map<number, (r: Reply) => void>();
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench server (${env.BENCH_ROLE}) exited with ${code} before ready`)));
    child.on('message', (m: Ready | Reply) => {
      if (m.type === 'ready') resolve(m);
      else pending.get(m.id)?.(m);
    });
  });
  return {
    pid: child.pid ?? -1,
    ready,
    send(command) {
      const id = nextId++;
      return new Promise<Reply>((resolve) => {
        pending.set(id, (r) => {
          pending.delete(id);
          resolve(r);
        });
        child.send({ ...command, id });
      });
    },
    stop: () => stopChild(child),
  };
}

export interface Pair {
  sandbox: BenchProcess;
  app: BenchProcess;
  /** the app's GraphQL URL */
  url: string;
  /** POST /v2/data on the sandbox, with the server's key */
  dataUrl: string;
  keyHeaders: Record<string, string>;
  stop(): Promise<void>;
}

/** CPU of `p` per answer over `run`, in ms: user + system, and each apart. */
export async function cpuPerAnswer<R extends { ok: number }>(
  p: BenchProcess,
  run: () => Promise<R>,
): Promise<{ run: R; cpuMs: number; userMs: number; systemMs: number }> {
  const before = (await p.send({ cmd: 'stats' })).process;
  const r = await run();
  const after = (await p.send({ cmd: 'stats' })).process;
  const perAnswer = (us: number): number => us / 1000 / Math.max(1, r.ok);
  const userMs = perAnswer(after.cpuUserUs - before.cpuUserUs);
  const systemMs = perAnswer(after.cpuSystemUs - before.cpuSystemUs);
  return { run: r, cpuMs: userMs + systemMs, userMs, systemMs };
}

/** A floor process (bench/floor.ts) over the pair's sandbox: the same upstream request as the app's. */
export function startFloorProcess(pair: Pair, template: string, kind: 'raw' | 'yoga' = 'raw'): Promise<BenchProcess> {
  return startProcess({
    BENCH_ROLE: 'floor',
    BENCH_FLOOR_KIND: kind,
    NODE_ENV: 'production',
    BENCH_FLOOR_DATA_URL: pair.dataUrl,
    BENCH_FLOOR_HEADERS: JSON.stringify(pair.keyHeaders),
    BENCH_FLOOR_TEMPLATE: template,
  });
}

/** A sandbox process and an app process over it, each measurable on its own. */
export async function startPair(o: { limits: 'contract' | 'unlimited'; delayMs?: number; appEnv?: Record<string, string> }): Promise<Pair> {
  const sandbox = await startProcess({ BENCH_ROLE: 'sandbox', BENCH_LIMITS: o.limits, BENCH_DELAY_MS: String(o.delayMs ?? 0) });
  const keys = sandbox.ready.keys;
  if (!keys) throw new Error('sandbox sent no keys');
  const app = await startProcess({
    BENCH_ROLE: 'app',
    BENCH_LIMITS: o.limits,
    // As deployed: libraries (graphql-js among them) skip their development-only checks.
    NODE_ENV: 'production',
    JOBSPIKR_BASE_URL: sandbox.ready.url,
    JOBSPIKR_FALLBACK_BASE_URL: sandbox.ready.fallbackUrl ?? sandbox.ready.url,
    JOBSPIKR_CLIENT_ID: keys.sandbox.clientId,
    JOBSPIKR_CLIENT_AUTH_KEY: keys.sandbox.authKey,
    ...o.appEnv,
  });
  return {
    sandbox,
    app,
    url: app.ready.url,
    dataUrl: `${sandbox.ready.url}/data`,
    keyHeaders: { client_id: keys.sandbox.clientId, client_auth_key: keys.sandbox.authKey },
    async stop() {
      await app.stop();
      await sandbox.stop();
    },
  };
}
