import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { msgOf } from '../helpers/log-lines.js';
import { startRedis, type TestRedis } from '../helpers/redis.js';

// npm start with REDIS_URL: the server waits (bounded by REDIS_STARTUP_WAIT_MS) for the shared rate
// budget before it listens, so its first calls already draw from the budget every replica sees.

const root = fileURLToPath(new URL('../../', import.meta.url));
const LISTENING = /^GraphiQL on /;

interface Server {
  child: ChildProcess;
  base: string;
  /** Log messages so far, in order. */
  msgs: string[];
}

const children: ChildProcess[] = [];
let redis: TestRedis | undefined;

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
  redis = undefined;
});

/** The server process with the embedded sandbox (no JobsPikr keys) and the given Redis settings. */
async function spawnServer(env: Record<string, string>): Promise<Server> {
  const port = await freePort();
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('JOBSPIKR_') && k !== 'REDIS_URL'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: root,
    env: { ...clean, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const msgs: string[] = [];
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (buffered + chunk).split('\n');
    buffered = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) msgs.push(msgOf(p));
  });
  return { child, base: `http://127.0.0.1:${port}`, msgs };
}

async function until(s: Server, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 300 && !s.msgs.some((m) => pattern.test(m)); i++) {
    if (s.child.exitCode !== null) throw new Error(`server exited with ${s.child.exitCode}`);
    await sleep(50);
  }
  expect(
    s.msgs.some((m) => pattern.test(m)),
    `log says ${String(pattern)}`,
  ).toBe(true);
}

const listens = (base: string) =>
  fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  );

describe('start-up with REDIS_URL', () => {
  it('does not listen until Redis answers, then says so and listens', async () => {
    const redisPort = await freePort([6379]);
    const s = await spawnServer({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_STARTUP_WAIT_MS: '60000' });
    await until(s, /^waiting for the shared rate budget/);
    // Redis is not there yet: the server holds back (a few of its reconnect attempts pass meanwhile).
    await sleep(300);
    expect(await listens(s.base)).toBe(false);
    expect(s.msgs.some((m) => LISTENING.test(m))).toBe(false);

    redis = await startRedis({ port: redisPort });
    await until(s, LISTENING);
    expect(await listens(s.base)).toBe(true);
    const ready = s.msgs.indexOf('shared rate budget ready');
    expect(ready).toBeGreaterThan(0);
    expect(ready).toBeLessThan(s.msgs.findIndex((m) => LISTENING.test(m)));
  });

  it('past REDIS_STARTUP_WAIT_MS it listens anyway on the local share, and says so first', async () => {
    const s = await spawnServer({ REDIS_URL: `redis://127.0.0.1:${await freePort([6379])}`, REDIS_STARTUP_WAIT_MS: '200' });
    await until(s, LISTENING);
    expect(await listens(s.base)).toBe(true);
    const warned = s.msgs.findIndex((m) => m.startsWith('shared rate budget not reachable yet'));
    expect(warned).toBeGreaterThan(0);
    expect(warned).toBeLessThan(s.msgs.findIndex((m) => LISTENING.test(m)));
    expect(s.msgs).not.toContain('shared rate budget ready');
  });
});
